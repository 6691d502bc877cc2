# Apache access logs read from stdin, one line per event.
input {
  stdin {
    type = "apache_access"
  }
}

filter {
  if "[type] == 'apache_access'" {
    grok {
      match = {
        "message" = "%{COMBINEDAPACHELOG}"
      }
      ecs_compatibility = "disabled"
    }
    date {
      match = ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"]
    }
  }
  if "'_grokparsefailure' in [tags]" {
    drop {}
  }
}

output {
  elasticsearch {
    hosts = ["http://localhost:9200"]
    index = "apache-%{+YYYY.MM.dd}"
  }
  stdout {
    codec "rubydebug" {
      metadata = true
    }
  }
}
