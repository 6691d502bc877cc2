package mutate

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pipeproject/pipe/pipeline"
)

// convKind is a convert target.
type convKind uint8

// The convert targets.
const (
	convString convKind = iota
	convInteger
	convFloat
	convBoolean
	convIntegerEU
	convFloatEU
)

// convertNames are the targets by kind, in Logstash's order.
var convertNames = []string{"string", "integer", "float", "boolean", "integer_eu", "float_eu"}

var convertKinds = map[string]convKind{
	"string": convString, "integer": convInteger, "float": convFloat,
	"boolean": convBoolean, "integer_eu": convIntegerEU, "float_eu": convFloatEU,
}

type convertOp struct {
	ref  pipeline.FieldRef
	kind convKind
}

// Logstash's boolean patterns, as written there: the "." in "1.0" is any
// character and ^ $ match at line ends (Ruby's anchors).
var (
	trueRe  = regexp.MustCompile(`(?im)^(true|t|yes|y|1|1.0)$`)
	falseRe = regexp.MustCompile(`(?im)^(false|f|no|n|0|0.0)$`)
)

// errConvert is wrapped by every conversion that Logstash raises on.
var errConvert = errors.New("cannot convert")

// convertValue converts one non-nil value as Logstash 8.14+ does (its
// strict conversions, on JRuby 10): integer and float take strings that
// Ruby's Float() accepts and raise on others, which fails the filter.
func convertValue(k convKind, v any) (any, error) {
	switch k {
	case convString:
		return rubyToS(v), nil
	case convBoolean:
		s := rubyToS(v)
		if trueRe.MatchString(s) {
			return true, nil
		}
		if s == "" || falseRe.MatchString(s) {
			return false, nil
		}
		return v, nil // Logstash logs a warning and keeps the value
	case convIntegerEU:
		return toInteger(swapEU(v))
	case convFloatEU:
		return toFloat(swapEU(v))
	case convInteger:
		return toInteger(v)
	case convFloat:
		return toFloat(v)
	}
	return nil, fmt.Errorf("%w: unknown conversion %d", errConvert, k)
}

// swapEU exchanges "," and "." in a string (Logstash's tr(",.", ".,")).
func swapEU(v any) any {
	s, ok := v.(string)
	if !ok || !strings.ContainsAny(s, ",.") {
		return v
	}
	b := []byte(s)
	for i, c := range b {
		switch c {
		case ',':
			b[i] = '.'
		case '.':
			b[i] = ','
		}
	}
	return string(b)
}

// numberText is Logstash's preparation of a string for a number: strip,
// then delete every comma (a group separator).
func numberText(s string) string {
	s = rubyStrip(s)
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", "")
	}
	return s
}

func toInteger(v any) (any, error) {
	switch t := v.(type) {
	case bool:
		if t {
			return int64(1), nil
		}
		return int64(0), nil
	case int64:
		return t, nil
	case float64:
		return floatToInteger(t)
	case pipeline.Timestamp:
		return t.Time().Unix(), nil // Integer(timestamp) is its to_i
	case string:
		s := numberText(t)
		f, err := rubyFloat(s)
		if err != nil {
			return nil, err
		}
		if strings.IndexByte(s, '.') < 0 {
			return rubyInteger(s)
		}
		return floatToInteger(f)
	}
	return nil, fmt.Errorf("%w %s into Integer", errConvert, pipeline.TypeName(v))
}

// floatToInteger truncates as Ruby's Integer(float). Integers beyond 64
// bits stay floats (Ruby makes a Bignum).
func floatToInteger(f float64) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%w %v into Integer", errConvert, f)
	}
	f = math.Trunc(f)
	if f >= -(1<<63) && f < 1<<63 {
		return int64(f), nil
	}
	return f, nil
}

