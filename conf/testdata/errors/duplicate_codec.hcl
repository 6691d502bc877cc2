output {
  stdout {
    codec = "json"
    codec "line" {}  # ERROR: Duplicate codec: The codec is already set on line 3
  }
}
