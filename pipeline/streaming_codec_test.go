package pipeline

import "testing"

type charsetCfg struct{ charset, delimiter string }

func (c *charsetCfg) CodecCharset() string     { return c.charset }
func (c *charsetCfg) SetCodecCharset(v string) { c.charset = v }

// TestStreamingCodec: a stream input gets line for plain and json_lines
// for json, with the new codec's defaults but the charset kept (as
// Logstash's fix_streaming_codecs); other codecs and datagram inputs keep
// theirs.
func TestStreamingCodec(t *testing.T) {
	codec := func(name string) Plugin {
		return NewCodecPlugin(name, "", func() *charsetCfg { return &charsetCfg{charset: "UTF-8", delimiter: "\n"} },
			func(*charsetCfg, Deps) (Codec, error) { return nil, nil })
	}
	reg := NewRegistry(codec("plain"), codec("line"), codec("json"), codec("json_lines"), codec("rubydebug"))
	stream := Plugin{Kind: KindInput, Name: "tcp", StreamCodec: true}
	datagram := Plugin{Kind: KindInput, Name: "udp"}
	spec := func(name, charset string) *CodecSpec {
		p, _ := reg.Lookup(KindCodec, name)
		return &CodecSpec{Plugin: p, Config: &charsetCfg{charset: charset, delimiter: "|"}}
	}
	for _, tc := range []struct {
		name     string
		input    Plugin
		in       *CodecSpec
		want     string
		switched bool
		charset  string
	}{
		{"plain to line", stream, spec("plain", "ISO-8859-1"), "line", true, "ISO-8859-1"},
		{"json to json_lines", stream, spec("json", "CP1252"), "json_lines", true, "CP1252"},
		{"rubydebug stays", stream, spec("rubydebug", "UTF-8"), "rubydebug", false, "UTF-8"},
		{"datagram input keeps plain", datagram, spec("plain", "ISO-8859-1"), "plain", false, "ISO-8859-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, switched := reg.StreamingCodec(tc.input, tc.in)
			if got.Plugin.Name != tc.want || switched != tc.switched {
				t.Fatalf("got %s (switched %v), want %s (%v)", got.Plugin.Name, switched, tc.want, tc.switched)
			}
			cfg := got.Config.(*charsetCfg)
			if cfg.charset != tc.charset {
				t.Errorf("charset %q, want %q", cfg.charset, tc.charset)
			}
			if switched && cfg.delimiter != "\n" {
				t.Errorf("the switched codec has delimiter %q, want its default", cfg.delimiter)
			}
		})
	}
}
