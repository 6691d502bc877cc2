stdin {}  # ERROR: stdin is an input plugin: put it inside an input { } block
output {
  stdout {}
}
