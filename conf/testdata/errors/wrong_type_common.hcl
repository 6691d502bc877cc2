input {
  generator {
    tags = { a = 1 }  # ERROR: Invalid value for "tags": list of string required, not an object
  }
}
