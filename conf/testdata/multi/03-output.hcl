filter {
  drop {}
}
output {
  stdout {}
}
