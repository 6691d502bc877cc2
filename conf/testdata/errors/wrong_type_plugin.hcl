input {
  generator {
    count = "x"  # ERROR: a number is required
  }
}
