input {
  stdin {}
}
filter {
  json {
    source  = "message"
    add_tga = ["x"]  # ERROR: An argument named "add_tga" is not expected here. Did you mean "add_tag"?
  }
}
