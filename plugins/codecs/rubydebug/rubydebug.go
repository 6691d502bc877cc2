// Package rubydebug is the rubydebug codec, the stdout output's default: it
// prints each event the way Logstash does through Ruby's amazing_print,
// one multi-line hash per event:
//
//	{
//	     "@timestamp" => 2026-11-24T23:08:04.232Z,
//	       "@version" => "1",
//	        "message" => "Not Found: /missing",
//	    "status_code" => 404
//	}
//
// Keys are right-aligned to the widest key of their hash, each level is
// indented by four spaces, arrays print one "[i] value" per line, strings
// are quoted with Ruby's String#inspect escapes and floats print as Ruby's
// Float#to_s. Colours (amazing_print's palette) are used only when the
// output is a terminal. @metadata is printed last when the metadata option
// is set.
//
// Logstash cannot decode rubydebug; here decoding behaves as the plain
// codec (one event per block, the text in message).
package rubydebug

import (
	"iter"
	"strconv"
	"unicode/utf8"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/codecs/internal/codecutil"
)

// Name is the codec's name in configs.
const Name = "rubydebug"

// Config holds the rubydebug codec's options.
type Config struct {
	// Metadata prints the event's @metadata too, as the last key.
	Metadata bool `hcl:"metadata,optional"`
}

func defaults() *Config { return &Config{} }

// Validate checks the options (there is nothing that can be wrong).
func (c *Config) Validate() error { return nil }

// Plugin describes the rubydebug codec for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewCodecPlugin(Name, "events printed as Logstash's Ruby debug hash", defaults, build)
}

func build(cfg *Config, d pipeline.Deps) (pipeline.Codec, error) {
	return &Codec{
		metadata: cfg.Metadata,
		color:    d.IsTerminal,
		original: codecutil.ECSEnabled("", d.Settings),
	}, nil
}

// Codec is the rubydebug codec. It is immutable and safe for concurrent
// use.
type Codec struct {
	metadata bool
	color    bool
	original bool
}

var _ pipeline.Codec = (*Codec)(nil)

// NewDecoder returns a plain decoder (Logstash has no rubydebug decoder):
// one event per Decode call with the data as message.
func (c *Codec) NewDecoder() pipeline.Decoder {
	return codecutil.PlainDecoder{Original: c.original}
}

// ANSI colours of amazing_print's default palette.
const (
	colorReset   = "\x1b[0m"
	colorString  = "\x1b[0;33m" // yellowish
	colorNumber  = "\x1b[1;34m" // blue: integers and floats
	colorTrue    = "\x1b[1;32m" // green
	colorFalse   = "\x1b[1;31m" // red
	colorNil     = "\x1b[1;31m" // red
	colorHashSep = "\x1b[0;37m" // whiteish: the " => " between key and value
	colorIndex   = "\x1b[1;37m" // white: the "[i] " before an array element
)

// indentStep is amazing_print's default indent.
const indentStep = 4

// Encode appends the event as amazing_print shows Logstash's event hash,
// and a newline.
func (c *Codec) Encode(dst []byte, e *pipeline.Event) []byte {
	withMeta := c.metadata && e.HasMetadata()
	ts, hasTS := e.Timestamp()
	fields := e.Fields()
	n := fields.Len()
	if hasTS {
		n++
	}
	if withMeta {
		n++
	}
	entries := func(yield func(string, any) bool) {
		if hasTS && !yield(pipeline.TimestampField, ts) {
			return
		}
		cont := true
		fields.Range(func(k string, v any) bool {
			cont = yield(k, v)
			return cont
		})
		if cont && withMeta {
			yield(pipeline.MetadataField, e.Metadata())
		}
	}
	p := printer{color: c.color}
	dst = p.hash(dst, n, entries, indentStep)
	return append(dst, '\n')
}

// printer writes values in amazing_print's layout.
type printer struct {
	color bool
}

