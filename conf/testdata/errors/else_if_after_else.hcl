input { stdin {} }
filter {
  if "[a]" {
    drop {}
  } else {
    drop {}
  } else if "[b]" {  # ERROR: "else if" after "else": The chain already ended with the else on line 5
    drop {}
  }
}
