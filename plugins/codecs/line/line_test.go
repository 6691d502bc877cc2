package line

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

func newCodec(t testing.TB, cfg *Config, d pipeline.Deps) *Codec {
	t.Helper()
	c, err := build(cfg, d)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return c.(*Codec)
}

// render shows an event without its @timestamp, which is the time of
// decoding.
func render(e *pipeline.Event) string {
	e.Remove(pipeline.MustFieldRef("@timestamp"))
	return string(pipeline.AppendEventJSON(nil, e))
}

func decodeAll(dec pipeline.Decoder, in string, block int) []string {
	var out []string
	emit := func(e *pipeline.Event) { out = append(out, render(e)) }
	for i := 0; i < len(in); i += block {
		dec.Decode([]byte(in[i:min(i+block, len(in))]), emit)
	}
	dec.Flush(emit)
	return out
}

func TestDecode(t *testing.T) {
	disabled := pipeline.Deps{Settings: pipeline.Settings{ECSCompatibility: "disabled"}}
	tests := []struct {
		name string
		cfg  func(*Config)
		deps pipeline.Deps
		in   string
		want []string
	}{
		{"lines", nil, disabled, "hello world\nsecond\n", []string{
			`{"@version":"1","message":"hello world"}`,
			`{"@version":"1","message":"second"}`,
		}},
		{"partial last line flushed", nil, disabled, "a\nb", []string{
			`{"@version":"1","message":"a"}`,
			`{"@version":"1","message":"b"}`,
		}},
		{"carriage return kept", nil, disabled, "a\r\n", []string{`{"@version":"1","message":"a\r"}`}},
		{"empty line", nil, disabled, "\n", []string{`{"@version":"1","message":""}`}},
		{"custom delimiter", func(c *Config) { c.Delimiter = "|" }, disabled, "line1|line2\n|line3|", []string{
			`{"@version":"1","message":"line1"}`,
			`{"@version":"1","message":"line2\n"}`,
			`{"@version":"1","message":"line3"}`,
		}},
		{"multi-byte delimiter", func(c *Config) { c.Delimiter = "\r\n" }, disabled, "a\r\nb\nc\r\n", []string{
			`{"@version":"1","message":"a"}`,
			`{"@version":"1","message":"b\nc"}`,
		}},
		{"invalid UTF-8 escaped as Logstash", nil, disabled, "M\xfcnchen\n", []string{`{"@version":"1","message":"M\\xFCnchen"}`}},
		{"charset ISO-8859-1", func(c *Config) { c.Charset = "ISO-8859-1" }, disabled, "M\xfcnchen\ncaf\xe9", []string{
			`{"@version":"1","message":"München"}`,
			`{"@version":"1","message":"café"}`,
		}},
		{"charset Windows-1252", func(c *Config) { c.Charset = "Windows-1252" }, disabled, "\x80 5\n", []string{`{"@version":"1","message":"€ 5"}`}},
		{"charset UTF-16LE", func(c *Config) { c.Charset = "UTF-16LE"; c.Delimiter = "\n\x00" }, disabled, "h\x00\xe9\x00\n\x00", []string{`{"@version":"1","message":"hé"}`}},
		{"ecs v8 sets event.original", nil, pipeline.Deps{Settings: pipeline.Settings{ECSCompatibility: "v8"}}, "München\n", []string{
			`{"@version":"1","message":"München","event":{"original":"München"}}`,
		}},
		{"ecs default is v8", nil, pipeline.Deps{}, "x\n", []string{
			`{"@version":"1","message":"x","event":{"original":"x"}}`,
		}},
		{"option overrides pipeline", func(c *Config) { c.ECSCompatibility = "disabled" }, pipeline.Deps{Settings: pipeline.Settings{ECSCompatibility: "v1"}}, "x\n", []string{
			`{"@version":"1","message":"x"}`,
		}},
		{"too long", func(c *Config) { c.DecodeSizeLimitBytes = 5 }, disabled, "0123456789\nok\n", []string{
			`{"@version":"1","message":"01234","tags":["_linetoolong"]}`,
			`{"@version":"1","message":"ok"}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaults()
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			c := newCodec(t, cfg, tt.deps)
			for block := 1; block <= len(tt.in); block++ {
				got := decodeAll(c.NewDecoder(), tt.in, block)
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Fatalf("blocks of %d:\n got %s\nwant %s", block, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
				}
			}
		})
	}
}

func TestDecodeDoesNotAliasInput(t *testing.T) {
	c := newCodec(t, defaults(), pipeline.Deps{})
	dec := c.NewDecoder()
	block := []byte("abc\ndef")
	var events []*pipeline.Event
	emit := func(e *pipeline.Event) { events = append(events, e) }
	dec.Decode(block, emit)
	copy(block, "XXXXXXX")
	dec.Decode([]byte("\n"), emit)
	for i, want := range []string{"abc", "def"} {
		if msg, _ := events[i].Message(); msg != want {
			t.Errorf("event %d: message %q, want %q", i, msg, want)
		}
		if orig, _ := events[i].GetString(pipeline.MustFieldRef("[event][original]")); orig != want {
			t.Errorf("event %d: [event][original] %q, want %q", i, orig, want)
		}
	}
}

// TestLineTooLong feeds a line of three times the limit in small blocks:
// the decoder never holds more than the limit and a block, the event has
// the first limit bytes and the tag, and the counter counts it.
func TestLineTooLong(t *testing.T) {
	const limit, block = 4096, 100
	cfg := defaults()
	cfg.DecodeSizeLimitBytes = limit
	m := &pipeline.Metrics{}
	c := newCodec(t, cfg, pipeline.Deps{Metrics: m, Settings: pipeline.Settings{ECSCompatibility: "disabled"}})
	dec := c.NewDecoder().(*decoder)
	long := strings.Repeat("0123456789", 3*limit/10+1)
	in := "first\n" + long + "\nlast\n"
	var events []*pipeline.Event
	emit := func(e *pipeline.Event) { events = append(events, e) }
	for i := 0; i < len(in); i += block {
		dec.Decode([]byte(in[i:min(i+block, len(in))]), emit)
		if n := dec.split.Buffered(); n > limit+block {
			t.Fatalf("after %d bytes the decoder holds %d bytes", i+block, n)
		}
		if n := dec.split.BufferCap(); n > limit+block {
			t.Fatalf("after %d bytes the decoder's buffer has capacity %d", i+block, n)
		}
	}
	dec.Flush(emit)
	if len(events) != 3 {
		t.Fatalf("got %d events, want 3", len(events))
	}
	msg, _ := events[1].Message()
	if msg != long[:limit] || !events[1].HasTag("_linetoolong") {
		t.Errorf("long line event: message of %d bytes, tags %v", len(msg), events[1].Tags())
	}
	for _, i := range []int{0, 2} {
		if events[i].HasTag("_linetoolong") {
			t.Errorf("event %d tagged", i)
		}
	}
	if msg, _ := events[2].Message(); msg != "last" {
		t.Errorf("event after the long line: %q", msg)
	}
	if n := m.Counter("linetoolong").Load(); n != 1 {
		t.Errorf("linetoolong counter = %d, want 1", n)
	}
}

func TestEncode(t *testing.T) {
	ts := pipeline.NewTimestamp(time.Date(2026, 11, 24, 23, 8, 4, 232e6, time.UTC))
	event := func(fields ...any) *pipeline.Event {
		e := pipeline.NewEvent()
		e.SetTimestamp(ts)
		for i := 0; i < len(fields); i += 2 {
			e.Fields().Set(fields[i].(string), fields[i+1])
		}
		return e
	}
	host := pipeline.NewMap(2)
	host.Set("name", "vm")
	host.Set("ip", []any{"10.0.0.5", "::1"})
	tests := []struct {
		name string
		cfg  func(*Config)
		e    *pipeline.Event
		want string
	}{
		{"to_s", nil, event("message", "hello world", "host", "test"), "2026-11-24T23:08:04.232Z test hello world\n"},
		{"to_s without host", nil, event("message", "hello"), "2026-11-24T23:08:04.232Z %{host} hello\n"},
		{"to_s without message", nil, event("host", "vm"), "2026-11-24T23:08:04.232Z vm %{message}\n"},
		{"to_s null host", nil, event("host", nil, "message", "m"), "2026-11-24T23:08:04.232Z %{host} m\n"},
		{"to_s non-string values", nil, event("host", host, "message", int64(42)), "2026-11-24T23:08:04.232Z {name=vm, ip=[10.0.0.5, ::1]} 42\n"},
		{"custom delimiter", func(c *Config) { c.Delimiter = "|" }, event("message", "m", "host", "h"), "2026-11-24T23:08:04.232Z h m|"},
		{"format", func(c *Config) { c.Format = "%{host}: %{message}" }, event("message", "m", "host", "h"), "h: m\n"},
		{"format with a missing field", func(c *Config) { c.Format = "%{nope} %{message}" }, event("message", "m"), "%{nope} m\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaults()
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			c := newCodec(t, cfg, pipeline.Deps{})
			prefix := []byte("prefix:")
			got := string(c.Encode(prefix, tt.e))
			if got != "prefix:"+tt.want {
				t.Errorf("got %q, want %q", got, "prefix:"+tt.want)
			}
		})
	}
	t.Run("no timestamp", func(t *testing.T) {
		e := event("message", "m", "host", "h")
		e.Remove(pipeline.MustFieldRef("@timestamp"))
		if got := string(newCodec(t, defaults(), pipeline.Deps{}).Encode(nil, e)); got != "h m\n" {
			t.Errorf("got %q", got)
		}
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   func(*Config)
		attrs []string
	}{
		{"defaults", nil, nil},
		{"empty delimiter", func(c *Config) { c.Delimiter = "" }, []string{"delimiter"}},
		{"zero limit", func(c *Config) { c.DecodeSizeLimitBytes = 0 }, []string{"decode_size_limit_bytes"}},
		{"bad ecs", func(c *Config) { c.ECSCompatibility = "v9" }, []string{"ecs_compatibility"}},
		{"several", func(c *Config) { c.Delimiter = ""; c.ECSCompatibility = "on" }, []string{"delimiter", "ecs_compatibility"}},
		{"unknown charset", func(c *Config) { c.Charset = "Latin-99" }, []string{"charset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaults()
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			err := cfg.Validate()
			var attrs []string
			for _, ce := range pipeline.ConfigErrors(err) {
				attrs = append(attrs, ce.Attr)
			}
			if strings.Join(attrs, ",") != strings.Join(tt.attrs, ",") {
				t.Fatalf("errors on %v, want %v (%v)", attrs, tt.attrs, err)
			}
			if _, err := build(cfg, pipeline.Deps{}); (err != nil) != (len(tt.attrs) > 0) {
				t.Fatalf("build error %v", err)
			}
			var ce *pipeline.ConfigError
			if err != nil && !errors.As(err, &ce) {
				t.Fatalf("%T is not a ConfigError", err)
			}
		})
	}
}

func TestPlugin(t *testing.T) {
	p := Plugin()
	if p.Kind != pipeline.KindCodec || p.Name != "line" {
		t.Fatalf("plugin %v %q", p.Kind, p.Name)
	}
	cfg := p.NewConfig().(*Config)
	if cfg.Delimiter != "\n" || cfg.DecodeSizeLimitBytes != 16777216 {
		t.Fatalf("defaults %+v", cfg)
	}
	if _, err := p.Build(cfg, pipeline.Deps{}); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkDecode(b *testing.B) {
	line := "Nov 24 23:08:04 vm django.request[1234]: WARNING Not Found: /missing status_code=404\n"
	block := []byte(strings.Repeat(line, (64<<10)/len(line)))
	n := len(block) / len(line)
	c := newCodec(b, defaults(), pipeline.Deps{Settings: pipeline.Settings{ECSCompatibility: "disabled"}})
	dec := c.NewDecoder()
	emit := func(*pipeline.Event) {}
	b.SetBytes(int64(len(block)))
	b.ReportAllocs()
	for b.Loop() {
		dec.Decode(block, emit)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkEncode(b *testing.B) {
	e := pipeline.NewMessageEvent("Not Found: /missing")
	e.Fields().Set("host", "vm")
	for _, bc := range []struct {
		name   string
		format string
	}{{"to_s", ""}, {"format", "%{host} %{message}"}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := defaults()
			cfg.Format = bc.format
			c := newCodec(b, cfg, pipeline.Deps{})
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				buf = c.Encode(buf[:0], e)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
