package codecutil

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode/utf32"

	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/pipeproject/pipe/pipeline"
)

// DefaultCharset is the default of the codecs' charset option.
const DefaultCharset = "UTF-8"

// CounterInvalidUTF8 names the counter of texts that were not valid UTF-8
// although the charset option said UTF-8.
const CounterInvalidUTF8 = "invalidutf8"

// charsetKind says how a Charset converts.
type charsetKind int

const (
	kindUTF8   charsetKind = iota // checked, escaped as Logstash does when invalid
	kindTable                     // a single-byte character set
	kindDecode                    // any other set, through x/text's decoder
)

// Charset converts the text a codec decodes from the character set of its
// charset option to UTF-8, as Logstash's LogStash::Util::Charset does:
//
//   - UTF-8 (the default): valid text is kept as it is; text holding bytes
//     that are not valid UTF-8 is replaced as a whole by its Ruby
//     String#inspect form without the quotes (an invalid byte becomes the
//     four characters \xE9, a quote \", a backslash \\, a newline \n, a
//     control character \u0001, ...), and a warning is logged (here once
//     per codec, and each such text counted as invalidutf8).
//   - any other set: the text is converted to UTF-8; bytes that are
//     invalid or have no character in that set become U+FFFD.
//
// A Charset is immutable but for its warn-once flag, and safe for
// concurrent use.
type Charset struct {
	name  string
	kind  charsetKind
	table *[256]rune
	// asciiSame is set when the table maps bytes below 0x80 to themselves.
	asciiSame bool
	enc       encoding.Encoding

	// metrics holds the invalidutf8 counter (listed by DecodeCounter when
	// a decoder is made; taken here on an invalid text).
	metrics *pipeline.Metrics
	log     *slog.Logger
	warned  atomic.Bool
}

// ValidateCharset checks a charset option: a character set name as
// Logstash (Ruby) or Java spell it, in any case.
func ValidateCharset(name string) error {
	if _, err := lookupCharset(name); err != nil {
		return err
	}
	return nil
}

