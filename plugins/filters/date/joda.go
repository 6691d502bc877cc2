package date

import (
	"fmt"
	"strings"
	"time"
)

// Joda-Time pattern parsing. A pattern is compiled once, at config time, into
// a slice of steps; parsing walks the steps over the text, saving the values
// it reads into a bucket, and resolving the bucket into a local date-time
// follows Joda's DateTimeParserBucket: fields are applied from the largest
// (era, year) to the smallest (millisecond), a field that is not given keeps
// the value of 1970-01-01T00:00:00.000, and when the largest field given is a
// month or a day the year is the default year.

// field is a date-time field a step can save, in the order Joda applies
// them (largest duration first, then largest range).
type field uint8

const (
	fEra field = iota
	fCentury
	fYearOfEra
	fYear
	fWeekyear
	fMonth
	fWeek
	fDayOfYear
	fDayOfMonth
	fDayOfWeek
	fHalfday
	fHourOfDay
	fClockhourOfDay
	fHourOfHalfday
	fClockhourOfHalfday
	fMinute
	fSecond
	fMillis
	nFields
)

// bit returns f's bit in bucket.set.
func (f field) bit() uint32 { return 1 << f }

// Masks of fields.
const (
	yearFields = 1<<fEra | 1<<fCentury | 1<<fYearOfEra | 1<<fYear | 1<<fWeekyear
	// dayFields are the fields whose duration lies between a day and a
	// month: when the largest field given is one of them, the year is the
	// default year.
	dayFields = 1<<fMonth | 1<<fWeek | 1<<fDayOfYear | 1<<fDayOfMonth | 1<<fDayOfWeek
)

// stepKind is what a step reads.
type stepKind uint8

const (
	stLiteral      stepKind = iota // lit, case-insensitively
	stNumber                       // up to max digits (a sign first when signed)
	stTwoDigitYear                 // yy: two digits around the pivot year
	stFraction                     // up to max digits of a second, kept to the millisecond
	stText                         // a month, day, halfday or era name
	stOffset                       // Z, ZZ: "Z", +hh, +hhmm, +hh:mm (seconds and millis allowed)
	stZoneID                       // ZZZ: a zone ID such as Europe/Paris
	stZoneName                     // z, zzzz: UTC, GMT, EST, PDT, ...
)

// step is one compiled element of a pattern.
type step struct {
	kind    stepKind
	field   field
	max     int
	signed  bool
	lenient bool // stTwoDigitYear: other digit counts are taken as they are
	lit     string
}

// bucket holds what a parse read.
type bucket struct {
	vals      [nFields]int
	set       uint32
	offsetMs  int64 // stOffset
	hasOffset bool
	zone      *time.Location // stZoneID, stZoneName
}

func (b *bucket) save(f field, v int) {
	b.vals[f] = v
	b.set |= f.bit()
}

// jodaParser is a compiled Joda-Time pattern.
type jodaParser struct {
	pattern string
	steps   []step
	// hasYear and hasZone are Logstash's checks: the pattern holds a 'y'
	// or 'Y', and a 'Z' (anywhere, quoted text included).
	hasYear, hasZone bool
	pivot            int // two-digit years fall in [pivot-50, pivot+49]
	names            *localeNames
	zones            *zoneCache // ZZZ and z
}

// patternError is an invalid pattern.
type patternError struct {
	msg string
}

func (e *patternError) Error() string { return e.msg }

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// token returns the token of pattern p at i (a run of one letter, or
// literal text with quotes resolved, marked by a leading quote) and the
// index after it, as Joda's DateTimeFormat.parseToken.
func token(p string, i int) (string, int) {
	c := p[i]
	if isLetter(c) {
		j := i + 1
		for j < len(p) && p[j] == c {
			j++
		}
		return p[i:j], j
	}
	var b strings.Builder
	b.WriteByte('\'')
	inQuote := false
	for ; i < len(p); i++ {
		c = p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				i++
				b.WriteByte('\'')
			} else {
				inQuote = !inQuote
			}
		case !inQuote && isLetter(c):
			return b.String(), i
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), i
}

// numericToken reports whether a token reads digits (Joda's
// isNumericToken); a year next to one reads at most its own width.
func numericToken(t string) bool {
	if t == "" {
		return false
	}
	switch t[0] {
	case 'c', 'C', 'x', 'y', 'Y', 'd', 'h', 'H', 'm', 's', 'S', 'e', 'D', 'F', 'w', 'W', 'k', 'K':
		return true
	case 'M':
		return len(t) <= 2
	}
	return false
}

