input { stdin {} }
filter {
  json {
    id     = "json_2"  # ERROR: The id "json_2" is also the default id of the json filter at duplicate_default_id.hcl:7:3
    source = "message"
  }
  json {
    source = "other"
  }
}