// NewCharset returns the Charset of a charset option (which must have
// passed ValidateCharset; an invalid name gives UTF-8), counting invalid
// UTF-8 in d's metrics and warning through d's logger.
func NewCharset(name string, d pipeline.Deps) *Charset {
	c, err := lookupCharset(name)
	if err != nil {
		c = &Charset{kind: kindUTF8}
	}
	c.name = name
	c.metrics = Metrics(d)
	c.log = d.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

// IsUTF8 reports whether the charset is UTF-8 (no conversion, only a
// check).
func (c *Charset) IsUTF8() bool { return c.kind == kindUTF8 }

// String returns b converted to a UTF-8 string. It never aliases b. For
// UTF-8 text that is valid it costs what string(b) costs.
func (c *Charset) String(b []byte) string {
	switch c.kind {
	case kindUTF8:
		s := string(b)
		if utf8.ValidString(s) {
			return s
		}
		return string(c.escape(b))
	case kindTable:
		var sb strings.Builder
		sb.Grow(c.tableLen(b))
		for len(b) > 0 {
			n := c.asciiRun(b)
			sb.Write(b[:n])
			if b = b[n:]; len(b) > 0 {
				sb.WriteRune(c.table[b[0]])
				b = b[1:]
			}
		}
		return sb.String()
	default:
		return string(c.decode(b))
	}
}

// Bytes returns b converted to UTF-8. For UTF-8 text that is valid it is b
// itself, neither copied nor allocated; otherwise it is a new slice.
func (c *Charset) Bytes(b []byte) []byte {
	switch c.kind {
	case kindUTF8:
		if utf8.Valid(b) {
			return b
		}
		return c.escape(b)
	case kindTable:
		return c.appendTable(make([]byte, 0, c.tableLen(b)), b)
	default:
		return c.decode(b)
	}
}

// escape is Logstash's answer to invalid UTF-8 under charset UTF-8: the
// text's Ruby inspect form, and a warning.
func (c *Charset) escape(b []byte) []byte {
	out := AppendInspect(make([]byte, 0, len(b)+len(b)/4+8), b)
	c.metrics.Counter(CounterInvalidUTF8).Add(1)
	if c.warned.CompareAndSwap(false, true) {
		text := out
		if len(text) > 1024 {
			text = text[:1024]
		}
		c.log.Warn("Received an event that has a different character encoding than you configured "+
			"(logged once per codec; counted as "+CounterInvalidUTF8+")",
			"text", string(text), "expected_charset", c.name)
	}
	return out
}

// tableLen returns the length of b in UTF-8 through a single-byte table.
func (c *Charset) tableLen(b []byte) int {
	n := 0
	for _, x := range b {
		n += utf8.RuneLen(c.table[x])
	}
	return n
}

func (c *Charset) appendTable(dst, b []byte) []byte {
	for len(b) > 0 {
		n := c.asciiRun(b)
		dst = append(dst, b[:n]...)
		if b = b[n:]; len(b) > 0 {
			dst = utf8.AppendRune(dst, c.table[b[0]])
			b = b[1:]
		}
	}
	return dst
}

// asciiRun returns the length of the run of bytes at the start of b that
// the table maps to themselves (ASCII, in all but the EBCDIC sets).
func (c *Charset) asciiRun(b []byte) int {
	if !c.asciiSame {
		return 0
	}
	for i, x := range b {
		if x >= utf8.RuneSelf {
			return i
		}
	}
	return len(b)
}

// decode converts b through x/text, whose decoders replace what they cannot
// decode by U+FFFD and so never fail.
func (c *Charset) decode(b []byte) []byte {
	out, err := c.enc.NewDecoder().Bytes(b)
	if err != nil {
		// Not reached with x/text's decoders; keep the event anyway.
		return []byte(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	return out
}

// lookupCharset finds a character set by name, case-insensitively: first
// Ruby's names and aliases (what Logstash's charset option accepts), then
// the IANA registry's names and aliases, then the name with underscores
// read as hyphens (Java's ISO8859_1, UTF_16LE).
func lookupCharset(name string) (*Charset, error) {
	key := strings.ToLower(name)
	if key == "" {
		return &Charset{kind: kindUTF8}, nil // the option's default in a Config made in Go
	}
	if c := rubyCharset(key); c != nil {
		return c, nil
	}
	if c := ianaCharset(key); strings.TrimSpace(key) == key && c != nil {
		return c, nil
	}
	if alt := strings.ReplaceAll(key, "_", "-"); alt != key {
		if c := rubyCharset(alt); c != nil {
			return c, nil
		}
		if c := ianaCharset(alt); c != nil {
			return c, nil
		}
	}
	return nil, &pipeline.ConfigError{Attr: "charset",
		Summary: fmt.Sprintf("unknown or unsupported character set %q", name),
		Detail: `use a name such as "UTF-8", "ISO-8859-1" (latin1), "Windows-1252" (CP1252), "US-ASCII", ` +
			`"ISO-8859-15", "Windows-1251", "KOI8-R", "UTF-16LE", "Shift_JIS", "EUC-JP", "GBK", "GB18030" or "Big5"`}
}

// rubyCharset resolves Ruby's encoding names and aliases that the IANA
// registry does not hold, or holds for another set.
func rubyCharset(key string) *Charset {
	switch key {
	case "utf-8", "utf8", "cp65001", "utf8-mac", "utf-8-mac", "utf-8-hfs",
		"locale", "external", "filesystem": // Logstash runs with UTF-8 as its default encoding
		return &Charset{kind: kindUTF8}
	case "us-ascii", "ascii", "ansi_x3.4-1968", "646", "ascii-8bit", "binary":
		// Ruby converts ASCII-8BIT like US-ASCII: bytes above 0x7F have
		// no character and become U+FFFD.
		return asciiCharset()
	case "windows-31j", "cp932", "cswindows31j", "sjis", "pck":
		return &Charset{kind: kindDecode, enc: japanese.ShiftJIS}
	case "eucjp", "euc-jp":
		return &Charset{kind: kindDecode, enc: japanese.EUCJP}
	case "iso2022-jp", "iso-2022-jp":
		return &Charset{kind: kindDecode, enc: japanese.ISO2022JP}
	case "euckr", "euc-kr", "cp949":
		return &Charset{kind: kindDecode, enc: korean.EUCKR}
	case "gb2312", "euc-cn", "euccn", "cp936", "gbk":
		return &Charset{kind: kindDecode, enc: simplifiedchinese.GBK}
	case "big5", "cp950", "cp951", "big5-hkscs", "big5-hkscs:2008":
		return &Charset{kind: kindDecode, enc: traditionalchinese.Big5}
	case "utf-16":
		return &Charset{kind: kindDecode, enc: xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)}
	case "utf-16be", "ucs-2be":
		return &Charset{kind: kindDecode, enc: xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)}
	case "utf-16le":
		return &Charset{kind: kindDecode, enc: xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)}
	case "utf-32":
		return &Charset{kind: kindDecode, enc: utf32.UTF32(utf32.BigEndian, utf32.UseBOM)}
	case "utf-32be":
		return &Charset{kind: kindDecode, enc: utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)}
	case "utf-32le", "ucs-4le":
		return &Charset{kind: kindDecode, enc: utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)}
	case "cp878":
		return tableCharset(charmap.KOI8R)
	case "ebcdic-cp-us":
		return tableCharset(charmap.CodePage037)
	case "macroman":
		return tableCharset(charmap.Macintosh)
	case "maccyrillic":
		return tableCharset(charmap.MacintoshCyrillic)
	}
	// Ruby's CP1250 ... CP1258, CP874 and CP437, CP850, ...; ISO8859-1 ...
	if n, ok := strings.CutPrefix(key, "cp"); ok && isDigits(n) {
		if len(n) == 4 || n == "874" {
			return ianaCharset("windows-" + n)
		}
		return ianaCharset("ibm" + n)
	}
	if n, ok := strings.CutPrefix(key, "iso8859-"); ok && isDigits(n) {
		return ianaCharset("iso-8859-" + n)
	}
	return nil
}

