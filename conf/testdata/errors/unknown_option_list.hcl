input {
  generator {
    frobnicate = 3  # ERROR: The generator input takes count, lines, message; the common options are id, enable_metric, type, tags, add_field.
  }
}
