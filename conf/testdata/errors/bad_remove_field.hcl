input { stdin {} }
filter {
  drop {
    remove_field = ["ok", "[a]b"]  # ERROR: Invalid field reference
  }
}
