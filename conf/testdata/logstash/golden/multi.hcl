# testdata/logstash/valid/multi/10-input.conf

# first file: the inputs
input {
  stdin {
    codec = "json_lines"
  }
}

# testdata/logstash/valid/multi/20-filter.conf

filter {
  json {
    source = "message"
  }
}

# a second input section in another file
input {
  generator {
    count   = 1
    message = "{\"from\": \"generator\"}"
  }
}

# testdata/logstash/valid/multi/30-output.conf

output {
  stdout {
    codec = "json_lines"
  }
}

filter {
  if "[from] == 'generator'" {
    drop {}
  }
}
