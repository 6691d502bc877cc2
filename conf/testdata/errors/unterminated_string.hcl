input {
  generator {
    message = "abc  # ERROR: Quoted strings may not be split over multiple lines
  }
}
