# Syslog over TCP and UDP, parsed with grok: the classic example of
# Logstash's "configuration examples" page, with pipe's plugins.
input {
  tcp {
    port = 5000
    type = "syslog"
  }
  udp {
    port = 5000
    type = "syslog"
  }
}

filter {
  if "[type] == 'syslog'" {
    grok {
      match = {
        "message" = "%{SYSLOGTIMESTAMP:syslog_timestamp} %{SYSLOGHOST:syslog_hostname} %{DATA:syslog_program}(?:\[%{POSINT:syslog_pid}\])?: %{GREEDYDATA:syslog_message}"
      }
      add_field = {
        "received_at"   = "%{@timestamp}"
        "received_from" = "%{host}"
      }
    }
    date {
      match = ["syslog_timestamp", "MMM  d HH:mm:ss", "MMM dd HH:mm:ss"]
    }
  }
}

output {
  elasticsearch {
    hosts = ["localhost:9200"]
  }
  stdout {
    codec = "rubydebug"
  }
}
