input {
  generator {
    count = 10 +  # ERROR: Invalid expression
  }
}
