input { stdin {} }
filter {
  json {
    source = "message"
    codec  = "json"  # ERROR: An argument named "codec" is not expected here.
  }
}
