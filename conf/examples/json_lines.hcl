# JSON lines in on standard input, JSON lines out on standard output, with
# Logstash conditionals and the common options on the way:
#   printf '%s\n' '{"level":"ERROR","message":"boom"}' '{"level":"DEBUG"}' \
#     | go run ./cmd/pipe -f conf/examples/json_lines.hcl
pipeline {
  workers    = 2
  batch_size = 125
}

input {
  stdin {
    codec = "json_lines"
    type  = "app"
  }
}

filter {
  if "[level] == 'DEBUG'" {
    drop {}
  } else if "[level] in ['ERROR', 'CRITICAL']" {
    drop {
      percentage = 0
      add_tag    = ["alert"]
      add_field  = { "[labels][index]" = "alerts-%{+YYYY.MM.dd}" }
    }
  }
}

output {
  stdout {
    codec = "json_lines"
  }
}