// compileJoda compiles a Joda-Time pattern. pivot is the current year
// minus 30 (two-digit years); names are the locale's texts.
func compileJoda(pattern string, pivot int, names *localeNames, zones *zoneCache) (*jodaParser, error) {
	if pattern == "" {
		return nil, &patternError{"empty pattern"}
	}
	p := &jodaParser{pattern: pattern, pivot: pivot, names: names, zones: zones,
		hasYear: strings.ContainsAny(pattern, "yY"), hasZone: strings.Contains(pattern, "Z")}
	for i := 0; i < len(pattern); {
		tok, next := token(pattern, i)
		nextNumeric := false
		if next < len(pattern) {
			t2, _ := token(pattern, next)
			nextNumeric = numericToken(t2)
		}
		i = next
		n := len(tok)
		switch c := tok[0]; c {
		case '\'':
			if n > 1 {
				p.steps = append(p.steps, step{kind: stLiteral, lit: tok[1:]})
			}
		case 'G':
			p.steps = append(p.steps, step{kind: stText, field: fEra})
		case 'C':
			p.steps = append(p.steps, step{kind: stNumber, field: fCentury, max: n})
		case 'x', 'y', 'Y':
			f := fYear
			switch c {
			case 'x':
				f = fWeekyear
			case 'Y':
				f = fYearOfEra
			}
			if n == 2 {
				if f == fYearOfEra {
					f = fYear
				}
				p.steps = append(p.steps, step{kind: stTwoDigitYear, field: f, lenient: !nextNumeric})
				continue
			}
			maxDigits := 9
			if nextNumeric {
				maxDigits = n
			}
			p.steps = append(p.steps, step{kind: stNumber, field: f, max: maxDigits, signed: c != 'Y'})
		case 'M':
			if n >= 3 {
				p.steps = append(p.steps, step{kind: stText, field: fMonth})
			} else {
				p.steps = append(p.steps, step{kind: stNumber, field: fMonth, max: 2})
			}
		case 'd':
			p.steps = append(p.steps, step{kind: stNumber, field: fDayOfMonth, max: 2})
		case 'a':
			p.steps = append(p.steps, step{kind: stText, field: fHalfday})
		case 'h':
			p.steps = append(p.steps, step{kind: stNumber, field: fClockhourOfHalfday, max: 2})
		case 'H':
			p.steps = append(p.steps, step{kind: stNumber, field: fHourOfDay, max: 2})
		case 'k':
			p.steps = append(p.steps, step{kind: stNumber, field: fClockhourOfDay, max: 2})
		case 'K':
			p.steps = append(p.steps, step{kind: stNumber, field: fHourOfHalfday, max: 2})
		case 'm':
			p.steps = append(p.steps, step{kind: stNumber, field: fMinute, max: 2})
		case 's':
			p.steps = append(p.steps, step{kind: stNumber, field: fSecond, max: 2})
		case 'S':
			// Joda reads at most 18 digits, whatever the pattern says.
			p.steps = append(p.steps, step{kind: stFraction, field: fMillis, max: min(n, 18)})
		case 'e':
			p.steps = append(p.steps, step{kind: stNumber, field: fDayOfWeek, max: 1})
		case 'E':
			p.steps = append(p.steps, step{kind: stText, field: fDayOfWeek})
		case 'D':
			p.steps = append(p.steps, step{kind: stNumber, field: fDayOfYear, max: 3})
		case 'w':
			p.steps = append(p.steps, step{kind: stNumber, field: fWeek, max: 2})
		case 'z':
			p.steps = append(p.steps, step{kind: stZoneName})
		case 'Z':
			if n >= 3 {
				p.steps = append(p.steps, step{kind: stZoneID})
			} else {
				p.steps = append(p.steps, step{kind: stOffset})
			}
		default:
			return nil, &patternError{fmt.Sprintf("unknown pattern letter %q (in %q); quote literal text: 'T'", string(c), tok)}
		}
	}
	if len(p.steps) == 0 {
		return nil, &patternError{"the pattern reads nothing"}
	}
	// Merge adjacent literals.
	out := p.steps[:0]
	for _, s := range p.steps {
		if s.kind == stLiteral && len(out) > 0 && out[len(out)-1].kind == stLiteral {
			out[len(out)-1].lit += s.lit
			continue
		}
		out = append(out, s)
	}
	p.steps = out
	return p, nil
}

