# Throughput check: a million generated events into the null output.
#   go build -o bin/pipe ./cmd/pipe && time bin/pipe -f conf/examples/benchmark.hcl
input {
  generator {
    count = 1000000
  }
}

output {
  null {}
}
