package rubydebug

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const pythonLogstash = `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing", "host": "vm", "path": "/srv/app/capture.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/missing'>"}`

func newCodec(t testing.TB, cfg *Config, d pipeline.Deps) *Codec {
	t.Helper()
	c, err := build(cfg, d)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return c.(*Codec)
}

func fromJSON(t testing.TB, s string) *pipeline.Event {
	t.Helper()
	var d pipeline.JSONDecoder
	var e *pipeline.Event
	if err := d.DecodeEvents([]byte(s), func(x *pipeline.Event) { e = x }); err != nil {
		t.Fatal(err)
	}
	return e
}

func mapOf(kv ...any) *pipeline.Map {
	m := pipeline.NewMap(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return m
}

// testEvents are the events of the golden files.
func testEvents(t testing.TB) []*pipeline.Event {
	ts := pipeline.NewTimestamp(time.Date(2026, 11, 24, 23, 8, 4, 232e6, time.UTC))

	nested := pipeline.NewEvent()
	nested.SetTimestamp(ts)
	nested.Fields().Set("message", "x")
	nested.Fields().Set("tags", []any{"_grokparsefailure", "_jsonparsefailure"})
	nested.Fields().Set("n", 1.5)
	nested.Fields().Set("ok", true)
	nested.Fields().Set("host", mapOf("name", "vm", "ip", []any{"10.0.0.5", "::1"}, "os", mapOf("family", "debian", "kernel", mapOf())))
	nested.Fields().Set("requests", []any{
		mapOf("method", "GET", "status", int64(200), "headers", mapOf("accept", "*/*")),
		mapOf(),
		[]any{int64(1), []any{}, nil},
	})
	list := make([]any, 12)
	for i := range list {
		list[i] = int64(i * i)
	}
	nested.Fields().Set("squares", list)
	nested.Metadata().Set("input", mapOf("tcp", mapOf("source", mapOf("name", "10.0.0.5", "ip", "10.0.0.5", "port", int64(51234)))))

	values := pipeline.NewEvent()
	values.SetTimestamp(pipeline.NewTimestamp(time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)))
	values.Fields().Set("floats", []any{1.5, 2.0, 1e20, 1e15, 123456789.125, 0.0001, 1e-5, math.Copysign(0, -1), 1.0 / 3, math.MaxFloat64, 5e-324})
	values.Fields().Set("ints", []any{int64(0), int64(-7), int64(math.MaxInt64)})
	values.Fields().Set("bools", []any{true, false, nil})
	values.Fields().Set("unicode", "caf\u00e9 \u65e5\u672c \U0001F600 \u00a0nbsp \u200bzwsp")
	values.Fields().Set("escapes", "quote\" backslash\\ nl\n tab\t cr\r esc\x1b bell\a nul\x00 del\x7f #{x} #$y #@z #ok \u2028 \u0085 \u0378 \xff")
	values.Fields().Set("clé \"quoted\"", "key with escapes and accents")
	values.Fields().Set("when", pipeline.NewTimestamp(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
	values.Fields().Set("empty", "")

	bare := pipeline.NewEvent()
	bare.Remove(pipeline.MustFieldRef("@timestamp"))
	bare.Remove(pipeline.MustFieldRef("@version"))

	return []*pipeline.Event{fromJSON(t, pythonLogstash), nested, values, bare}
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

func TestEncodeGolden(t *testing.T) {
	tests := []struct {
		file     string
		metadata bool
		terminal bool
	}{
		{"events.golden", false, false},
		{"events-metadata.golden", true, false},
		{"events-color.golden", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := newCodec(t, &Config{Metadata: tt.metadata}, pipeline.Deps{IsTerminal: tt.terminal})
			var out []byte
			for _, e := range testEvents(t) {
				out = c.Encode(out, e)
			}
			golden(t, tt.file, out)
		})
	}
}

// TestLogstashSample checks the layout against output of Logstash's
// amazing_print (the python-logstash event as the tcp input leaves it with
// ECS off).
func TestLogstashSample(t *testing.T) {
	const want = `{
     "@timestamp" => 2026-11-24T23:08:04.232Z,
       "@version" => "1",
        "message" => "Not Found: /missing",
           "host" => "vm",
           "port" => 51234,
           "path" => "/usr/lib/python3/dist-packages/django/utils/log.py",
           "tags" => [],
           "type" => "logstash",
          "level" => "WARNING",
    "logger_name" => "django.request",
       "taskName" => nil,
    "status_code" => 404,
        "request" => "<WSGIRequest: GET '/missing'>"
}
{
      "message" => "x",
         "tags" => [
        [0] "_grokparsefailure",
        [1] "_jsonparsefailure"
    ],
            "n" => 1.5,
           "ok" => true,
    "@metadata" => {
        "input" => {
            "tcp" => {
                "source" => {
                    "name" => "10.0.0.5",
                      "ip" => "10.0.0.5",
                    "port" => 51234
                }
            }
        }
    }
}
`
	first := fromJSON(t, `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing", "host": "vm", "port": 51234, "path": "/usr/lib/python3/dist-packages/django/utils/log.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/missing'>"}`)
	second := fromJSON(t, `{"message": "x", "tags": ["_grokparsefailure", "_jsonparsefailure"], "n": 1.5, "ok": true,
		"@metadata": {"input": {"tcp": {"source": {"name": "10.0.0.5", "ip": "10.0.0.5", "port": 51234}}}}}`)
	second.Remove(pipeline.MustFieldRef("@timestamp"))
	second.Remove(pipeline.MustFieldRef("@version"))
	c := newCodec(t, &Config{Metadata: true}, pipeline.Deps{})
	got := c.Encode(c.Encode(nil, first), second)
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestMetadataOnlyWhenPresent(t *testing.T) {
	e := pipeline.NewMessageEvent("m")
	e.Remove(pipeline.MustFieldRef("@timestamp"))
	e.Metadata() // created but empty: Logstash prints no @metadata key
	c := newCodec(t, &Config{Metadata: true}, pipeline.Deps{})
	want := "{\n    \"@version\" => \"1\",\n     \"message\" => \"m\"\n}\n"
	if got := string(c.Encode(nil, e)); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestInspect(t *testing.T) {
	// Each want is what Ruby's String#inspect prints for a UTF-8 string.
	tests := []struct{ in, want string }{
		{`a"b\c`, `"a\"b\\c"`},
		{"\n\t\r\f\v\b\a\x1b", `"\n\t\r\f\v\b\a\e"`},
		{"\x01\x1f\x7f", `"\u0001\u001F\u007F"`},
		{"#{x} #$y #@z #a #", `"\#{x} \#$y \#@z #a #"`},
		{"\u200b\ufeff\u00ad\u00a0\ue000\u0085\u3000", "\"\u200b\ufeff\u00ad\u00a0\ue000\u0085\u3000\""},
		{"\u2028\u2029\u0080\u009f\u0378\uffff", `"\u2028\u2029\u0080\u009F\u0378\uFFFF"`},
		{"\U0001F600\U000E0001\U000F0000", "\"\U0001F600\U000E0001\U000F0000\""},
		{"\U0010FFFF\U0001FFFE", `"\u{10FFFF}\u{1FFFE}"`},
		{"\xff\xfeab", `"\xFF\xFEab"`},
		{"é日本", `"é日本"`},
	}
	for _, tt := range tests {
		got := string(appendInspect(nil, tt.in))
		if got != tt.want {
			t.Errorf("inspect(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if w := inspectWidth(tt.in); w != len([]rune(got)) {
			t.Errorf("inspectWidth(%q) = %d, want %d", tt.in, w, len([]rune(got)))
		}
	}
}

func TestDecodeIsPlain(t *testing.T) {
	c := newCodec(t, defaults(), pipeline.Deps{Settings: pipeline.Settings{ECSCompatibility: "disabled"}})
	var got []string
	dec := c.NewDecoder()
	dec.Decode([]byte("a\nb"), func(e *pipeline.Event) { m, _ := e.Message(); got = append(got, m) })
	dec.Flush(func(*pipeline.Event) { t.Error("flush emitted") })
	if len(got) != 1 || got[0] != "a\nb" {
		t.Errorf("got %q", got)
	}
}

func BenchmarkEncode(b *testing.B) {
	c := newCodec(b, defaults(), pipeline.Deps{})
	e := fromJSON(b, pythonLogstash)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = c.Encode(buf[:0], e)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