// parse runs the steps over s; the whole text must be read.
func (p *jodaParser) parse(s string, b *bucket) bool {
	i := 0
	for k := range p.steps {
		st := &p.steps[k]
		var ok bool
		switch st.kind {
		case stLiteral:
			i, ok = matchLiteral(s, i, st.lit)
		case stNumber:
			var v int
			v, i, ok = readNumber(s, i, st.max, st.signed)
			if ok {
				b.save(st.field, v)
			}
		case stTwoDigitYear:
			i, ok = p.twoDigitYear(s, i, st, b)
		case stFraction:
			var ms int
			ms, i, ok = readFraction(s, i, st.max, 1000)
			if ok {
				b.save(fMillis, ms)
			}
		case stText:
			var v int
			v, i, ok = p.names.match(st.field, s, i)
			if ok {
				b.save(st.field, v)
			}
		case stOffset:
			var off int64
			off, i, ok = readOffset(s, i)
			if ok {
				b.offsetMs, b.hasOffset = off, true
			}
		case stZoneID:
			var loc *time.Location
			loc, i, ok = p.zones.readZoneID(s, i)
			if ok {
				b.zone = loc
			}
		case stZoneName:
			var loc *time.Location
			loc, i, ok = p.zones.readZoneName(s, i)
			if ok {
				b.zone = loc
			}
		}
		if !ok {
			return false
		}
	}
	return i == len(s)
}

// matchLiteral matches lit at s[i:], ignoring case as Joda does.
func matchLiteral(s string, i int, lit string) (int, bool) {
	if len(s)-i < len(lit) {
		return i, false
	}
	t := s[i : i+len(lit)]
	if t == lit || strings.EqualFold(t, lit) {
		return i + len(lit), true
	}
	return i, false
}

// readNumber reads 1 to max digits (after a '+' or '-' when signed), as
// Joda's NumberFormatter: a pattern's width is a minimum for printing only.
func readNumber(s string, i, max int, signed bool) (int, int, bool) {
	neg := false
	if signed && i < len(s) && (s[i] == '-' || s[i] == '+') {
		if i+1 >= len(s) || s[i+1] < '0' || s[i+1] > '9' || max < 1 {
			return 0, i, false
		}
		neg = s[i] == '-'
		i++
	}
	v, n := 0, 0
	for n < max && i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '9' {
		v = v*10 + int(s[i+n]-'0')
		n++
	}
	if n == 0 {
		return 0, i, false
	}
	if neg {
		v = -v
	}
	return v, i + n, true
}

// readFraction reads 1 to max digits of a fraction of a unit of unitMs
// milliseconds and returns it in milliseconds, truncated (Joda's Fraction).
func readFraction(s string, i, max int, unitMs int64) (int, int, bool) {
	var v int64
	scale := unitMs * 10
	n := 0
	for n < max && i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '9' {
		scale /= 10
		v += int64(s[i+n]-'0') * scale
		n++
	}
	if n == 0 {
		return 0, i, false
	}
	return int(v / 10), i + n, true
}

// twoDigitYear reads yy: exactly two digits are a year within 50 years of
// the pivot; when lenient (the next pattern element is not a number), other
// digit counts and signs are the year as written.
func (p *jodaParser) twoDigitYear(s string, i int, st *step, b *bucket) (int, bool) {
	if st.lenient {
		j, neg := i, false
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			neg = s[j] == '-'
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' && k-j < 10 {
			k++
		}
		if k == j {
			return i, false
		}
		if j != i || k-j != 2 {
			v := 0
			for _, c := range []byte(s[j:k]) {
				v = v*10 + int(c-'0')
			}
			if neg {
				v = -v
			}
			b.save(st.field, v)
			return k, true
		}
	}
	if len(s)-i < 2 || s[i] < '0' || s[i] > '9' || s[i+1] < '0' || s[i+1] > '9' {
		return i, false
	}
	y := int(s[i]-'0')*10 + int(s[i+1]-'0')
	low := p.pivot - 50
	var t int
	if low >= 0 {
		t = low % 100
	} else {
		t = 99 + (low+1)%100
	}
	if y < t {
		y += 100
	}
	y += low - t
	b.save(st.field, y)
	return i + 2, true
}

