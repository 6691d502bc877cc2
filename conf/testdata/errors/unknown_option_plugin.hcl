input {
  generator {
    cuont = 3  # ERROR: Did you mean "count"?
  }
}
