pipeline {            # optional, at most once across all files
  id = "main"
  workers    = 2      # pipeline.workers
  batch_size = 125
  batch_delay = 50    # milliseconds
  queue_size = 1000
  ecs_compatibility = "v8"   # disabled | v1 | v8
}
input {
  stdin { codec = "json_lines" }
  generator { count = 10  tags = ["gen"]  add_field = { "[src][name]" = "gen-%{sequence}" } }
}
filter {
  json { source = "message" }
  if "[logger_name] == 'example.tasks'" {
    drop {}
  } else if "[status_code] >= 500" {
    mutate { add_tag = ["server_error"] }
  } else {
    json { source = "other" add_tag = ["x", "%{type}"] }
  }
}
output {
  stdout { codec "line" { format = "%{message}" } }
  if "'_jsonparsefailure' in [tags]" { null {} }
}
