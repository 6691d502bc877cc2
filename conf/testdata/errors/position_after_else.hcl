input { stdin {} }
filter {
  if "[a]" { drop {} } else { drop {} }
  jsno {}  # ERROR: Did you mean "json"?
}
