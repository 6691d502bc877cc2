package codecutil

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"unsafe"

	"github.com/pipeproject/pipe/pipeline"
)

func TestCharsetConvert(t *testing.T) {
	tests := []struct {
		charset string
		in      string
		want    string
	}{
		// Logstash's own samples (logstash-core charset_spec.rb).
		{"UTF-8", "foobar", "foobar"},
		{"UTF-8", "κόσμε", "κόσμε"},
		{"UTF-8", "foo \xED\xB9\x81\xC3", `foo \xED\xB9\x81\xC3`},
		{"UTF-8", "bar \xAD", `bar \xAD`},
		{"ISO-8859-1", "\xE0 Montr\xE9al", "à Montréal"},
		{"ASCII-8BIT", "\xE0 Montr\xE9al", "\uFFFD Montr\uFFFDal"},
		{"ASCII-8BIT", "\xCE\xBA\xCF\x8C\xCF\x83\xCE\xBC\xCE\xB5", strings.Repeat("\uFFFD", 10)},
		// Invalid UTF-8 turns the whole text into Ruby's inspect form.
		{"UTF-8", "q\"b\\n\n t\t e\x1b #{x} #$y #@z #ok nul\x00 del\x7f \u2028 \u0085 é \xff",
			`q\"b\\n\n t\t e\e \#{x} \#$y \#@z #ok nul\u0000 del\u007F \u2028 ` + "\u0085 é " + `\xFF`},
		{"UTF-8", "\xf0\x9f\x98\x80 \U000E0001 \xf0\x9f", "\U0001F600 \U000E0001 " + `\xF0\x9F`},
		{"utf-8", "caf\xe9", `caf\xE9`},
		// Single-byte sets, under Ruby's, IANA's and Java's names.
		{"ISO-8859-1", "caf\xe9", "café"},
		{"iso-8859-1", "\x80", "\u0080"},
		{"ISO8859-1", "caf\xe9", "café"},
		{"ISO8859_1", "caf\xe9", "café"},
		{"latin1", "caf\xe9", "café"},
		{"ISO_8859-1:1987", "caf\xe9", "café"},
		{"Windows-1252", "\x80 5", "€ 5"},
		{"CP1252", "\x80 \x93q\x94", "€ \u201cq\u201d"},
		{"cp1252", "\x81", "\uFFFD"},
		{"ISO-8859-15", "\xa4", "€"},
		{"Windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"},
		{"KOI8-R", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
		{"IBM437", "\x82", "é"},
		{"CP850", "\x82", "é"},
		{"macRoman", "\x8e", "é"},
		{"IBM037", "\xc8\x85\x93\x93\x96 ", "Hello\u0080"}, // EBCDIC: ASCII bytes are not ASCII
		{"US-ASCII", "caf\xe9", "caf\uFFFD"},
		{"ASCII", "plain", "plain"},
		// Multi-byte sets.
		{"UTF-16LE", "h\x00\xe9\x00", "hé"},
		{"UTF-16BE", "\x00h\x00\xe9", "hé"},
		{"UTF-16", "\xff\xfeh\x00", "h"},
		{"UTF-16", "\x00h", "h"},
		{"UTF-32LE", "h\x00\x00\x00", "h"},
		{"Shift_JIS", "\x93\xfa\x96\x7b", "日本"},
		{"Windows-31J", "\x93\xfa\x96\x7b", "日本"},
		{"EUC-JP", "\xc6\xfc\xcb\xdc", "日本"},
		{"GBK", "\xc4\xe3\xba\xc3", "你好"},
		{"GB18030", "\xc4\xe3\xba\xc3", "你好"},
		{"GB2312", "\xc4\xe3\xba\xc3", "你好"},
		{"Big5", "\xa4\xa4\xa4\xe5", "中文"},
		{"EUC-KR", "\xc7\xd1", "한"},
		{"Shift_JIS", "\x93", "\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%q", tt.charset, tt.in), func(t *testing.T) {
			if err := ValidateCharset(tt.charset); err != nil {
				t.Fatal(err)
			}
			c := NewCharset(tt.charset, pipeline.Deps{})
			in := []byte(tt.in)
			if got := c.String(in); got != tt.want {
				t.Errorf("String = %q, want %q", got, tt.want)
			}
			if got := string(c.Bytes(in)); got != tt.want {
				t.Errorf("Bytes = %q, want %q", got, tt.want)
			}
			if string(in) != tt.in {
				t.Errorf("input changed to %q", in)
			}
		})
	}
}

