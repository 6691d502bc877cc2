input { stdin {} }
filter {
  if [type] == "x" {  # ERROR: Conditions are written in quotes
    drop {}
  }
}
