# The faulty scenario: a web service's python-logstash records in, exceptions dug out, daily
# logstash-* indices in Elasticsearch and rubydebug on stdout.
#
#   pipe -f conf/examples/faulty.hcl             # Elasticsearch at $ES_URL, else 127.0.0.1:9200
#   faulty serve --log-to udp://127.0.0.1:5000   # or tcp://127.0.0.1:5000
#   faulty load -n 2000 -c 10 http://127.0.0.1:8050/
#   faulty report --es http://127.0.0.1:9200
#
# Listeners bind to $PIPE_HOST (127.0.0.1 unless set; the Docker image sets 0.0.0.0).
pipeline {
  # python-logstash sends `host` as a string, which ECS maps as an object: keep Logstash 7's
  # field layout and template (strings as text with a .keyword sub-field).
  ecs_compatibility = "disabled"
}

input {
  # TCPLogstashHandler: one JSON object per line.
  tcp {
    host  = env("PIPE_HOST", "127.0.0.1")
    port  = 5000
    codec = "json_lines"
  }
  # LogstashHandler (UDP): one JSON object per datagram, taken as text here, as the original
  # setup did; syslog senders (logger -d -n 127.0.0.1 -P 5000) share the port.
  udp {
    host = env("PIPE_HOST", "127.0.0.1")
    port = 5000
    type = "syslog"
  }
}

filter {
  if "[type] == 'syslog' and [message] =~ /^\s*\{/" {
    # The whole record arrived as a string in message: make fields of it.
    json {
      source = "message"
    }
  } else if "[type] == 'syslog'" {
    grok {
      match     = { "message" = "^<%{NONNEGINT:syslog_pri}>%{SYSLOGLINE}" }
      overwrite = ["message"]
    }
    # RFC 3164 timestamps have no year and no zone: Logstash's year guess, UTC here.
    date {
      match    = ["timestamp", "MMM  d HH:mm:ss", "MMM dd HH:mm:ss"]
      timezone = "UTC"
    }
  }

  if "[logger_name] == 'example.tasks'" {
    # The worker's record: "<sha1 of the content> <length> <mime type>".
    grok {
      match = { "message" = "^(?<sha1>[0-9a-f]{40}) %{NONNEGINT:content_length:int} %{NOTSPACE:content_type}$" }
    }
  }

  if "[stack_trace]" {
    # The last line of a Python traceback names the exception: "KeyError: 'user'" (as in
    # Logstash, grok patterns are Ruby regexes: ^ matches at every line start, \z at the very end).
    grok {
      match = { "stack_trace" = "^(?<exception_kind>[A-Za-z_][A-Za-z0-9_.]*)(?:: (?<exception_message>.*))?\s*\z" }
    }
  }
}

output {
  elasticsearch {
    hosts = [env("ES_URL", "http://127.0.0.1:9200")]
    index = "logstash-%{+YYYY.MM.dd}"
  }
  stdout {
    codec = "rubydebug"
  }
}