func toFloat(v any) (any, error) {
	switch t := v.(type) {
	case bool:
		if t {
			return 1.0, nil
		}
		return 0.0, nil
	case float64:
		return t, nil
	case int64:
		return float64(t), nil
	case pipeline.Timestamp:
		tm := t.Time()
		return float64(tm.Unix()) + float64(tm.Nanosecond())/1e9, nil
	case string:
		f, err := rubyFloat(numberText(t))
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	return nil, fmt.Errorf("%w %s into Float", errConvert, pipeline.TypeName(v))
}

// digitsRun reports the end of a run of digits (for base) in s from i,
// with single underscores allowed between digits as Ruby does, and whether
// the run is well formed (non-empty, no leading, trailing or double
// underscore).
func digitsRun(s string, i int, hex bool) (end int, ok bool) {
	start := i
	prevUnderscore := false
	for i < len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			prevUnderscore = false
		case c == '_':
			if i == start || prevUnderscore {
				return i, false
			}
			prevUnderscore = true
		default:
			return i, i > start && !prevUnderscore
		}
		i++
	}
	return i, i > start && !prevUnderscore
}

func invalidFloat(s string) error {
	return fmt.Errorf("%w: invalid value for Float(): %q", errConvert, s)
}

// rubyFloat parses s as Ruby's Kernel#Float does: surrounding whitespace,
// a sign, decimal digits with single underscores between them, an
// optional fraction and exponent, or a hexadecimal number ("0x1A",
// "0x1.8p1").
func rubyFloat(s string) (float64, error) {
	t := rubyStrip(s)
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	if i+1 < len(t) && t[i] == '0' && (t[i+1] == 'x' || t[i+1] == 'X') {
		return hexFloat(t, i+2)
	}
	if i < len(t) && t[i] != '.' {
		end, ok := digitsRun(t, i, false)
		if !ok {
			return 0, invalidFloat(s)
		}
		i = end
	} else if i == len(t) {
		return 0, invalidFloat(s)
	}
	if i < len(t) && t[i] == '.' {
		end, ok := digitsRun(t, i+1, false)
		if !ok {
			return 0, invalidFloat(s)
		}
		i = end
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		end, ok := digitsRun(t, i, false)
		if !ok {
			return 0, invalidFloat(s)
		}
		i = end
	}
	if i != len(t) {
		return 0, invalidFloat(s)
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, invalidFloat(s)
	}
	return f, nil // out of range: ±Inf or 0, as Ruby
}

// hexFloat parses the hexadecimal form of Float(); digits start at i.
func hexFloat(t string, i int) (float64, error) {
	end, ok := digitsRun(t, i, true)
	if !ok {
		return 0, invalidFloat(t)
	}
	if end == len(t) {
		u, err := strconv.ParseUint(strings.ReplaceAll(t[i:end], "_", ""), 16, 64)
		f := float64(u)
		if err != nil {
			// Beyond 64 bits: let ParseFloat round it.
			f, err = strconv.ParseFloat("0x"+strings.ReplaceAll(t[i:end], "_", "")+"p0", 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return 0, invalidFloat(t)
			}
		}
		if t[0] == '-' {
			f = -f
		}
		return f, nil
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, invalidFloat(t)
	}
	return f, nil
}

// rubyInteger parses s as Ruby's Kernel#Integer does for the strings that
// Float() accepted and that have no ".": a sign, then "0x" hexadecimal, a
// leading "0" for octal, or decimal; underscores between digits. An
// exponent ("1e3") is invalid. Beyond 64 bits the value is a float.
func rubyInteger(s string) (any, error) {
	t := rubyStrip(s)
	neg := false
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		neg = t[i] == '-'
		i++
	}
	base := 10
	switch {
	case i+1 < len(t) && t[i] == '0' && (t[i+1] == 'x' || t[i+1] == 'X'):
		base, i = 16, i+2
	case i+1 < len(t) && t[i] == '0':
		base, i = 8, i+1
		if t[i] == '_' {
			i++
		}
	}
	end, ok := digitsRun(t, i, base == 16)
	if !ok || end != len(t) {
		return nil, fmt.Errorf("%w: invalid value for Integer(): %q", errConvert, s)
	}
	digits := strings.ReplaceAll(t[i:end], "_", "")
	if base == 8 && strings.ContainsAny(digits, "89") {
		return nil, fmt.Errorf("%w: invalid value for Integer(): %q", errConvert, s)
	}
	if neg {
		digits = "-" + digits
	}
	n, err := strconv.ParseInt(digits, base, 64)
	if err == nil {
		return n, nil
	}
	// Beyond 64 bits.
	f, ferr := rubyFloat(t)
	if ferr != nil {
		return nil, fmt.Errorf("%w: invalid value for Integer(): %q", errConvert, s)
	}
	return math.Trunc(f), nil
}