// readOffset reads a zone offset as Joda's TimeZoneOffset parser: "Z"
// (any case), or a sign, two hour digits and optionally minutes, seconds
// and milliseconds, with or without ':' separators.
func readOffset(s string, i int) (int64, int, bool) {
	if i < len(s) && (s[i] == 'Z' || s[i] == 'z') {
		return 0, i + 1, true
	}
	if len(s)-i <= 1 || (s[i] != '+' && s[i] != '-') {
		return 0, i, false
	}
	neg := s[i] == '-'
	i++
	two := func(j int) (int, bool) {
		if len(s)-j < 2 || s[j] < '0' || s[j] > '9' || s[j+1] < '0' || s[j+1] > '9' {
			return 0, false
		}
		return int(s[j]-'0')*10 + int(s[j+1]-'0'), true
	}
	digit := func(j int) bool { return j < len(s) && s[j] >= '0' && s[j] <= '9' }
	h, ok := two(i)
	if !ok || h > 23 {
		return 0, i, false
	}
	off := int64(h) * 3600_000
	i += 2
	done := func() (int64, int, bool) {
		if neg {
			return -off, i, true
		}
		return off, i, true
	}
	if i >= len(s) {
		return done()
	}
	sep := false
	switch {
	case s[i] == ':':
		sep = true
		i++
	case digit(i):
	default:
		return done()
	}
	// Minutes.
	if !digit(i) && !sep {
		return done()
	}
	m, ok := two(i)
	if !ok || m > 59 {
		return 0, i, false
	}
	off += int64(m) * 60_000
	i += 2
	if i >= len(s) {
		return done()
	}
	// Seconds.
	if sep {
		if s[i] != ':' {
			return done()
		}
		i++
	}
	if !digit(i) && !sep {
		return done()
	}
	sec, ok := two(i)
	if !ok || sec > 59 {
		return 0, i, false
	}
	off += int64(sec) * 1000
	i += 2
	if i >= len(s) {
		return done()
	}
	// Milliseconds.
	if sep {
		if s[i] != '.' && s[i] != ',' {
			return done()
		}
		i++
	}
	if !digit(i) {
		if sep {
			return 0, i, false
		}
		return done()
	}
	off += int64(s[i]-'0') * 100
	i++
	if digit(i) {
		off += int64(s[i]-'0') * 10
		i++
		if digit(i) {
			off += int64(s[i] - '0')
			i++
		}
	}
	return done()
}

