input {
  if "[type] == 'x'" {  # ERROR: Conditional in the input section
    stdin {}
  }
}
