# JSON documents in the message field, the json filter example.
input {
  stdin {
    codec = "json_lines"
  }
}

filter {
  json {
    source               = "message"
    target               = "doc"
    skip_on_invalid_json = false
  }
  if "'_jsonparsefailure' in [tags]" {
    drop {}
  }
}

output {
  stdout {
    codec = "json_lines"
  }
}
