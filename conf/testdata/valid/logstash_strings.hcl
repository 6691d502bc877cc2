# Strings written as in Logstash: sprintf references, regex escapes,
# environment values through HCL.
input {
  generator {
    lines = [
      "%{COMBINEDAPACHELOG} \d+ \[%{HTTPDATE:timestamp}\]",
      "tab\there \"quoted\" back\\slash",
      "${env.USER} home=${env.HOME} literal=$${env.USER} pct=%%{x}",
      "unicode \u00e9 \U0001F600",
    ]
    message = <<EOT
  first %{message} \d
  ${env.USER}
  EOT
    type = env("PIPE_TYPE", "default-type")
    add_field = {
      "[@metadata][index]" = "logstash-%{+YYYY.MM.dd}"
      plain_key            = "%{[host][name]}"
      "user"               = env.USER
    }
  }
}
filter {
  if "[message] =~ /^\d{3} \/api\/.*$/" {
    mutate {
      rename = { "[a][b]" = "c", "d" = "[e][f]" }
    }
  }
}
output {
  stdout { codec "line" { format = "%{[@metadata][index]} %{message}" } }
}
