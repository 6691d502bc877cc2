input {
  tcp {
    port  = env.LS_PORT
    host  = "0.0.0.0"
    codec = "line"
    tags  = ["nginx"]
  }
}

filter {
  grok {
    # nginx's default "combined" log format
    match = {
      "message" = "%{IPORHOST:clientip} - %{DATA:user} \[%{HTTPDATE:timestamp}\] \\\"%{WORD:method} %{DATA:request} HTTP/%{NUMBER:httpversion}\\\" %{NUMBER:response:int} (?:-|%{NUMBER:bytes:int}) %{QS:referrer} %{QS:agent}"
    }
    pattern_definitions = {
      "NGUSER" = "[a-zA-Z\.\@\-\+_%]+"
    }
    tag_on_failure = ["_nginx_grok_failed"]
  }
  if "[response] >= 500" {
    grok {
      match = {
        "request" = "^/api/%{WORD:api_name}"
      }
      add_tag        = ["server_error"]
      tag_on_failure = []
    }
  } else if "[request] =~ /\.(css|js|png|ico)$/" {
    drop {}
  }
}

output {
  elasticsearch {
    hosts = [env.ES_HOST]
    index = "nginx-%{+YYYY.MM}"
  }
}