// hash writes a hash of n entries whose keys are printed at indent (the
// first level is at 4): keys right-aligned to the widest, values one level
// deeper, the closing brace one level out.
func (p printer) hash(dst []byte, n int, entries iter.Seq2[string, any], indent int) []byte {
	if n == 0 {
		return append(dst, "{}"...)
	}
	width := 0
	for k := range entries {
		width = max(width, inspectWidth(k))
	}
	width += indent
	dst = append(dst, "{\n"...)
	first := true
	for k, v := range entries {
		if !first {
			dst = append(dst, ",\n"...)
		}
		first = false
		dst = appendSpaces(dst, width-inspectWidth(k))
		dst = appendInspect(dst, k)
		if p.color {
			dst = append(dst, colorHashSep+" => "+colorReset...)
		} else {
			dst = append(dst, " => "...)
		}
		dst = p.value(dst, v, indent+indentStep)
	}
	dst = append(dst, '\n')
	dst = appendSpaces(dst, indent-indentStep)
	return append(dst, '}')
}

// array writes a list whose elements are printed at indent, each after its
// index right-aligned to the widest index.
func (p printer) array(dst []byte, l []any, indent int) []byte {
	if len(l) == 0 {
		return append(dst, "[]"...)
	}
	width := decimalWidth(len(l) - 1)
	dst = append(dst, "[\n"...)
	for i, x := range l {
		if i > 0 {
			dst = append(dst, ",\n"...)
		}
		dst = appendSpaces(dst, indent)
		if p.color {
			dst = append(dst, colorIndex...)
		}
		dst = append(dst, '[')
		dst = appendSpaces(dst, width-decimalWidth(i))
		dst = strconv.AppendInt(dst, int64(i), 10)
		dst = append(dst, "] "...)
		if p.color {
			dst = append(dst, colorReset...)
		}
		dst = p.value(dst, x, indent+indentStep)
	}
	dst = append(dst, '\n')
	dst = appendSpaces(dst, indent-indentStep)
	return append(dst, ']')
}

// value writes one value; nested hashes and arrays are laid out at indent.
func (p printer) value(dst []byte, v any, indent int) []byte {
	switch t := v.(type) {
	case nil:
		return p.colored(dst, colorNil, "nil")
	case string:
		if p.color {
			dst = append(dst, colorString...)
		}
		dst = appendInspect(dst, t)
		if p.color {
			dst = append(dst, colorReset...)
		}
		return dst
	case int64:
		if p.color {
			dst = append(dst, colorNumber...)
		}
		dst = strconv.AppendInt(dst, t, 10)
		if p.color {
			dst = append(dst, colorReset...)
		}
		return dst
	case float64:
		if p.color {
			dst = append(dst, colorNumber...)
		}
		dst = pipeline.AppendRubyFloat(dst, t)
		if p.color {
			dst = append(dst, colorReset...)
		}
		return dst
	case bool:
		if t {
			return p.colored(dst, colorTrue, "true")
		}
		return p.colored(dst, colorFalse, "false")
	case pipeline.Timestamp:
		// Logstash's rubydebug prints its Timestamp through inspect, bare
		// and uncoloured.
		return t.AppendISO(dst)
	case []any:
		return p.array(dst, t, indent)
	case *pipeline.Map:
		return p.hash(dst, t.Len(), t.Range, indent)
	default:
		return p.value(dst, pipeline.NormalizeValue(v), indent)
	}
}

func (p printer) colored(dst []byte, color, s string) []byte {
	if !p.color {
		return append(dst, s...)
	}
	dst = append(dst, color...)
	dst = append(dst, s...)
	return append(dst, colorReset...)
}

func appendSpaces(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, ' ')
	}
	return dst
}

func decimalWidth(i int) int {
	w := 1
	for ; i >= 10; i /= 10 {
		w++
	}
	return w
}

// appendInspect appends s quoted as Ruby's String#inspect does for a UTF-8
// string.
func appendInspect(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = codecutil.AppendInspectString(dst, s)
	return append(dst, '"')
}

// inspectWidth returns the number of characters of appendInspect(s), which
// is what amazing_print aligns keys by.
func inspectWidth(s string) int {
	w := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case codecutil.RubyEscape(c) != 0:
				w += 2
			case c == '#' && i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '$' || s[i+1] == '@'):
				w += 2
			case c < 0x20 || c == 0x7f:
				w += 6
			default:
				w++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			w += 4
		case codecutil.RubyPrintable(r):
			w++
		case r < 0x10000:
			w += 6
		default:
			w += 4 + len(strconv.FormatUint(uint64(r), 16))
		}
		i += size
	}
	return w
}
