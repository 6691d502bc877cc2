package plain

import (
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

func render(e *pipeline.Event) string {
	e.Remove(pipeline.MustFieldRef("@timestamp"))
	return string(pipeline.AppendEventJSON(nil, e))
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		ecs     string
		charset string
		blocks  []string
		want    []string
	}{
		{"one event per block", "disabled", "", []string{"a\nb", "c"}, []string{
			`{"@version":"1","message":"a\nb"}`,
			`{"@version":"1","message":"c"}`,
		}},
		{"empty block", "disabled", "", []string{""}, []string{`{"@version":"1","message":""}`}},
		// Logstash's charset UTF-8 keeps Ruby's inspect form of the text.
		{"invalid UTF-8 escaped", "disabled", "", []string{"\xff \"q\"\n"}, []string{`{"@version":"1","message":"\\xFF \\\"q\\\"\\n"}`}},
		{"ecs sets event.original", "v1", "", []string{"x"}, []string{`{"@version":"1","message":"x","event":{"original":"x"}}`}},
		{"charset ISO-8859-1", "v1", "ISO-8859-1", []string{"caf\xe9"}, []string{`{"@version":"1","message":"café","event":{"original":"café"}}`}},
		{"charset Windows-1252", "disabled", "cp1252", []string{"\x80 5"}, []string{`{"@version":"1","message":"€ 5"}`}},
		{"charset Shift_JIS", "disabled", "Shift_JIS", []string{"\x93\xfa\x96\x7b"}, []string{`{"@version":"1","message":"日本"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaults()
			if tt.charset != "" {
				cfg.Charset = tt.charset
			}
			c := newCodec(t, cfg, pipeline.Deps{Settings: pipeline.Settings{ECSCompatibility: tt.ecs}})
			dec := c.NewDecoder()
			var got []string
			emit := func(e *pipeline.Event) { got = append(got, render(e)) }
			for _, b := range tt.blocks {
				block := []byte(b)
				dec.Decode(block, emit)
				copy(block, strings.Repeat("X", len(block))) // events must not alias the block
			}
			dec.Flush(emit)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestEncode(t *testing.T) {
	e := pipeline.NewMessageEvent("hello")
	e.SetTimestamp(pipeline.NewTimestamp(time.Date(2026, 11, 24, 23, 8, 4, 0, time.UTC)))
	e.Fields().Set("host", "vm")
	tests := []struct {
		name, format, want string
	}{
		{"to_s", "", "2026-11-24T23:08:04.000Z vm hello"},
		{"format", "%{message}", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaults()
			cfg.Format = tt.format
			if got := string(newCodec(t, cfg, pipeline.Deps{}).Encode(nil, e)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cfg := defaults()
	cfg.ECSCompatibility = "yes"
	cfg.Charset = "UTF-9"
	errs := pipeline.ConfigErrors(cfg.Validate())
	if len(errs) != 2 || errs[0].Attr != "ecs_compatibility" || errs[1].Attr != "charset" {
		t.Fatalf("errors %v", errs)
	}
	if err := defaults().Validate(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkDecode(b *testing.B) {
	data := []byte("<134>Nov 24 23:08:04 vm app[1234]: WARNING Not Found: /missing")
	dec := newCodec(b, defaults(), pipeline.Deps{}).NewDecoder()
	emit := func(*pipeline.Event) {}
	b.ReportAllocs()
	for b.Loop() {
		dec.Decode(data, emit)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkEncode(b *testing.B) {
	e := pipeline.NewMessageEvent("Not Found: /missing")
	e.Fields().Set("host", "vm")
	c := newCodec(b, defaults(), pipeline.Deps{})
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = c.Encode(buf[:0], e)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
