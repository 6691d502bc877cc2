input {
  stdin {}
}
filter {
  drop {
    percentage = 0
    add_field = { "[a" = "x" } # ERROR: Invalid field reference
  }
}
output {
  null {}
}
