package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// JSON in pipe: decoding uses valyala/fastjson's reusable parser (measured
// at 0.15 µs to parse a 276-byte python-logstash event, against 0.9 µs for
// goccy/go-json and 3.4 µs for encoding/json into a map) and converts its
// tree into ordered Maps, which keeps the sender's key order. Encoding is our
// own append-only writer over the event's value types, since no library
// encodes an ordered map without a reflective MarshalJSON per map. See
// BenchmarkJSON* for the figures.

// AppendEventJSON appends the event as one JSON object: @timestamp first,
// then the fields in order; @metadata is never written.
func AppendEventJSON(dst []byte, e *Event) []byte {
	dst = append(dst, '{')
	first := true
	if e.hasTS {
		dst = append(dst, `"@timestamp":"`...)
		dst = e.ts.AppendISO(dst)
		dst = append(dst, '"')
		first = false
	}
	for i, k := range e.fields.keys {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendJSONString(dst, k)
		dst = append(dst, ':')
		dst = AppendJSONValue(dst, e.fields.vals[i])
	}
	return append(dst, '}')
}

// AppendJSONValue appends v as JSON.
func AppendJSONValue(dst []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return AppendJSONString(dst, t)
	case int64:
		return strconv.AppendInt(dst, t, 10)
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return append(dst, "null"...)
		}
		return appendFloat(dst, t)
	case bool:
		return strconv.AppendBool(dst, t)
	case Timestamp:
		dst = append(dst, '"')
		dst = t.AppendISO(dst)
		return append(dst, '"')
	case []any:
		dst = append(dst, '[')
		for i, x := range t {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONValue(dst, x)
		}
		return append(dst, ']')
	case *Map:
		dst = append(dst, '{')
		for i, k := range t.Keys() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, k)
			dst = append(dst, ':')
			dst = AppendJSONValue(dst, t.vals[i])
		}
		return append(dst, '}')
	default:
		return AppendJSONValue(dst, NormalizeValue(v))
	}
}

// appendFloat writes a float as Java's Double.toString does (which is what
// Logstash's JSON shows): a decimal point always ("2.0"), and scientific
// notation outside [1e-3, 1e7) as "1.0E7".
func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) {
		return append(dst, "NaN"...)
	}
	if math.IsInf(f, 0) {
		if f > 0 {
			return append(dst, "Infinity"...)
		}
		return append(dst, "-Infinity"...)
	}
	abs := math.Abs(f)
	if abs == 0 || (abs >= 1e-3 && abs < 1e7) {
		start := len(dst)
		dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
		for _, c := range dst[start:] {
			if c == '.' {
				return dst
			}
		}
		return append(dst, '.', '0')
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // 1.234e+07
	epos := 0
	for i, c := range s {
		if c == 'e' {
			epos = i
			break
		}
	}
	mant, exp := s[:epos], s[epos+1:]
	dst = append(dst, mant...)
	hasDot := false
	for _, c := range mant {
		if c == '.' {
			hasDot = true
		}
	}
	if !hasDot {
		dst = append(dst, '.', '0')
	}
	dst = append(dst, 'E')
	if exp[0] == '-' {
		dst = append(dst, '-')
	}
	exp = exp[1:]
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	return append(dst, exp...)
}

// hexDigits is upper case, as in Jackson's "\u001F".
const hexDigits = "0123456789ABCDEF"

// AppendJSONString appends s as a JSON string. Invalid UTF-8 is written as
// U+FFFD; only '"', '\\' and control characters are escaped.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// ErrJSONNotObject is returned by JSONDecoder.DecodeEvents for JSON that is
// neither an object nor an array of objects.
var ErrJSONNotObject = errors.New("JSON is not an object or an array of objects")

// JSONDecoder decodes JSON text into event values. It reuses its parser and
// interns object keys, so it is not safe for concurrent use: keep one per
// goroutine (one per connection in a codec decoder).
type JSONDecoder struct {
	p    fastjson.Parser
	keys map[string]string
	num  []byte // scratch for a number's text
	err  error  // first invalid number met by convert
}

// errJSONNumber reports a number fastjson let through that JSON (and Jackson,
// hence Logstash) rejects: "+1", "01", ".5", "1.", "NaN", "1-2".
var errJSONNumber = errors.New("invalid number")