// ianaCharset resolves a name of the IANA registry that x/text supports.
func ianaCharset(key string) *Charset {
	enc, err := ianaindex.IANA.Encoding(key)
	if err != nil || enc == nil {
		return nil
	}
	if cm, ok := enc.(*charmap.Charmap); ok {
		return tableCharset(cm)
	}
	switch n, _ := ianaindex.IANA.Name(enc); n {
	case "UTF-8":
		return &Charset{kind: kindUTF8}
	case "US-ASCII":
		return asciiCharset()
	}
	return &Charset{kind: kindDecode, enc: enc}
}

func tableCharset(cm *charmap.Charmap) *Charset {
	t := new([256]rune)
	same := true
	for i := range t {
		t[i] = cm.DecodeByte(byte(i))
		same = same && (i >= utf8.RuneSelf || t[i] == rune(i))
	}
	return &Charset{kind: kindTable, table: t, asciiSame: same}
}

func asciiCharset() *Charset {
	t := new([256]rune)
	for i := range t {
		t[i] = utf8.RuneError
		if i < utf8.RuneSelf {
			t[i] = rune(i)
		}
	}
	return &Charset{kind: kindTable, table: t, asciiSame: true}
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// AppendInspect appends b as Ruby's String#inspect shows a UTF-8 string,
// without the surrounding quotes: a byte that is not part of valid UTF-8
// as \xHH, " and \ escaped with a backslash, # escaped before {, $ and @,
// \n \r \t \f \v \b \a \e for those controls, other characters Ruby does
// not print as \uXXXX (\u{XXXXX} beyond the BMP), the rest as it is.
func AppendInspect(dst, b []byte) []byte { return appendInspect(dst, b, utf8.DecodeRune) }

// AppendInspectString is AppendInspect for a string.
func AppendInspectString(dst []byte, s string) []byte {
	return appendInspect(dst, s, utf8.DecodeRuneInString)
}

func appendInspect[T string | []byte](dst []byte, b T, decode func(T) (rune, int)) []byte {
	start := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			esc := RubyEscape(c)
			hash := c == '#' && i+1 < len(b) && (b[i+1] == '{' || b[i+1] == '$' || b[i+1] == '@')
			if esc == 0 && !hash && c >= 0x20 && c != 0x7f {
				i++
				continue
			}
			dst = append(dst, b[start:i]...)
			switch {
			case esc != 0:
				dst = append(dst, '\\', esc)
			case hash:
				dst = append(dst, '\\', '#')
			default:
				dst = appendUnicodeEscape(dst, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := decode(b[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, b[start:i]...)
			dst = append(dst, '\\', 'x', upperHex[c>>4], upperHex[c&0xf])
			i++
			start = i
			continue
		}
		if !RubyPrintable(r) {
			dst = append(dst, b[start:i]...)
			dst = appendUnicodeEscape(dst, r)
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, b[start:]...)
}

const upperHex = "0123456789ABCDEF"

// RubyEscape returns the letter of the escape Ruby's inspect uses for an
// ASCII byte, or 0.
func RubyEscape(c byte) byte {
	switch c {
	case '"', '\\':
		return c
	case '\n':
		return 'n'
	case '\r':
		return 'r'
	case '\t':
		return 't'
	case '\f':
		return 'f'
	case '\v':
		return 'v'
	case '\b':
		return 'b'
	case '\a':
		return 'a'
	case 0x1b:
		return 'e'
	}
	return 0
}

// RubyPrintable reports whether Ruby's inspect shows a non-ASCII r as it
// is in a UTF-8 string: every assigned character but controls (except
// U+0085), surrogates and the line and paragraph separators.
func RubyPrintable(r rune) bool {
	if r == 0x85 {
		return true
	}
	if unicode.In(r, unicode.Cc, unicode.Cs, unicode.Zl, unicode.Zp) {
		return false
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cf, unicode.Co)
}

// appendUnicodeEscape appends \uXXXX, or \u{XXXXX} beyond the BMP.
func appendUnicodeEscape(dst []byte, r rune) []byte {
	if r < 0x10000 {
		return append(dst, '\\', 'u', upperHex[r>>12&0xf], upperHex[r>>8&0xf], upperHex[r>>4&0xf], upperHex[r&0xf])
	}
	dst = append(dst, '\\', 'u', '{')
	dst = append(dst, strings.ToUpper(strconv.FormatInt(int64(r), 16))...)
	return append(dst, '}')
}
