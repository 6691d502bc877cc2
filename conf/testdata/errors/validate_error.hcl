input { stdin {} }
filter {
  json {
    source = "[a"  # ERROR: json filter option source: not a field reference
  }
}
