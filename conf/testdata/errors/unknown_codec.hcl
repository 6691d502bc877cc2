input {
  stdin { codec = "jsonlines" }  # ERROR: Unknown codec plugin "jsonlines": Did you mean "json_lines"?
}
