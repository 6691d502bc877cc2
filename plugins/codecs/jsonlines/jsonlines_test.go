package jsonlines

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// pythonLogstash is one line as python-logstash's TCP handler sends it.
const pythonLogstash = `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing", "host": "vm", "path": "/srv/app/capture.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/missing'>"}` + "\n"

func newCodec(t testing.TB, cfg *Config, d pipeline.Deps) *Codec {
	t.Helper()
	c, err := build(cfg, d)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return c.(*Codec)
}

// render shows an event deterministically: its JSON with an @timestamp of
// the last minute (one the decoder made) shown as NOW, and its @metadata.
func render(e *pipeline.Event) string {
	if ts, ok := e.Timestamp(); ok && time.Since(ts.Time()) < time.Minute {
		e.SetTimestamp(pipeline.NewTimestamp(time.Time{}))
	}
	s := string(pipeline.AppendEventJSON(nil, e))
	s = strings.Replace(s, `"@timestamp":"0001-01-01T00:00:00.000Z"`, `"@timestamp":"NOW"`, 1)
	if e.HasMetadata() {
		s += " @metadata=" + string(pipeline.AppendJSONValue(nil, e.Metadata()))
	}
	return s
}

func decodeAll(dec pipeline.Decoder, in []byte, block int) []*pipeline.Event {
	var out []*pipeline.Event
	emit := func(e *pipeline.Event) { out = append(out, e) }
	for i := 0; i < len(in); i += block {
		dec.Decode(in[i:min(i+block, len(in))], emit)
	}
	dec.Flush(emit)
	return out
}

