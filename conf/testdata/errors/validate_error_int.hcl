input {
  generator {
    count = -1  # ERROR: generator input option count: must not be negative: use 0 for no limit
  }
}
