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
	for i := range e.fields.entries {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		en := &e.fields.entries[i]
		dst = AppendJSONString(dst, en.key)
		dst = append(dst, ':')
		dst = AppendJSONValue(dst, en.val)
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
		for i := range t.entries {
			if i > 0 {
				dst = append(dst, ',')
			}
			en := &t.entries[i]
			dst = AppendJSONString(dst, en.key)
			dst = append(dst, ':')
			dst = AppendJSONValue(dst, en.val)
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
		// Skip 8 plain bytes at a time (no control character, quote,
		// backslash or non-ASCII byte among them).
		for i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if needsEscape8(x) {
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
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

const (
	lsb8 = 0x0101010101010101
	msb8 = 0x8080808080808080
)

// needsEscape8 reports whether any of the 8 bytes in x is below 0x20, a
// quote, a backslash or non-ASCII.
func needsEscape8(x uint64) bool {
	zero := func(v uint64) uint64 { return (v - lsb8) &^ v & msb8 }
	return (x&msb8)|((x-lsb8*0x20)&^x&msb8)|zero(x^(lsb8*'"'))|zero(x^(lsb8*'\\')) != 0
}

// ErrJSONNotObject is returned by JSONDecoder.DecodeEvents for JSON that is
// neither an object nor an array of objects.
var ErrJSONNotObject = errors.New("JSON is not an object or an array of objects")

// JSONDecoder decodes JSON text into event values. It reuses its parser,
// its scratch buffers and a cache of object keys, so it is not safe for
// concurrent use: keep one per goroutine (one per connection in a codec
// decoder).
//
// All string values of one document share a single allocation: a first
// walk over fastjson's tree gathers their bytes, one string is made of
// them, and the values are slices of it.
type JSONDecoder struct {
	p    fastjson.Parser
	keys [keyCacheSize]string
	num  []byte // scratch for a number's text
	err  error  // first invalid number met by convert

	arena []byte   // string values of the current document
	ends  []int    // end offset in arena of each string value, in walk order
	strs  []string // the string values, slices of one string made of arena
	next  int      // index into strs of the next string to hand out
}

// keyCacheSize is the number of slots of the direct-mapped key cache.
const keyCacheSize = 512

// maxCachedKey is the longest key the cache keeps.
const maxCachedKey = 64

// smallInts holds boxed integers 0..1023 so that common numbers (status
// codes, line numbers, ports below 1024) cost no allocation. Read-only.
var smallInts = func() (t [1024]any) {
	for i := range t {
		t[i] = int64(i)
	}
	return t
}()

// errJSONNumber reports a number fastjson let through that JSON (and Jackson,
// hence Logstash) rejects: "+1", "01", ".5", "1.", "NaN", "1-2".
var errJSONNumber = errors.New("invalid number")

// DecodeValue parses data into an event value (*Map, []any, string, ...).
func (d *JSONDecoder) DecodeValue(data []byte) (any, error) {
	v, err := d.p.ParseBytes(data)
	if err != nil {
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	d.gather(v)
	x := d.convert(v)
	if err := d.takeErr(); err != nil {
		return nil, err
	}
	return x, nil
}

// gather collects the string values of the document: one string holds
// them all and strs slices it, so a document's strings cost two
// allocations however many there are.
func (d *JSONDecoder) gather(v *fastjson.Value) {
	d.arena, d.ends, d.next = d.arena[:0], d.ends[:0], 0
	d.collect(v)
	d.strs = nil
	if len(d.ends) > 0 {
		all := string(d.arena)
		bad := !utf8.ValidString(all)
		d.strs = make([]string, len(d.ends))
		start := 0
		for i, end := range d.ends {
			d.strs[i] = all[start:end]
			if bad {
				d.strs[i] = ValidUTF8(d.strs[i])
			}
			start = end
		}
	}
	if cap(d.arena) > 1<<20 {
		d.arena = nil // don't keep a huge document's buffer
	}
}

func (d *JSONDecoder) collect(v *fastjson.Value) {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		d.arena = append(d.arena, b...)
		d.ends = append(d.ends, len(d.arena))
	case fastjson.TypeNumber:
		// Checked here so that building values cannot fail afterwards
		// and events can be handed out as they are built.
		d.num = v.MarshalTo(d.num[:0])
		if !validJSONNumber(d.num) && d.err == nil {
			d.err = fmt.Errorf("%w %q", errJSONNumber, d.num)
		}
	case fastjson.TypeArray:
		arr, _ := v.Array()
		for _, x := range arr {
			d.collect(x)
		}
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(_ []byte, x *fastjson.Value) { d.collect(x) })
	}
}

// str returns the next string value gathered, as an event value.
func (d *JSONDecoder) str() any {
	p := &d.strs[d.next]
	d.next++
	return stringValue(p)
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
// for blank input (as Logstash's Event.fromJson). The rules of EventFromMap
// apply to each. Every error is found before the first event is emitted,
// and events are emitted as they are built.
func (d *JSONDecoder) DecodeEvents(data []byte, emit func(*Event)) error {
	if isBlank(data) {
		return nil
	}
	if len(data) >= largeDocument {
		return d.decodeLarge(data, emit)
	}
	return d.decodeFast(data, emit)
}

// decodeFast is DecodeEvents through fastjson's tree.
func (d *JSONDecoder) decodeFast(data []byte, emit func(*Event)) error {
	v, err := d.p.ParseBytes(data)
	if err != nil {
		return fmt.Errorf("parse JSON: %w", err)
	}
	switch v.Type() {
	case fastjson.TypeObject:
	case fastjson.TypeArray:
		arr, _ := v.Array()
		for _, x := range arr {
			if x.Type() != fastjson.TypeObject {
				return fmt.Errorf("%w: array element is %s", ErrJSONNotObject, x.Type())
			}
		}
	default:
		return fmt.Errorf("%w: got %s", ErrJSONNotObject, v.Type())
	}
	d.gather(v)
	if err := d.takeErr(); err != nil {
		return err
	}
	if v.Type() == fastjson.TypeObject {
		emit(d.event(v))
		return nil
	}
	// One event at a time: a long array never exists as events all at once
	// unless the caller keeps them.
	arr, _ := v.Array()
	for _, x := range arr {
		emit(d.event(x))
	}
	return nil
}

// event builds an event straight from a top-level object.
func (d *JSONDecoder) event(v *fastjson.Value) *Event {
	o, _ := v.Object()
	e := newEventFor(o.Len() + 1) // +1: room for @version
	var ts any
	var hasTS bool
	o.Visit(func(k []byte, x *fastjson.Value) {
		val := d.convert(x)
		if string(k) == TimestampField {
			ts, hasTS = val, true
			return
		}
		e.fields.Set(d.key(k), val)
	})
	e.adopt(ts, hasTS)
	return e
}

// key returns b as a string, from the decoder's cache when it was seen
// before, so the keys of a stream of similar events cost no allocation.
func (d *JSONDecoder) key(b []byte) string {
	if len(b) > maxCachedKey {
		return ValidUTF8(string(b))
	}
	h := uint32(len(b))
	for _, c := range b {
		h = h*31 + uint32(c)
	}
	slot := &d.keys[h%keyCacheSize]
	if *slot == string(b) {
		return *slot
	}
	s := ValidUTF8(string(b))
	*slot = s
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
		return d.str()
	case fastjson.TypeNumber:
		// gather has checked the number's syntax.
		d.num = v.MarshalTo(d.num[:0])
		if i, ok := parseSmallInt(d.num); ok {
			if i >= 0 && i < int64(len(smallInts)) {
				return smallInts[i]
			}
			return i
		}
		// strconv rounds correctly; fastjson's Float64 does not always
		// ("1.5e-5" gave 1.5000000000000002e-05). Integers beyond int64
		// become floats; out of range gives ±Inf.
		if !bytes.ContainsAny(d.num, ".eE") {
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

// parseSmallInt parses a JSON integer of up to 18 digits without
// allocating; ok is false for anything else (floats, longer integers).
func parseSmallInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
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
