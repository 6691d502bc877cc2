# Every kind of value Logstash's language has.
input {
  generator {
    count   = 2                            # a number
    message = "single \"quoted\" \'text\'" # single quotes, \' kept as written
    lines   = ["a", "b", "c", "d\\\"e"]    # an array of strings and a bare word
    threads = 1
    type    = "42"         # a number where a string is wanted
    tags    = ["only-one"] # a string where a list is wanted
    add_field = {
      "[user][name]" = env.USER
      "home"         = env("HOME_DIR", "/home/nobody")
      "plain_key"    = "a $${ literal, %{field} and $1"
      "7"            = "number key"
    }
    enable_metric     = false
    ecs_compatibility = "disabled"
  }
}

filter {
  grok {
    match = {
      "message" = ["\d+\.\d+ %{WORD:w}", "%{GREEDYDATA:rest}"]
      "other"   = "\\\(backslashes\\\)"
    }
    break_on_match = false # a string where a bool is wanted
    timeout_millis = 5000  # a string where a number is wanted
    pattern_definitions = {
      "A" = "x"
      "B" = "y"
      "C" = "z"
    }
    add_tag      = []
    remove_field = ["[a][b]", "c"]
  }
  drop {
    percentage = -0
  }
}

output {
  null {
    id = "the_end"
  }
  stdout {
    codec "line" {
      format = "%{message} \\t tab \\n end"
    }
  }
}
