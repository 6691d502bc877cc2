# What python-logstash's documentation suggests: TCP and UDP on 5959, one
# JSON document per event, into Elasticsearch.
input {
  tcp {
    port  = 5959
    codec = "json_lines"
  }
  udp {
    port  = 5959
    codec = "json"
  }
}

output {
  elasticsearch {
    hosts = ["localhost:9200"]
    index = "logstash-%{+YYYY.MM.dd}"
  }
  stdout {
    codec = "rubydebug"
  }
}
