pipeline {
  workers    = 0  # ERROR: workers must be at least 1, not 0
  batch_size = 10
}
