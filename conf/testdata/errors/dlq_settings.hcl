pipeline {
  dead_letter_queue {
    enabled        = true         # ERROR: Did you mean "enable"?
    storage_policy = "drop_oldr"  # ERROR: Did you mean "drop_older"?
    max_bytes      = "12 parsecs" # ERROR: unknown unit
    flush_interval = "soon"       # ERROR: a number is required
  }
}
