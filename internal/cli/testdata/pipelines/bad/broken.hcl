input {
  generator { count = 1 }
}

output {
  nul {}
}