// rubyToS renders a value as Ruby's to_s: floats in Ruby's format, lists
// and hashes as Ruby's inspect, a timestamp in ISO-8601, nil as "".
func rubyToS(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case float64:
		return string(pipeline.AppendRubyFloat(nil, t))
	case []any, *pipeline.Map:
		return string(appendInspect(nil, v))
	}
	return pipeline.ValueString(v)
}

// appendInspect appends v as Ruby's inspect (Ruby 3.4's hash layout).
func appendInspect(dst []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(dst, "nil"...)
	case string:
		return strconv.AppendQuote(dst, t)
	case float64:
		return pipeline.AppendRubyFloat(dst, t)
	case []any:
		dst = append(dst, '[')
		for i, x := range t {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = appendInspect(dst, x)
		}
		return append(dst, ']')
	case *pipeline.Map:
		dst = append(dst, '{')
		for i := range t.Len() {
			k, x := t.At(i)
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = strconv.AppendQuote(dst, k)
			dst = append(dst, " => "...)
			dst = appendInspect(dst, x)
		}
		return append(dst, '}')
	}
	return pipeline.AppendValueString(dst, v)
}

// appendJoin appends Ruby's Array#join: elements as to_s, nested lists
// joined with the same separator, nil as "".
func appendJoin(dst []byte, l []any, sep string) []byte {
	for i, x := range l {
		if i > 0 {
			dst = append(dst, sep...)
		}
		switch t := x.(type) {
		case string:
			dst = append(dst, t...)
		case []any:
			dst = appendJoin(dst, t, sep)
		case float64:
			dst = pipeline.AppendRubyFloat(dst, t)
		case *pipeline.Map:
			dst = appendInspect(dst, t)
		case nil:
		default:
			dst = pipeline.AppendValueString(dst, t)
		}
	}
	return dst
}

// rubyWhitespace is what Ruby's String#strip removes: NUL, tab, line
// feed, vertical tab, form feed, carriage return and space (no Unicode
// spaces).
const rubyWhitespace = "\x00\t\n\v\f\r "

func rubyStrip(s string) string { return strings.Trim(s, rubyWhitespace) }

// rubySplit is Ruby's String#split with a string separator: a single
// space splits on runs of whitespace ignoring leading whitespace, an empty
// separator splits into characters, anything else splits on the text; in
// every case trailing empty strings are dropped.
func rubySplit(s, sep string) []any {
	var parts []string
	switch sep {
	case " ":
		parts = strings.FieldsFunc(s, func(r rune) bool {
			return r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r'
		})
	case "":
		parts = make([]string, 0, utf8.RuneCountInString(s))
		for rest := s; rest != ""; {
			_, n := utf8.DecodeRuneInString(rest)
			parts = append(parts, rest[:n])
			rest = rest[n:]
		}
	default:
		// Straight into the list: no []string in between.
		out := make([]any, 0, strings.Count(s, sep)+1)
		for {
			i := strings.Index(s, sep)
			if i < 0 {
				break
			}
			out = append(out, s[:i])
			s = s[i+len(sep):]
		}
		out = append(out, s)
		for len(out) > 0 && out[len(out)-1] == "" {
			out = out[:len(out)-1]
		}
		return out
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}

func upcase(s string) string   { return strings.ToUpper(s) }
func downcase(s string) string { return strings.ToLower(s) }

// capitalize is Ruby's String#capitalize: the first character in title
// case, the rest in lower case.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	first := unicode.ToTitle(r)
	rest := strings.ToLower(s[n:])
	if first == r && rest == s[n:] {
		return s
	}
	return string(first) + rest
}
