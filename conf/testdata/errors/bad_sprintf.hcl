input { stdin {} }
filter {
  drop {
    add_field = { "x" = "%{[a}" }  # ERROR: Invalid sprintf format
  }
}
