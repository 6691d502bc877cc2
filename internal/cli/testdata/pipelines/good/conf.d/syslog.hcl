pipeline {
  id          = "not-the-yml-id"
  batch_delay = 30
}

input {
  generator {
    message = "syslog line"
    count   = 3
  }
}

output {
  stdout { codec "line" { format = "%{message}" } }
}
