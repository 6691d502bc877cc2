package codecutil

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/pipeproject/pipe/pipeline"
)

// charsetSeeds are the nasty byte strings the charset fuzzers start from.
func charsetSeeds() [][]byte {
	return [][]byte{
		nil, {}, []byte("plain ascii"), []byte("café"), []byte("caf\xe9"), []byte("\x80\x81\x9f"),
		[]byte("\xed\xa0\x80"), []byte("\xed\xbf\xbf\xed\xa0\x80"), []byte("\xf4\x90\x80\x80"), []byte("\xc0\xaf"),
		[]byte("\xff\xfe\x00\x00"), []byte("\xfe\xff"), []byte("a\x00b"), []byte("\x00"), []byte("\x1b[31mred\x1b[0m"),
		[]byte("\"\\#{x}#$y#@z#"), []byte("\t\n\r\f\v\b\a\x7f"), []byte("\u0085\u2028\u2029\u200b\ufeff\ue000"),
		[]byte("\U0001F600\U000E0001\U0010FFFF"), []byte("\x82\xa0\x82\xa2"), []byte("\x82"), []byte("\x81\x7f"),
		[]byte("h\x00i\x00"), []byte("\x00\xd8"), []byte("\x00\xd8\x00\xdc"), []byte("\x00\xdc"), []byte("\x01"),
		[]byte("١٢٣"), []byte(strings.Repeat("\xe9", 4096)), []byte(strings.Repeat("é", 2048)),
		[]byte("\xe2\x82"), []byte("\xf0\x9f\x98"), []byte("#"), []byte("\\x41"), []byte("\u0085"), []byte("\u009f"),
	}
}

// fuzzCharsets are the charsets every fuzzed text is converted from.
func fuzzCharsets() []string {
	return []string{"UTF-8", "ISO-8859-1", "Windows-1252", "Shift_JIS", "UTF-16LE", "US-ASCII", "EBCDIC-CP-US", "GB18030", "UTF-32"}
}

// FuzzCharset converts fuzzed bytes from each of fuzzCharsets: never a
// panic, always valid UTF-8, String and Bytes agree, valid UTF-8 under
// charset UTF-8 is kept as it is and invalid UTF-8 is its inspect form.
func FuzzCharset(f *testing.F) {
	for _, s := range charsetSeeds() {
		f.Add(s)
	}
	var sets []*Charset
	for _, name := range fuzzCharsets() {
		if err := ValidateCharset(name); err != nil {
			f.Fatalf("%s: %v", name, err)
		}
		sets = append(sets, NewCharset(name, pipeline.Deps{}))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := bytes.Clone(b)
		for _, c := range sets {
			s := c.String(b)
			out := c.Bytes(b)
			if !bytes.Equal(b, orig) {
				t.Fatalf("%s: the input was changed", c.name)
			}
			if !utf8.ValidString(s) || !utf8.Valid(out) {
				t.Fatalf("%s: %q gives invalid UTF-8 %q / %q", c.name, b, s, out)
			}
			if s != string(out) {
				t.Fatalf("%s: %q: String gives %q, Bytes %q", c.name, b, s, out)
			}
			if !c.IsUTF8() {
				continue
			}
			if utf8.Valid(b) {
				if s != string(b) {
					t.Fatalf("UTF-8: valid %q changed to %q", b, s)
				}
			} else if want := string(AppendInspect(nil, b)); s != want {
				t.Fatalf("UTF-8: invalid %q gives %q, not its inspect form %q", b, s, want)
			}
		}
	})
}

// FuzzAppendInspect checks Ruby's inspect form of fuzzed bytes: valid
// UTF-8 with no raw control character (but U+0085, which Ruby prints), no
// line or paragraph separator, no quote or backslash left unescaped, the
// same for a string as for bytes, and reversible: reading the escapes
// back gives the input.
func FuzzAppendInspect(f *testing.F) {
	for _, s := range charsetSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		prefix := []byte("keep:")
		out := AppendInspect(bytes.Clone(prefix), b)
		if !bytes.HasPrefix(out, prefix) {
			t.Fatalf("%q: the prefix was lost: %q", b, out)
		}
		out = out[len(prefix):]
		if str := AppendInspectString(nil, string(b)); !bytes.Equal(str, out) {
			t.Fatalf("%q: AppendInspect %q, AppendInspectString %q", b, out, str)
		}
		if !utf8.Valid(out) {
			t.Fatalf("%q: inspect form %q is not valid UTF-8", b, out)
		}
		for _, r := range string(out) {
			if unicode.IsControl(r) && r != 0x85 || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cs, r) {
				t.Fatalf("%q: inspect form %q holds the raw character %U", b, out, r)
			}
		}
		back, err := unInspect(string(out))
		if err != nil {
			t.Fatalf("%q: inspect form %q does not read back: %v", b, out, err)
		}
		if !bytes.Equal(back, b) {
			t.Fatalf("%q: inspect form %q reads back as %q", b, out, back)
		}
	})
}

// unInspect reads Ruby's inspect escapes (without the quotes) back to the
// bytes, and fails on a quote or a backslash left unescaped.
func unInspect(s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			return nil, fmt.Errorf("raw quote at %d", i)
		}
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(s) {
			return nil, fmt.Errorf("lone backslash at the end")
		}
		switch e := s[i]; e {
		case '"', '\\', '#':
			out = append(out, e)
		case 'n', 'r', 't', 'f', 'v', 'b', 'a', 'e':
			out = append(out, map[byte]byte{'n': '\n', 'r': '\r', 't': '\t', 'f': '\f', 'v': '\v', 'b': '\b', 'a': '\a', 'e': 0x1b}[e])
		case 'x':
			if i+3 > len(s) {
				return nil, fmt.Errorf("short \\x at %d", i)
			}
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("bad \\x at %d: %w", i, err)
			}
			out = append(out, byte(n))
			i += 2
		case 'u':
			var hex string
			if i+1 < len(s) && s[i+1] == '{' {
				end := strings.IndexByte(s[i:], '}')
				if end < 0 {
					return nil, fmt.Errorf("unterminated \\u{ at %d", i)
				}
				hex, i = s[i+2:i+end], i+end
			} else {
				if i+5 > len(s) {
					return nil, fmt.Errorf("short \\u at %d", i)
				}
				hex, i = s[i+1:i+5], i+4
			}
			n, err := strconv.ParseUint(hex, 16, 32)
			if err != nil {
				return nil, fmt.Errorf("bad \\u%s: %w", hex, err)
			}
			out = utf8.AppendRune(out, rune(n))
		default:
			return nil, fmt.Errorf("unknown escape \\%c at %d", e, i)
		}
	}
	return out, nil
}