// maxInternedKeys bounds the key cache of a JSONDecoder.
const maxInternedKeys = 4096

// DecodeValue parses data into an event value (*Map, []any, string, ...).
func (d *JSONDecoder) DecodeValue(data []byte) (any, error) {
	v, err := d.p.ParseBytes(data)
	if err != nil {
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	x := d.convert(v)
	if err := d.takeErr(); err != nil {
		return nil, err
	}
	return x, nil
}

func (d *JSONDecoder) takeErr() error {
	err := d.err
	d.err = nil
	if err != nil {
		return fmt.Errorf("parse JSON: %w", err)
	}
	return nil
}

// isBlank reports whether data holds only whitespace (ASCII as Java's
// Character.isWhitespace sees it, which Event.fromJson uses).
func isBlank(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\v', 0x1c, 0x1d, 0x1e, 0x1f:
		default:
			return false
		}
	}
	return true
}

// DecodeEvents parses data and makes events from it: one for an object, one
// per element for an array of objects (as Logstash's json codecs do), none
// for blank input (as Logstash's Event.fromJson). Each event is made with
// EventFromMap. Nothing is emitted when an error is returned.
func (d *JSONDecoder) DecodeEvents(data []byte, emit func(*Event)) error {
	if isBlank(data) {
		return nil
	}
	v, err := d.p.ParseBytes(data)
	if err != nil {
		return fmt.Errorf("parse JSON: %w", err)
	}
	switch v.Type() {
	case fastjson.TypeObject:
		m := d.object(v)
		if err := d.takeErr(); err != nil {
			return err
		}
		emit(EventFromMap(m))
		return nil
	case fastjson.TypeArray:
		arr, _ := v.Array()
		for _, x := range arr {
			if x.Type() != fastjson.TypeObject {
				return fmt.Errorf("%w: array element is %s", ErrJSONNotObject, x.Type())
			}
		}
		ms := make([]*Map, len(arr))
		for i, x := range arr {
			ms[i] = d.object(x)
		}
		if err := d.takeErr(); err != nil {
			return err
		}
		for _, m := range ms {
			emit(EventFromMap(m))
		}
		return nil
	default:
		return fmt.Errorf("%w: got %s", ErrJSONNotObject, v.Type())
	}
}

func (d *JSONDecoder) key(b []byte) string {
	if s, ok := d.keys[string(b)]; ok {
		return s
	}
	s := ValidUTF8(string(b))
	if d.keys == nil {
		d.keys = make(map[string]string, 64)
	}
	if len(d.keys) < maxInternedKeys {
		d.keys[s] = s
	}
	return s
}

func (d *JSONDecoder) object(v *fastjson.Value) *Map {
	o, _ := v.Object()
	m := NewMap(o.Len())
	o.Visit(func(k []byte, x *fastjson.Value) {
		m.Set(d.key(k), d.convert(x))
	})
	return m
}

func (d *JSONDecoder) convert(v *fastjson.Value) any {
	switch v.Type() {
	case fastjson.TypeObject:
		return d.object(v)
	case fastjson.TypeArray:
		arr, _ := v.Array()
		out := make([]any, len(arr))
		for i, x := range arr {
			out[i] = d.convert(x)
		}
		return out
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return ValidUTF8(string(b))
	case fastjson.TypeNumber:
		d.num = v.MarshalTo(d.num[:0])
		if !validJSONNumber(d.num) {
			if d.err == nil {
				d.err = fmt.Errorf("%w %q", errJSONNumber, d.num)
			}
			return nil
		}
		// strconv rounds correctly; fastjson's Float64 does not always
		// ("1.5e-5" gave 1.5000000000000002e-05), and its Int64 builds an
		// error with fmt for every float. Out of range gives ±Inf.
		if bytes.IndexAny(d.num, ".eE") < 0 {
			if i, err := strconv.ParseInt(string(d.num), 10, 64); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(string(d.num), 64)
		return f
	case fastjson.TypeTrue:
		return true
	case fastjson.TypeFalse:
		return false
	default:
		return nil
	}
}

// validJSONNumber reports whether b is a number in JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validJSONNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}
