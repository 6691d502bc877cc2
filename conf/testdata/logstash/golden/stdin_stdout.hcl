# Used by the CLI test: the same events out of the .conf and of its HCL.
input {
  stdin {
    codec = "json_lines"
    add_field = {
      "[source][kind]" = "stdin"
    }
    tags = ["in"]
  }
}

filter {
  grok {
    match = {
      "message" = "%{WORD:verb} %{NUMBER:n:int}"
    }
    tag_on_failure = ["nomatch"]
  }
  if "'nomatch' in [tags]" {
    drop {}
  } else if "[n] > 10" {
    json {
      source  = "payload"
      target  = "payload_doc"
      add_tag = ["big", "%{verb}"]
    }
  } else {
    json {
      source       = "payload"
      remove_field = ["payload"]
    }
  }
}

output {
  stdout {
    codec = "json_lines"
  }
}
