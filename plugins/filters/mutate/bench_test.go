package mutate_test

import (
	"testing"

	"github.com/pipeproject/pipe/pipeline"
)

// pyEvent is shaped like a python-logstash (format version 1) event, with
// two numbers sent as text, as a grok or kv filter leaves them.
const pyEvent = `{"@timestamp":"2024-01-02T03:04:05.123Z","@version":"1","message":"GET /api/items/17 404",` +
	`"host":"web-1","path":"/srv/app/views.py","tags":[],"type":"logstash","level":"WARNING",` +
	`"logger_name":"app.views","taskName":null,"status_code":"404","duration_ms":"17.5"}`

// BenchmarkConvertRename converts two fields and renames two on a
// python-logstash event. The fields are put back as they were (constant
// strings and the values already held: no allocation) after each run, so
// every iteration does the same work. The only allocations are the two new
// numbers (an int64 of 404 and a float64, 8 bytes each, boxed).
func BenchmarkConvertRename(b *testing.B) {
	f := build(b, `convert = { status_code = "integer", duration_ms = "float" }
		rename = { logger_name = "[logger]", level = "log_level" }`, pipeline.Deps{})
	e := event(b, pyEvent)
	fs := e.Fields()
	logger, level := pipeline.MustFieldRef("logger"), pipeline.MustFieldRef("log_level")
	b.ReportAllocs()
	for b.Loop() {
		if f.Filter(e) != pipeline.FilterMatched {
			b.Fatal("filter failed")
		}
		fs.Set("status_code", "404")
		fs.Set("duration_ms", "17.5")
		v, _ := e.Remove(logger)
		fs.Set("logger_name", v)
		v, _ = e.Remove(level)
		fs.Set("level", v)
	}
}

// BenchmarkGsub replaces the slashes of the message (a literal
// replacement) and rewrites the status with a group reference.
func BenchmarkGsub(b *testing.B) {
	for _, bc := range []struct{ name, config string }{
		{"literal", `gsub = ["message", "/", "_"]`},
		{"groups", `gsub = ["message", "(\\d+) (\\d+)$", "id=\\1 status=\\2"]`},
		{"backtracking", `gsub = ["message", "(?<=/)(\\w+)", "<\\1>"]`},
		{"no match", `gsub = ["message", "xyz", "_"]`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := build(b, bc.config, pipeline.Deps{})
			e := event(b, pyEvent)
			fs := e.Fields()
			b.ReportAllocs()
			for b.Loop() {
				f.Filter(e)
				fs.Set("message", "GET /api/items/17 404")
			}
		})
	}
}

// BenchmarkSplitJoin splits a field of four values into a list and joins
// it back.
func BenchmarkSplitJoin(b *testing.B) {
	for _, bc := range []struct{ name, config string }{
		{"split", `split = { f = "," }`},
		{"split+join", `split = { f = "," }
			join = { f = ";" }`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := build(b, bc.config, pipeline.Deps{})
			e := event(b, `{"f":"alpha,beta,gamma,delta"}`)
			fs := e.Fields()
			b.ReportAllocs()
			for b.Loop() {
				f.Filter(e)
				fs.Set("f", "alpha,beta,gamma,delta")
			}
		})
	}
}
