filter {
  drop { id = "" }  # ERROR: Empty id
}
