input { stdin {} }
filter {
  json {  # ERROR: Missing required option "source": The json filter needs source
    target = "doc"
  }
}
