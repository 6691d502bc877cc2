input { stdin {} }
filter {
  json {
    id     = "parse"
    source = "message"
  }
  json {
    id     = "parse"  # ERROR: Duplicate id: The id "parse" is already used by the json filter at duplicate_id.hcl:3:3
    source = "other"
  }
}
