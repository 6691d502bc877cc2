pipeline {
  workers = 1
}
pipeline {  # ERROR: Duplicate pipeline block
  workers = 2
}