// Calendar arithmetic on days since 1970-01-01 (proleptic Gregorian, as
// Joda's ISO chronology).

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInMonth(y int64, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func daysInYear(y int64) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

// daysFromCivil returns the days since 1970-01-01 of y-m-d.
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (int64, int, int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := int(doy - (153*mp+2)/5 + 1)
	m := int(mp + 3)
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// isoDow returns the ISO day of week of a day (1 = Monday).
func isoDow(days int64) int {
	// 1970-01-01 was a Thursday.
	return int(((days+3)%7+7)%7) + 1
}

// isoWeekStart returns the Monday of week 1 of ISO week-based year wy.
func isoWeekStart(wy int64) int64 {
	jan4 := daysFromCivil(wy, 1, 4)
	return jan4 - int64(isoDow(jan4)-1)
}

// weeksIn returns the number of ISO weeks in week-based year wy.
func weeksIn(wy int64) int {
	return int((isoWeekStart(wy+1) - isoWeekStart(wy)) / 7)
}

// isoWeekYear returns the ISO week-based year holding a day.
func isoWeekYear(days int64) int64 {
	y, _, _ := civilFromDays(days)
	if days >= isoWeekStart(y+1) {
		return y + 1
	}
	if days < isoWeekStart(y) {
		return y - 1
	}
	return y
}

// The years accepted: Joda's range is about ±292 million years, narrowed
// here so that milliseconds since the epoch stay far from int64's limits.
const (
	minYear = -200_000_000
	maxYear = 200_000_000
)

// resolve turns the bucket into a local date-time: days since 1970-01-01
// and milliseconds of the day. ok is false when a value is out of range
// (Joda's IllegalFieldValueException).
func resolve(b *bucket, defaultYear int) (days, msOfDay int64, ok bool) {
	v := &b.vals
	set := b.set
	has := func(f field) bool { return set&f.bit() != 0 }

	// Year.
	y := int64(1970)
	switch {
	case set&yearFields != 0:
		if has(fCentury) {
			if v[fCentury] < 0 {
				return 0, 0, false
			}
			y = int64(v[fCentury]) * 100
		}
		if has(fYearOfEra) {
			if v[fYearOfEra] < 1 {
				return 0, 0, false
			}
			if has(fCentury) {
				y = int64(v[fCentury])*100 + int64(v[fYearOfEra])%100
			} else {
				y = int64(v[fYearOfEra])
			}
		}
		if has(fYear) {
			y = int64(v[fYear])
			if has(fCentury) && y >= 0 {
				y = int64(v[fCentury])*100 + y%100
			}
		}
		// The era BC turns a year of era (Y) into a proleptic year; an
		// absolute year (y) is set after the era and wins, as in Joda.
		if has(fEra) && v[fEra] == 0 && (has(fYearOfEra) || !has(fYear)) {
			y = 1 - y
		}
	case set&dayFields != 0:
		y = int64(defaultYear)
	}
	if y < minYear || y > maxYear {
		return 0, 0, false
	}

	// Date.
	if has(fWeekyear) {
		wy := int64(v[fWeekyear])
		if wy < minYear || wy > maxYear {
			return 0, 0, false
		}
		w, dow := 1, 1
		if has(fWeek) {
			w = v[fWeek]
		}
		if has(fDayOfWeek) {
			dow = v[fDayOfWeek]
		}
		if w < 1 || w > weeksIn(wy) || dow < 1 || dow > 7 {
			return 0, 0, false
		}
		days = isoWeekStart(wy) + int64(w-1)*7 + int64(dow-1)
	} else {
		m := 1
		if has(fMonth) {
			m = v[fMonth]
			if m < 1 || m > 12 {
				return 0, 0, false
			}
		}
		days = daysFromCivil(y, m, 1)
		if has(fWeek) {
			wy := isoWeekYear(days)
			w := v[fWeek]
			if w < 1 || w > weeksIn(wy) {
				return 0, 0, false
			}
			days = isoWeekStart(wy) + int64(w-1)*7
		}
		if has(fDayOfYear) {
			cy, _, _ := civilFromDays(days)
			d := v[fDayOfYear]
			if d < 1 || d > daysInYear(cy) {
				return 0, 0, false
			}
			days = daysFromCivil(cy, 1, 1) + int64(d-1)
		}
		if has(fDayOfMonth) {
			cy, cm, _ := civilFromDays(days)
			d := v[fDayOfMonth]
			if d < 1 || d > daysInMonth(cy, cm) {
				return 0, 0, false
			}
			days = daysFromCivil(cy, cm, d)
		}
		if has(fDayOfWeek) {
			dow := v[fDayOfWeek]
			if dow < 1 || dow > 7 {
				return 0, 0, false
			}
			// Joda moves within the Monday-to-Sunday week.
			days += int64(dow - isoDow(days))
		}
	}

	// Time of day.
	h := 0
	if has(fHalfday) {
		h = 12 * v[fHalfday]
	}
	if has(fHourOfDay) {
		if h = v[fHourOfDay]; h < 0 || h > 23 {
			return 0, 0, false
		}
	}
	if has(fClockhourOfDay) {
		c := v[fClockhourOfDay]
		if c < 1 || c > 24 {
			return 0, 0, false
		}
		h = c % 24
	}
	if has(fHourOfHalfday) {
		c := v[fHourOfHalfday]
		if c < 0 || c > 11 {
			return 0, 0, false
		}
		h = h/12*12 + c
	}
	if has(fClockhourOfHalfday) {
		c := v[fClockhourOfHalfday]
		if c < 1 || c > 12 {
			return 0, 0, false
		}
		h = h/12*12 + c%12
	}
	mi, s, ms := v[fMinute], v[fSecond], v[fMillis]
	if !has(fMinute) {
		mi = 0
	}
	if !has(fSecond) {
		s = 0
	}
	if !has(fMillis) {
		ms = 0
	}
	if mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0 || ms > 999 {
		return 0, 0, false
	}
	msOfDay = int64(h)*3600_000 + int64(mi)*60_000 + int64(s)*1000 + int64(ms)
	return days, msOfDay, true
}
