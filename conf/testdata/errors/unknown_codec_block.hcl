output {
  stdout {
    codec "lien" {  # ERROR: Did you mean "line"?
      format = "%{message}"
    }
  }
}
