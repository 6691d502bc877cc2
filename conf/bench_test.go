package conf

import (
	"strings"
	"testing"
)

// benchConfig is a realistic 60-line pipeline.
const benchConfig = `# python-logstash events in, parsed, routed, printed.
pipeline {
  id         = "main"
  workers    = 2
  batch_size = 125
}

input {
  stdin {
    codec = "json_lines"
    type  = "python-logstash"
    tags  = ["app", "${env.USER}"]
  }
  generator {
    count   = 100
    message = "%{COMBINEDAPACHELOG} \d+"
    add_field = { "[src][name]" = "gen-%{sequence}" "[src][host]" = env("HOSTNAME", "localhost") }
  }
}

filter {
  json {
    id     = "parse"
    source = "message"
    target = "[doc]"
  }
  if "[logger_name] == 'example.tasks'" {
    mutate {
      rename    = { "[doc][sha1]" = "sha1", "[doc][len]" = "[content][length]" }
      lowercase = ["level"]
      add_tag   = ["task", "level-%{level}"]
    }
  } else if "[status_code] >= 500 and [path] =~ /^\/api\/v\d+/" {
    mutate { add_tag = ["server_error"] }
    drop { percentage = 10 }
  } else if "'_jsonparsefailure' in [tags]" {
    drop {}
  } else {
    json {
      source       = "other"
      add_field    = { "[@metadata][index]" = "logstash-%{+YYYY.MM.dd}" }
      remove_field = ["[doc][raw]", "taskName"]
      remove_tag   = ["tmp"]
    }
  }
}

output {
  if "[level] in ['ERROR', 'CRITICAL']" {
    stdout { codec "line" { format = "%{[@metadata][index]} %{message}" } }
  } else {
    stdout {
      codec "rubydebug" {
        metadata = true
      }
    }
  }
  null { id = "sink" }
}
`

func TestBenchConfigLoads(t *testing.T) {
	if n := strings.Count(benchConfig, "\n"); n < 55 || n > 65 {
		t.Errorf("bench config has %d lines", n)
	}
	mustLoad(t, benchConfig)
}

func BenchmarkLoad(b *testing.B) {
	reg := testRegistry()
	srcs := []Source{{Name: "bench.hcl", Data: []byte(benchConfig)}}
	opts := Options{Env: map[string]string{"USER": "alice", "HOME": "/home/alice", "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"}}
	b.SetBytes(int64(len(benchConfig)))
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Load(srcs, reg, opts); len(diags) > 0 {
			b.Fatal(diags)
		}
	}
}
