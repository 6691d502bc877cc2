package json

import (
	"strings"
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

const pythonLogstash = `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing", "host": "vm", "path": "/srv/app/capture.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/missing'>"}`

func newCodec(t testing.TB, cfg *Config, d pipeline.Deps) *Codec {
	t.Helper()
	c, err := build(cfg, d)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return c.(*Codec)
}

// render shows an event with an @timestamp of the last minute as NOW.
func render(e *pipeline.Event) string {
	if ts, ok := e.Timestamp(); ok && time.Since(ts.Time()) < time.Minute {
		e.SetTimestamp(pipeline.NewTimestamp(time.Time{}))
	}
	s := string(pipeline.AppendEventJSON(nil, e))
	return strings.Replace(s, `"@timestamp":"0001-01-01T00:00:00.000Z"`, `"@timestamp":"NOW"`, 1)
}

func TestDecode(t *testing.T) {
	disabled := pipeline.Settings{ECSCompatibility: "disabled"}
	v8 := pipeline.Settings{ECSCompatibility: "v8"}
	tests := []struct {
		name     string
		cfg      func(*Config)
		settings pipeline.Settings
		blocks   []string
		want     []string
	}{
		{"python-logstash datagram", nil, disabled, []string{pythonLogstash}, []string{
			`{"@timestamp":"2026-11-24T23:08:04.232Z","@version":"1","message":"Not Found: /missing","host":"vm","path":"/srv/app/capture.py","tags":[],"type":"logstash","level":"WARNING","logger_name":"django.request","taskName":null,"status_code":404,"request":"<WSGIRequest: GET '/missing'>"}`,
		}},
		{"one document per block, newlines inside", nil, disabled, []string{"{\"a\":\n1}\n", "{\"b\":2}"}, []string{
			`{"@timestamp":"NOW","@version":"1","a":1}`,
			`{"@timestamp":"NOW","@version":"1","b":2}`,
		}},
		{"array of objects", nil, disabled, []string{`[{"a":1},{"a":2}]`}, []string{
			`{"@timestamp":"NOW","@version":"1","a":1}`,
			`{"@timestamp":"NOW","@version":"1","a":2}`,
		}},
		{"two documents in one block fail", nil, disabled, []string{"{\"a\":1}\n{\"a\":2}"}, []string{
			`{"@timestamp":"NOW","@version":"1","message":"{\"a\":1}\n{\"a\":2}","tags":["_jsonparsefailure"]}`,
		}},
		{"not json", nil, disabled, []string{"something that isn't json"}, []string{
			`{"@timestamp":"NOW","@version":"1","message":"something that isn't json","tags":["_jsonparsefailure"]}`,
		}},
		{"scalar", nil, disabled, []string{"42"}, []string{
			`{"@timestamp":"NOW","@version":"1","message":"42","tags":["_jsonparsefailure"]}`,
		}},
		{"binary blob", nil, disabled, []string{"\x80\x81\xff"}, []string{
			`{"@timestamp":"NOW","@version":"1","message":"\\x80\\x81\\xFF","tags":["_jsonparsefailure"]}`,
		}},
		{"blank", nil, disabled, []string{"", " \n"}, nil},
		{"charset ISO-8859-1", func(c *Config) { c.Charset = "ISO-8859-1" }, disabled, []string{"{\"m\":\"caf\xe9\"}"}, []string{
			`{"@timestamp":"NOW","@version":"1","m":"café"}`,
		}},
		{"charset Windows-1252", func(c *Config) { c.Charset = "Windows-1252" }, disabled, []string{"{\"m\":\"\x80\"}"}, []string{
			`{"@timestamp":"NOW","@version":"1","m":"€"}`,
		}},
		{"ecs: event.original is the converted text", func(c *Config) { c.Charset = "latin1" }, v8, []string{"{\"m\":\"\xe9\"}"}, []string{
			`{"@timestamp":"NOW","@version":"1","m":"é","event":{"original":"{\"m\":\"é\"}"}}`,
		}},
		{"empty array", nil, disabled, []string{"[]"}, nil},
		{"ecs: event.original for a single event", nil, v8, []string{`{"a":1}`}, []string{
			`{"@timestamp":"NOW","@version":"1","a":1,"event":{"original":"{\"a\":1}"}}`,
		}},
		{"ecs: an array of one is a single event", nil, v8, []string{`[{"a":1}]`}, []string{
			`{"@timestamp":"NOW","@version":"1","a":1,"event":{"original":"[{\"a\":1}]"}}`,
		}},
		{"ecs: event.original kept when sent", nil, v8, []string{`{"event":{"original":"raw"}}`}, []string{
			`{"@timestamp":"NOW","@version":"1","event":{"original":"raw"}}`,
		}},
		{"ecs: event.original added to a sent event hash", nil, v8, []string{`{"event":{"kind":"x"}}`}, []string{
			`{"@timestamp":"NOW","@version":"1","event":{"kind":"x","original":"{\"event\":{\"kind\":\"x\"}}"}}`,
		}},
		{"ecs: not for several events", nil, v8, []string{`[{"a":1},{"a":2}]`}, []string{
			`{"@timestamp":"NOW","@version":"1","a":1}`,
			`{"@timestamp":"NOW","@version":"1","a":2}`,
		}},
		{"ecs: not for a failure", nil, v8, []string{`nope`}, []string{
			`{"@timestamp":"NOW","@version":"1","message":"nope","tags":["_jsonparsefailure"]}`,
		}},
		{"target", func(c *Config) { c.Target = "[doc][inner]" }, disabled, []string{`{"@timestamp":"2026-11-24T23:08:04.232Z","a":[1]}`}, []string{
			`{"@timestamp":"NOW","@version":"1","doc":{"inner":{"@timestamp":"2026-11-24T23:08:04.232Z","a":[1]}}}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaults()
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			c := newCodec(t, cfg, pipeline.Deps{Settings: tt.settings})
			dec := c.NewDecoder()
			var got []string
			emit := func(e *pipeline.Event) { got = append(got, render(e)) }
			for _, b := range tt.blocks {
				block := []byte(b)
				dec.Decode(block, emit)
				copy(block, strings.Repeat("X", len(block))) // events must not alias the block
				dec.Flush(emit)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestFailureCounter(t *testing.T) {
	m := &pipeline.Metrics{}
	dec := newCodec(t, defaults(), pipeline.Deps{Metrics: m}).NewDecoder()
	for _, b := range []string{"x", `{"a":1}`, "[1]", ""} {
		dec.Decode([]byte(b), func(*pipeline.Event) {})
	}
	if n := m.Counter("jsonparsefailure").Load(); n != 2 {
		t.Errorf("jsonparsefailure = %d, want 2", n)
	}
}

// TestEncodeNoNewline: Logstash's json codec writes no delimiter, so
// consecutive events run together.
func TestEncodeNoNewline(t *testing.T) {
	c := newCodec(t, defaults(), pipeline.Deps{})
	e := pipeline.NewMessageEvent("a")
	e.SetTimestamp(pipeline.NewTimestamp(time.Date(2026, 11, 24, 23, 8, 4, 232e6, time.UTC)))
	e.Metadata().Set("hidden", "x")
	var out []byte
	out = c.Encode(out, e)
	out = c.Encode(out, e)
	one := `{"@timestamp":"2026-11-24T23:08:04.232Z","@version":"1","message":"a"}`
	if string(out) != one+one {
		t.Errorf("got %s", out)
	}
}

func TestValidate(t *testing.T) {
	cfg := defaults()
	cfg.Target = "[x]]"
	cfg.ECSCompatibility = "v2"
	cfg.Charset = "EBCDIC-42"
	var attrs []string
	for _, ce := range pipeline.ConfigErrors(cfg.Validate()) {
		attrs = append(attrs, ce.Attr)
	}
	if strings.Join(attrs, ",") != "target,ecs_compatibility,charset" {
		t.Fatalf("errors on %v", attrs)
	}
	if _, err := build(cfg, pipeline.Deps{}); err == nil {
		t.Fatal("build accepted a bad config")
	}
}

func BenchmarkDecode(b *testing.B) {
	dec := newCodec(b, defaults(), pipeline.Deps{}).NewDecoder()
	data := []byte(pythonLogstash)
	emit := func(*pipeline.Event) {}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		dec.Decode(data, emit)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkEncode(b *testing.B) {
	c := newCodec(b, defaults(), pipeline.Deps{Settings: pipeline.Settings{ECSCompatibility: "disabled"}})
	var e *pipeline.Event
	c.NewDecoder().Decode([]byte(pythonLogstash), func(x *pipeline.Event) { e = x })
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = c.Encode(buf[:0], e)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
