pipeline {
  workers = "two"  # ERROR: a number is required
}
