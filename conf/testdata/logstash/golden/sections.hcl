# Several sections of one kind in one file, concatenated in order.
input {
  stdin {}
}

filter {
  json {
    source = "message"
  }
}

output {
  stdout {
    codec = "json_lines"
  }
}

filter {
  if "[msg] == \"it's\" and\n     # a comment inside a condition\n     [n] > 1" {
    drop {}
  }
  # between an if and its else if
  else if "[a] in ['x', 'y']" {
    drop {
      percentage = 10
    }
  } else {
    json {
      source = "other"
    }
  }
}

input {
  generator {
    count = 1
  }
}

output {
  if "[@metadata][x]" {
    null {}
  }
}
