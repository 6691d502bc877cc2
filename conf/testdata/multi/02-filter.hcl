filter {
  json { source = "message" }
}
