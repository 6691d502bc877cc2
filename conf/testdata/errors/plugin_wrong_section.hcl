input {
  json {  # ERROR: json is a filter plugin: move it to the filter section
    source = "message"
  }
}
