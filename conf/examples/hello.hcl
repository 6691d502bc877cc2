# The smallest pipeline: three generated events printed in Logstash's
# rubydebug layout. Run it with:  go run ./cmd/pipe -f conf/examples/hello.hcl
input {
  generator {
    count   = 3
    message = "Hello from pipe!"
  }
}

filter {
  if "[event][sequence] == 1" {
    drop {}
  }
}

output {
  stdout {}
}
