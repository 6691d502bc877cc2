input {
  generator {
    count   = 3
    message = "hello"
  }
}

filter {
  if "[level] == 'ERROR' or [level] == 'CRITICAL'" {
    if "[service] in ['api', 'web']" {
      if "![user]" {
        drop {
          add_tag = ["anonymous"]
        }
      } else if "[user] =~ /^admin/ and [status] >= 500" {
        json {
          source = "payload"
        }
      } else {
        drop {
          percentage = 50
        }
      }
    } else if "'alert' not in [tags]" {
      json {
        source = "message"
        target = "parsed"
      }
    }
  } else if "([status] < 400 and [method] != 'POST') or [path] !~ /\/health/" {
    drop {}
  } else {
    if "[a][b]" {
      drop {}
    }
  }
}

output {
  if "[@metadata][debug] == 'yes'" {
    stdout {
      codec "rubydebug" {
        metadata = true
      }
    }
  } else if "[type] == 'noise'" {
    null {}
  } else {
    stdout {
      codec = "json_lines"
    }
  }
}