func renderAll(events []*pipeline.Event) string {
	var b strings.Builder
	for _, e := range events {
		b.WriteString(render(e))
		b.WriteByte('\n')
	}
	return b.String()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeGolden decodes lines of every kind (objects, arrays, bad JSON,
// scalars, blank lines, bad @timestamp and tags, @metadata, a truncated
// object, CRLF, invalid UTF-8, a last line without newline).
func TestDecodeGolden(t *testing.T) {
	m := &pipeline.Metrics{}
	c := newCodec(t, defaults(), pipeline.Deps{Metrics: m})
	events := decodeAll(c.NewDecoder(), readTestdata(t, "mixed.jsonl"), 1<<16)
	golden(t, "mixed.golden", []byte(renderAll(events)))
	// The line holding invalid UTF-8 fails too: as in Logstash, charset
	// UTF-8 turns it into its Ruby inspect form, which is not JSON.
	if n := m.Counter("jsonparsefailure").Load(); n != 7 {
		t.Errorf("jsonparsefailure counter = %d, want 7", n)
	}
	if n := m.Counter("invalidutf8").Load(); n != 1 {
		t.Errorf("invalidutf8 counter = %d, want 1", n)
	}
}

// TestEveryChunking feeds the same input in blocks of every size from 1 to
// its length and expects the same events.
func TestEveryChunking(t *testing.T) {
	for _, name := range []string{"mixed.jsonl", "python-logstash.jsonl"} {
		t.Run(name, func(t *testing.T) {
			in := readTestdata(t, name)
			c := newCodec(t, defaults(), pipeline.Deps{})
			want := renderAll(decodeAll(c.NewDecoder(), in, len(in)))
			for block := 1; block < len(in); block++ {
				if got := renderAll(decodeAll(c.NewDecoder(), in, block)); got != want {
					t.Fatalf("blocks of %d:\n got:\n%s\nwant:\n%s", block, got, want)
				}
			}
		})
	}
}

// TestRoundTrip decodes python-logstash lines, encodes them, and checks the
// encoding (golden) and that decoding it again gives the same events.
func TestRoundTrip(t *testing.T) {
	c := newCodec(t, defaults(), pipeline.Deps{})
	events := decodeAll(c.NewDecoder(), readTestdata(t, "python-logstash.jsonl"), 4096)
	var enc []byte
	for _, e := range events {
		enc = c.Encode(enc, e)
	}
	golden(t, "python-logstash.golden", enc)
	again := decodeAll(c.NewDecoder(), enc, 4096)
	if renderAll(again) != renderAll(events) {
		t.Errorf("round trip changed the events:\n%s\n%s", renderAll(again), renderAll(events))
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*Config)
		in   string
		want string
	}{
		{"python-logstash", nil, pythonLogstash,
			`{"@timestamp":"2026-11-24T23:08:04.232Z","@version":"1","message":"Not Found: /missing","host":"vm","path":"/srv/app/capture.py","tags":[],"type":"logstash","level":"WARNING","logger_name":"django.request","taskName":null,"status_code":404,"request":"<WSGIRequest: GET '/missing'>"}` + "\n"},
		{"blank lines", nil, "\n\n  \t\r\n", ""},
		{"blank between", nil, "\n{\"a\":1}\n\n{\"b\":2}\n\n",
			`{"@timestamp":"NOW","@version":"1","a":1}` + "\n" + `{"@timestamp":"NOW","@version":"1","b":2}` + "\n"},
		{"custom delimiter", func(c *Config) { c.Delimiter = "|" }, `{"hey":1}|{"hey":2}|{"hey":3}|`,
			`{"@timestamp":"NOW","@version":"1","hey":1}` + "\n" + `{"@timestamp":"NOW","@version":"1","hey":2}` + "\n" + `{"@timestamp":"NOW","@version":"1","hey":3}` + "\n"},
		{"not json", nil, "something that isn't json\n",
			`{"@timestamp":"NOW","@version":"1","message":"something that isn't json","tags":["_jsonparsefailure"]}` + "\n"},
		{"target", func(c *Config) { c.Target = "[doc]" }, "{\"field\": \"value1\", \"@timestamp\": \"2026-11-24T23:08:04.232Z\"}\n{\"field\": 2.0}\n",
			`{"@timestamp":"NOW","@version":"1","doc":{"field":"value1","@timestamp":"2026-11-24T23:08:04.232Z"}}` + "\n" +
				`{"@timestamp":"NOW","@version":"1","doc":{"field":2.0}}` + "\n"},
		{"target with an array", func(c *Config) { c.Target = "doc" }, "[{\"a\":1},{\"a\":2}]\n",
			`{"@timestamp":"NOW","@version":"1","doc":{"a":1}}` + "\n" + `{"@timestamp":"NOW","@version":"1","doc":{"a":2}}` + "\n"},
		{"target with a scalar", func(c *Config) { c.Target = "doc" }, "1\n",
			`{"@timestamp":"NOW","@version":"1","message":"1","tags":["_jsonparsefailure"]}` + "\n"},
		{"too long is not parsed", func(c *Config) { c.DecodeSizeLimitBytes = 8 }, "{\"message\":\"long\"}\n{\"a\":1}\n",
			`{"@timestamp":"NOW","@version":"1","message":"{\"messag","tags":["_linetoolong"]}` + "\n" + `{"@timestamp":"NOW","@version":"1","a":1}` + "\n"},
		{"ecs does not add event.original", func(c *Config) { c.ECSCompatibility = "v8" }, "{\"a\":1}\n",
			`{"@timestamp":"NOW","@version":"1","a":1}` + "\n"},
		{"charset ISO-8859-1", func(c *Config) { c.Charset = "ISO-8859-1" }, "{\"m\":\"caf\xe9\"}\n{\"\xe9\":1}\n",
			`{"@timestamp":"NOW","@version":"1","m":"café"}` + "\n" + `{"@timestamp":"NOW","@version":"1","é":1}` + "\n"},
		{"charset Windows-1252", func(c *Config) { c.Charset = "Windows-1252" }, "{\"m\":\"\x80\"}\n",
			`{"@timestamp":"NOW","@version":"1","m":"€"}` + "\n"},
		{"charset converts a too long line", func(c *Config) { c.Charset = "latin1"; c.DecodeSizeLimitBytes = 4 }, "\xe9\xe9\xe9\xe9\xe9\n",
			`{"@timestamp":"NOW","@version":"1","message":"éééé","tags":["_linetoolong"]}` + "\n"},
		{"invalid UTF-8 is a parse failure, as in Logstash", nil, "{\"m\":\"\xe9\"}\n",
			`{"@timestamp":"NOW","@version":"1","message":"{\\\"m\\\":\\\"\\xE9\\\"}","tags":["_jsonparsefailure"]}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaults()
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			c := newCodec(t, cfg, pipeline.Deps{})
			for block := 1; block <= max(1, len(tt.in)); block++ {
				if got := renderAll(decodeAll(c.NewDecoder(), []byte(tt.in), block)); got != tt.want {
					t.Fatalf("blocks of %d:\n got %s\nwant %s", block, got, tt.want)
				}
			}
		})
	}
}

func TestLineTooLong(t *testing.T) {
	const limit, block = 1000, 64
	cfg := defaults()
	cfg.DecodeSizeLimitBytes = limit
	m := &pipeline.Metrics{}
	c := newCodec(t, cfg, pipeline.Deps{Metrics: m})
	dec := c.NewDecoder().(*decoder)
	in := `{"message":"` + strings.Repeat("x", 3*limit) + "\"}\n" + pythonLogstash
	var events []*pipeline.Event
	for i := 0; i < len(in); i += block {
		dec.Decode([]byte(in[i:min(i+block, len(in))]), func(e *pipeline.Event) { events = append(events, e) })
		if n := dec.split.Buffered(); n > limit+block {
			t.Fatalf("decoder holds %d bytes", n)
		}
	}
	if len(events) != 2 || !events[0].HasTag("_linetoolong") || events[0].HasTag("_jsonparsefailure") {
		t.Fatalf("events: %s", renderAll(events))
	}
	if msg, _ := events[0].Message(); len(msg) != limit {
		t.Errorf("message of %d bytes", len(msg))
	}
	if got := m.Counter("linetoolong").Load(); got != 1 {
		t.Errorf("linetoolong = %d", got)
	}
	if got := m.Counter("jsonparsefailure").Load(); got != 0 {
		t.Errorf("jsonparsefailure = %d", got)
	}
}

func TestEncode(t *testing.T) {
	e := pipeline.NewMessageEvent("hello")
	e.SetTimestamp(pipeline.NewTimestamp(time.Date(2015, 12, 7, 11, 37, 0, 0, time.UTC)))
	e.Metadata().Set("hidden", true)
	tests := []struct{ delim, want string }{
		{"\n", `{"@timestamp":"2015-12-07T11:37:00.000Z","@version":"1","message":"hello"}` + "\n"},
		{"|", `{"@timestamp":"2015-12-07T11:37:00.000Z","@version":"1","message":"hello"}|`},
	}
	for _, tt := range tests {
		cfg := defaults()
		cfg.Delimiter = tt.delim
		if got := string(newCodec(t, cfg, pipeline.Deps{}).Encode([]byte("x"), e)); got != "x"+tt.want {
			t.Errorf("delimiter %q: got %q", tt.delim, got)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   func(*Config)
		attrs string
	}{
		{"defaults", nil, ""},
		{"bad target", func(c *Config) { c.Target = "[a" }, "target"},
		{"timestamp target", func(c *Config) { c.Target = "@timestamp" }, "target"},
		{"negative limit", func(c *Config) { c.DecodeSizeLimitBytes = -1 }, "decode_size_limit_bytes"},
		{"empty delimiter and bad ecs", func(c *Config) { c.Delimiter = ""; c.ECSCompatibility = "x" }, "delimiter,ecs_compatibility"},
		{"unknown charset", func(c *Config) { c.Charset = "UTF-9" }, "charset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaults()
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			var attrs []string
			for _, ce := range pipeline.ConfigErrors(cfg.Validate()) {
				attrs = append(attrs, ce.Attr)
			}
			if got := strings.Join(attrs, ","); got != tt.attrs {
				t.Fatalf("errors on %q, want %q", got, tt.attrs)
			}
		})
	}
}

func TestEncodeConcurrent(t *testing.T) {
	c := newCodec(t, defaults(), pipeline.Deps{})
	events := decodeAll(c.NewDecoder(), readTestdata(t, "python-logstash.jsonl"), 4096)
	want := make([]string, len(events))
	for i, e := range events {
		want[i] = string(c.Encode(nil, e))
	}
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			ok := true
			var buf []byte
			for n := 0; n < 200; n++ {
				for i, e := range events {
					buf = c.Encode(buf[:0], e)
					ok = ok && string(buf) == want[i]
				}
			}
			done <- ok
		}()
	}
	for g := 0; g < 8; g++ {
		if !<-done {
			t.Error("concurrent encodes differ")
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	block := []byte(strings.Repeat(pythonLogstash, (64<<10)/len(pythonLogstash)))
	n := len(block) / len(pythonLogstash)
	dec := newCodec(b, defaults(), pipeline.Deps{}).NewDecoder()
	emit := func(*pipeline.Event) {}
	b.SetBytes(int64(len(block)))
	b.ReportAllocs()
	for b.Loop() {
		dec.Decode(block, emit)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
}

func BenchmarkEncode(b *testing.B) {
	c := newCodec(b, defaults(), pipeline.Deps{})
	var e *pipeline.Event
	c.NewDecoder().Decode([]byte(pythonLogstash), func(x *pipeline.Event) { e = x })
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = c.Encode(buf[:0], e)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
