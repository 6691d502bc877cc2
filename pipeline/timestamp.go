package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Timestamp is an instant in UTC, the type of @timestamp. It prints as
// Logstash does: ISO-8601 with 3, 6 or 9 fraction digits, the fewest that
// hold the value (".000Z" for whole seconds).
type Timestamp struct {
	t time.Time
}

// NewTimestamp returns t as a Timestamp (converted to UTC).
func NewTimestamp(t time.Time) Timestamp { return Timestamp{t: t.UTC()} }

// Now returns the current time as a Timestamp.
func Now() Timestamp { return Timestamp{t: time.Now().UTC()} }

// Time returns the instant as a time.Time in UTC.
func (ts Timestamp) Time() time.Time { return ts.t }

// IsZero reports whether ts is the zero Timestamp.
func (ts Timestamp) IsZero() bool { return ts.t.IsZero() }

// String returns the ISO-8601 form, e.g. 2014-11-04T12:37:17.477Z.
func (ts Timestamp) String() string { return string(ts.AppendISO(make([]byte, 0, 30))) }

// AppendISO appends the ISO-8601 form to dst.
func (ts Timestamp) AppendISO(dst []byte) []byte {
	t := ts.t
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	switch {
	case year > 9999:
		// java.time's ISO_INSTANT signs years beyond four digits.
		dst = append(dst, '+')
		dst = strconv.AppendInt(dst, int64(year), 10)
	case year < 0:
		dst = t.AppendFormat(dst, "2006") // -0001, -10000
	default:
		dst = append4(dst, year)
	}
	dst = append(dst, '-')
	dst = append2(dst, int(month))
	dst = append(dst, '-')
	dst = append2(dst, day)
	dst = append(dst, 'T')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, min)
	dst = append(dst, ':')
	dst = append2(dst, sec)
	dst = append(dst, '.')
	ns := t.Nanosecond()
	switch {
	case ns%1_000_000 == 0:
		dst = appendN(dst, ns/1_000_000, 3)
	case ns%1_000 == 0:
		dst = appendN(dst, ns/1_000, 6)
	default:
		dst = appendN(dst, ns, 9)
	}
	return append(dst, 'Z')
}

func append2(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }

func append4(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

func appendN(dst []byte, v, n int) []byte {
	var buf [9]byte
	for i := n - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:n]...)
}

// errTimestamp is returned by ParseTimestamp for text it cannot read.
var errTimestamp = errors.New("invalid ISO-8601 timestamp")

// ParseTimestamp parses an ISO-8601 timestamp leniently, as Logstash does for
// @timestamp strings: a date, optionally followed by 'T' or a space and a
// time with optional seconds and 1 to 9 fraction digits ('.' or ','), and
// an optional zone (Z, ±hh, ±hhmm, ±hh:mm). A missing zone means UTC.
// A year beyond four digits carries a sign ("+10000", "-0001"), as java.time
// reads and prints it; 24:00 is midnight at the end of the day.
func ParseTimestamp(s string) (Timestamp, error) {
	p := tsParser{s: s}
	year, ok := p.year()
	if !ok || !p.eat('-') {
		return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
	}
	month := p.digits(2)
	if month < 1 || month > 12 || !p.eat('-') {
		return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
	}
	day := p.digits(2)
	if day < 1 || day > 31 {
		return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
	}
	var hour, min, sec, nsec int
	loc := time.UTC
	if p.eat('T') || p.eat('t') || p.eat(' ') {
		hour = p.digits(2)
		if hour < 0 || hour > 24 || !p.eat(':') {
			return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
		}
		min = p.digits(2)
		if min < 0 || min > 59 {
			return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
		}
		if p.eat(':') {
			sec = p.digits(2)
			if sec < 0 || sec > 59 {
				return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
			}
			if p.eat('.') || p.eat(',') {
				n := 0
				for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
					if n < 9 {
						nsec = nsec*10 + int(p.s[p.i]-'0')
					}
					n++
					p.i++
				}
				if n == 0 || n > 9 {
					return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
				}
				for ; n < 9; n++ {
					nsec *= 10
				}
			}
		}
		if hour == 24 && (min != 0 || sec != 0 || nsec != 0) {
			return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
		}
	}
	if p.i < len(p.s) {
		switch p.s[p.i] {
		case 'Z', 'z':
			p.i++
		case '+', '-':
			sign := 1
			if p.s[p.i] == '-' {
				sign = -1
			}
			p.i++
			oh := p.digits(2)
			if oh < 0 || oh > 18 {
				return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
			}
			om := 0
			if p.eat(':') {
				if om = p.digits(2); om < 0 {
					return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
				}
			} else if p.i < len(p.s) {
				if om = p.digits(2); om < 0 {
					return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
				}
			}
			if om > 59 || oh*60+om > 18*60 {
				return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
			}
			loc = time.FixedZone("", sign*(oh*3600+om*60))
		}
	}
	if p.i != len(p.s) {
		return Timestamp{}, fmt.Errorf("%w: %q", errTimestamp, s)
	}
	// Check the date before the time can roll it over (24:00).
	if time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() != day {
		return Timestamp{}, fmt.Errorf("%w: %q (no such day)", errTimestamp, s)
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, nsec, loc)
	return Timestamp{t: t.UTC()}, nil
}

type tsParser struct {
	s string
	i int
}

func (p *tsParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// year reads a year: four digits, or a sign and more digits ("+" needs at
// least five, as java.time's ISO_LOCAL_DATE requires).
func (p *tsParser) year() (int, bool) {
	sign := 0
	if p.eat('+') {
		sign = 1
	} else if p.eat('-') {
		sign = -1
	}
	start, v := p.i, 0
	for p.i < len(p.s) && p.i-start < 10 && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
	}
	switch n := p.i - start; {
	case sign == 0 && n != 4, sign > 0 && n < 5, sign < 0 && n < 4:
		return 0, false
	}
	if sign < 0 {
		v = -v
	}
	return v, true
}

// digits reads exactly n decimal digits, or returns -1.
func (p *tsParser) digits(n int) int {
	if p.i+n > len(p.s) {
		return -1
	}
	v := 0
	for k := 0; k < n; k++ {
		c := p.s[p.i+k]
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
