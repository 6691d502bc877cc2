filter {
  source = "message"  # ERROR: The filter section holds plugin blocks
}
