package codecutil_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/codecs/json"
	"github.com/pipeproject/pipe/plugins/codecs/jsonlines"
	"github.com/pipeproject/pipe/plugins/codecs/line"
	"github.com/pipeproject/pipe/plugins/codecs/plain"
	"github.com/pipeproject/pipe/plugins/codecs/rubydebug"
	"github.com/pipeproject/pipe/plugins/inputs/stdin"
	"github.com/pipeproject/pipe/plugins/outputs/stdout"
)

func registry() *pipeline.Registry {
	return pipeline.NewRegistry(stdin.Plugin(), stdout.Plugin(), plain.Plugin(), line.Plugin(),
		json.Plugin(), jsonlines.Plugin(), rubydebug.Plugin())
}

func load(t *testing.T, name, text string) (*pipeline.Spec, conf.Diagnostics) {
	t.Helper()
	return conf.Load([]conf.Source{{Name: name, Data: []byte(text)}}, registry(), conf.Options{})
}

// outputCodec loads an HCL pipeline whose stdout output has the given
// codec block and builds that codec.
func outputCodec(t *testing.T, codec string) pipeline.Codec {
	t.Helper()
	spec, diags := load(t, "test.hcl", "input { stdin {} }\noutput {\n  stdout {\n    "+codec+"\n  }\n}\n")
	if diags.HasErrors() {
		t.Fatalf("config does not load: %v", diags)
	}
	c, err := spec.Outputs[0].(*pipeline.PluginSpec).Codec.Build(pipeline.Deps{
		Metrics: &pipeline.Metrics{}, Settings: pipeline.Settings{ECSCompatibility: "disabled"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCodecCharsets decodes through each of the four codecs, built from
// HCL, with charset conversions and the default's handling of invalid
// UTF-8.
func TestCodecCharsets(t *testing.T) {
	tests := []struct {
		codec, charset string
		in             string
		field          string
		want           []string
	}{
		{"plain", "ISO-8859-1", "caf\xe9", "message", []string{"café"}},
		{"plain", "Windows-1252", "\x80 5", "message", []string{"€ 5"}},
		{"plain", "", "caf\xe9 \"x\"", "message", []string{`caf\xE9 \"x\"`}},
		{"line", "ISO-8859-1", "caf\xe9\nna\xefve\n", "message", []string{"café", "naïve"}},
		{"line", "cp1252", "\x80\nok\n", "message", []string{"€", "ok"}},
		{"line", "", "caf\xe9\nok\n", "message", []string{`caf\xE9`, "ok"}},
		{"json", "ISO-8859-1", `{"m":"caf` + "\xe9" + `"}`, "m", []string{"café"}},
		{"json", "Windows-1252", `{"m":"` + "\x80" + `"}`, "m", []string{"€"}},
		{"json", "", `{"m":"caf` + "\xe9" + `"}`, "message", []string{`{\"m\":\"caf\xE9\"}`}},
		{"json_lines", "latin1", `{"m":"caf` + "\xe9" + "\"}\n" + `{"m":"x"}` + "\n", "m", []string{"café", "x"}},
		{"json_lines", "Windows-1252", `{"m":"` + "\x80" + "\"}\n", "m", []string{"€"}},
		{"json_lines", "", `{"m":"caf` + "\xe9" + "\"}\n", "message", []string{`{\"m\":\"caf\xE9\"}`}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%q", tt.codec, tt.charset, tt.in), func(t *testing.T) {
			block := "codec = " + fmt.Sprintf("%q", tt.codec)
			if tt.charset != "" {
				block = fmt.Sprintf("codec %q {\n      charset = %q\n    }", tt.codec, tt.charset)
			}
			dec := outputCodec(t, block).NewDecoder()
			var got []string
			emit := func(e *pipeline.Event) {
				v, _ := e.Get(pipeline.MustFieldRef(tt.field))
				s, _ := v.(string)
				got = append(got, s)
				if tt.charset == "" && e.HasTag("_jsonparsefailure") != (tt.field == "message" && tt.codec[:4] == "json") {
					t.Errorf("tags %v", e.Tags())
				}
			}
			dec.Decode([]byte(tt.in), emit)
			dec.Flush(emit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCharsetConfigErrors checks that an unknown charset is a config error
// at the option's line, in HCL and in Logstash's language.
func TestCharsetConfigErrors(t *testing.T) {
	for _, codec := range []string{"plain", "line", "json", "json_lines"} {
		tests := []struct {
			file, text string
			line       int
		}{
			{"x.hcl", "input {\n  stdin {\n    codec " + `"` + codec + `"` + " {\n      charset = \"UTF-9\"\n    }\n  }\n}\noutput { stdout {} }\n", 4},
			{"x.conf", "input {\n  stdin {\n    codec => " + codec + " {\n\n      charset => \"UTF-9\"\n    }\n  }\n}\noutput { stdout {} }\n", 5},
		}
		for _, tt := range tests {
			t.Run(codec+"/"+tt.file, func(t *testing.T) {
				_, diags := load(t, tt.file, tt.text)
				if !diags.HasErrors() {
					t.Fatal("loaded")
				}
				d := diags[0]
				if len(diags) != 1 || d.File != tt.file || d.Line != tt.line ||
					!strings.Contains(d.Summary+d.Detail, `"UTF-9"`) || !strings.Contains(d.Detail, `"ISO-8859-1"`) {
					t.Errorf("diagnostics: %v", diags)
				}
			})
		}
	}
}

// TestLogstashConfCharset loads Logstash configs that set charset, which
// pipe rejected before the option existed.
func TestLogstashConfCharset(t *testing.T) {
	tests := []struct {
		name, text string
		want       string
	}{
		{"json_lines UTF-8", `input { stdin { codec => json_lines { charset => "UTF-8" } } } output { stdout { codec => json_lines } }`, "UTF-8"},
		{"plain latin1", "input {\n  stdin {\n    codec => plain {\n      charset => \"ISO-8859-1\"\n    }\n  }\n}\noutput { stdout {} }\n", "ISO-8859-1"},
		{"line CP1252", `input { stdin { codec => line { charset => "CP1252" delimiter => "\r\n" } } } output { stdout {} }`, "CP1252"},
		{"json nxlog", `input { stdin { codec => json { charset => "CP1252" } } } output { stdout {} }`, "CP1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, diags := load(t, "x.conf", tt.text)
			if diags.HasErrors() {
				t.Fatalf("does not load: %v", diags)
			}
			var got string
			switch c := spec.Inputs[0].Codec.Config.(type) {
			case *plain.Config:
				got = c.Charset
			case *line.Config:
				got = c.Charset
			case *json.Config:
				got = c.Charset
			case *jsonlines.Config:
				got = c.Charset
			default:
				t.Fatalf("codec config %T", c)
			}
			if got != tt.want {
				t.Errorf("charset %q, want %q", got, tt.want)
			}
			if _, err := spec.Inputs[0].Codec.Build(pipeline.Deps{}); err != nil {
				t.Errorf("build: %v", err)
			}
		})
	}
}

// charsetConfig is what a stream input's switch from plain to line (json
// to json_lines) needs to carry the charset over, as Logstash does.
type charsetConfig interface {
	CodecCharset() string
	SetCodecCharset(string)
}

func TestCharsetCarriedOver(t *testing.T) {
	pairs := []struct {
		from, to pipeline.Plugin
		want     string
	}{
		{plain.Plugin(), line.Plugin(), `{"m":"café"}`},
		{json.Plugin(), jsonlines.Plugin(), "café"},
	}
	for _, p := range pairs {
		t.Run(p.from.Name, func(t *testing.T) {
			from, ok := p.from.NewConfig().(charsetConfig)
			if !ok {
				t.Fatalf("%s config has no CodecCharset", p.from.Name)
			}
			if from.CodecCharset() != "UTF-8" {
				t.Errorf("default %q", from.CodecCharset())
			}
			from.SetCodecCharset("ISO-8859-1")
			to := p.to.NewConfig()
			to.(charsetConfig).SetCodecCharset(from.CodecCharset())
			c, err := (&pipeline.CodecSpec{Plugin: p.to, Config: to}).Build(pipeline.Deps{})
			if err != nil {
				t.Fatal(err)
			}
			var got string
			dec := c.NewDecoder()
			emit := func(e *pipeline.Event) {
				if v, ok := e.Get(pipeline.MustFieldRef("m")); ok {
					got, _ = v.(string)
				} else {
					got, _ = e.Message()
				}
			}
			dec.Decode([]byte(`{"m":"caf`+"\xe9"+`"}`+"\n"), emit)
			dec.Flush(emit)
			if got != p.want {
				t.Errorf("got %q", got)
			}
		})
	}
}
