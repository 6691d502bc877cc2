input { stdin {} }
filter {
  if "[a] === 1" {  # ERROR: Invalid condition
    drop {}
  }
}
