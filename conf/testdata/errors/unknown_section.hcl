inptu {  # ERROR: Unknown section "inptu": Did you mean "input"?
  stdin {}
}
output {
  stdout {}
}
