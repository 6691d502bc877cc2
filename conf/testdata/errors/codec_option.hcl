output {
  stdout {
    codec "line" {
      formt = "%{message}"  # ERROR: Did you mean "format"?
    }
  }
}
