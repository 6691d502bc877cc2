workers = 2  # ERROR: Unexpected argument "workers"
input {
  stdin {}
}
