pipeline {
  wrokers = 1  # ERROR: Did you mean "workers"?
}
