input { stdin {} }
filter {
  if {  # ERROR: Missing condition
    drop {}
  }
}