// TestCharsetUTF8NoCopy checks the default's fast path: valid UTF-8 comes
// back as the same bytes, with no allocation.
func TestCharsetUTF8NoCopy(t *testing.T) {
	c := NewCharset(DefaultCharset, pipeline.Deps{})
	in := []byte(`{"message":"Grüße"}`)
	if out := c.Bytes(in); unsafe.SliceData(out) != unsafe.SliceData(in) || len(out) != len(in) {
		t.Error("Bytes copied valid UTF-8")
	}
	if n := testing.AllocsPerRun(100, func() { c.Bytes(in) }); n != 0 {
		t.Errorf("Bytes allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { c.String(in) }); n != 1 {
		t.Errorf("String allocates %v times, want 1 (the string)", n)
	}
	if !c.IsUTF8() {
		t.Error("IsUTF8 is false for the default")
	}
}

// TestCharsetWarnsOnce checks the warning and the counter for invalid
// UTF-8.
func TestCharsetWarnsOnce(t *testing.T) {
	var log bytes.Buffer
	m := &pipeline.Metrics{}
	c := NewCharset("UTF-8", pipeline.Deps{Metrics: m, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	c.String([]byte("a\xff"))
	c.Bytes([]byte("b\xfe"))
	c.String([]byte("valid"))
	if n := m.Counter(CounterInvalidUTF8).Load(); n != 2 {
		t.Errorf("counter = %d, want 2", n)
	}
	out := log.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "level=WARN") ||
		!strings.Contains(out, "different character encoding") || !strings.Contains(out, `expected_charset=UTF-8`) ||
		!strings.Contains(out, `text=a\xFF`) {
		t.Errorf("log:\n%s", out)
	}
}

func TestValidateCharset(t *testing.T) {
	for _, name := range []string{"", "UTF-8", "utf8", "CP65001", "BINARY", "locale", "ISO-8859-16", "ISO8859-2",
		"Windows-1250", "CP1258", "CP874", "IBM866", "CP866", "UTF-32", "UCS-2BE", "eucJP", "SJIS", "CP936", "HZ-GB-2312",
		"ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5", "ISO-8859-6", "ISO-8859-7", "ISO-8859-8", "ISO-8859-9",
		"ISO-8859-10", "ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "Windows-1253", "Windows-1254", "Windows-1255",
		"Windows-1256", "Windows-1257", "Windows-874", "KOI8-U", "IBM437", "IBM850", "IBM852", "IBM855", "IBM860",
		"IBM862", "IBM863", "IBM865", "CP852", "CP855", "CP860", "CP862", "CP863", "CP865", "IBM037", "macRoman",
		"macCyrillic", "UTF-32BE", "UTF-32LE", "Windows-31J", "EUC-JP", "ISO-2022-JP", "EUC-KR", "CP949", "GB2312",
		"GB18030", "CP950", "Big5-HKSCS", "external", "filesystem"} {
		if err := ValidateCharset(name); err != nil {
			t.Errorf("ValidateCharset(%q): %v", name, err)
		}
	}
	for _, name := range []string{"UTF-9", "Emacs-Mule", "UTF-7", "EUC-TW", "macGreek", "IBM737", "ISO-8859-11", "cp", "iso8859-99", "ISO-8859-1 "} {
		err := ValidateCharset(name)
		errs := pipeline.ConfigErrors(err)
		if len(errs) != 1 || errs[0].Attr != "charset" || !strings.Contains(errs[0].Summary, name) ||
			!strings.Contains(errs[0].Detail, `"ISO-8859-1"`) {
			t.Errorf("ValidateCharset(%q) = %v", name, err)
		}
	}
}

func TestPlainDecoderCharset(t *testing.T) {
	tests := []struct {
		name    string
		charset *Charset
		in      string
		want    string
	}{
		{"no charset replaces", nil, "caf\xe9", "caf\uFFFD"},
		{"UTF-8 escapes", NewCharset("UTF-8", pipeline.Deps{}), "caf\xe9", `caf\xE9`},
		{"latin1 converts", NewCharset("ISO-8859-1", pipeline.Deps{}), "caf\xe9", "café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []*pipeline.Event
			PlainDecoder{Original: true, Charset: tt.charset}.Decode([]byte(tt.in), func(e *pipeline.Event) { got = append(got, e) })
			if len(got) != 1 {
				t.Fatalf("%d events", len(got))
			}
			msg, _ := got[0].Message()
			orig, _ := got[0].Get(pipeline.MustFieldRef("[event][original]"))
			if msg != tt.want || orig != tt.want {
				t.Errorf("message %q, [event][original] %v; want %q", msg, orig, tt.want)
			}
		})
	}
}

func BenchmarkCharset(b *testing.B) {
	line := []byte(`{"@timestamp": "2026-11-24T23:08:04.232Z", "message": "Not Found: /missing", "host": "vm", "level": "WARNING"}`)
	latin1 := bytes.ReplaceAll(line, []byte("Found"), []byte("F\xf6und"))
	benches := []struct {
		name    string
		charset string
		in      []byte
		bytes   bool
	}{
		{"UTF-8/Bytes", "UTF-8", line, true},
		{"UTF-8/String", "UTF-8", line, false},
		{"ISO-8859-1/Bytes", "ISO-8859-1", latin1, true},
		{"ISO-8859-1/String", "ISO-8859-1", latin1, false},
		{"Shift_JIS/Bytes", "Shift_JIS", line, true},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			c := NewCharset(bb.charset, pipeline.Deps{})
			b.SetBytes(int64(len(bb.in)))
			b.ReportAllocs()
			for b.Loop() {
				if bb.bytes {
					c.Bytes(bb.in)
				} else {
					c.String(bb.in)
				}
			}
		})
	}
	// What the codecs did before the charset option, for comparison.
	b.Run("before/ValidUTF8", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		for b.Loop() {
			_ = pipeline.ValidUTF8(string(line))
		}
	})
}
