input { stdin {} }
filter {
  drop {}
  else {  # ERROR: "else" without "if"
    drop {}
  }
}
