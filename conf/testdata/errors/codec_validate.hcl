output {
  stdout {
    codec "line" {
      delimiter = ""  # ERROR: line codec option delimiter: must not be empty
    }
  }
}
