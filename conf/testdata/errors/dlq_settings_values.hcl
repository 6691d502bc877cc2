pipeline {
  dead_letter_queue {
    path           = ""     # ERROR: Empty dead_letter_queue path
    max_bytes      = 0      # ERROR: max_bytes must be at least 1
    flush_interval = 0      # ERROR: must be at least 1
  }
}
