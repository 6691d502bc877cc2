input {
  stdin {}
}
filter {
  if "[a]" {
    if "[b]" {
      drop {}
    } else if "[c]" {
      json {
        source = "c"
      }
    }
    else {
      mutate {}
    }
  }
  else if "[d]"
  {
    drop {}
  }
  drop {}
  if "[e]" {}
}
output {
  if "[f]" {
    stdout {}
  } else {
    null {}
  }
}
