filter {
  drop "x" {}  # ERROR: A plugin block takes no label
}
