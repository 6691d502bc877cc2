pipeline {
  workers    = 4
  batch_size = 99
}

input {
  generator {
    lines = ["apache one", "apache two"]
    count = 1
  }
}

output {
  stdout { codec "line" { format = "%{message}" } }
}
