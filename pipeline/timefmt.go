package pipeline

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Date formatting for sprintf's %{+FORMAT} (Joda-Time DateTimeFormat
// patterns) and %{{FORMAT}} (java.time DateTimeFormatter patterns). Both
// always format @timestamp in UTC, as Logstash does, with English texts
// (month and day names, AM/PM, eras). A pattern is compiled once into a list
// of dateItems; formatting walks the list without parsing.
//
// java.time's week-based fields (Y, w, W, e, c) depend on the JVM's default
// locale. They follow en_US here (weeks start on Sunday, week 1 is the week
// holding January 1st): the JVM's default locale with LANG=en_US.UTF-8 and
// with the C/POSIX locale (no LANG). Joda's x, w and e are ISO
// weeks (Monday first, week 1 holds the first Thursday), whatever the locale.

// dateSource is the value a dateItem prints.
type dateSource uint8

const (
	srcNone               dateSource = iota
	srcYear                          // proleptic year (Joda y, java u)
	srcYearOfEra                     // Joda Y, java y
	srcISOWeekYear                   // Joda x
	srcLocalWeekYear                 // java Y
	srcCenturyOfEra                  // Joda C
	srcEra                           // 1 = AD, 0 = BC
	srcMonth                         // 1..12
	srcDayOfMonth                    // 1..31
	srcDayOfYear                     // 1..366
	srcISOWeek                       // Joda w
	srcLocalWeek                     // java w
	srcLocalWeekOfMonth              // java W
	srcISODayOfWeek                  // Joda e, and the texts of E: 1 = Monday
	srcLocalDayOfWeek                // java e/c numbers: 1 = Sunday
	srcHalfday                       // 0 = AM, 1 = PM
	srcHourOfDay                     // 0..23
	srcClockHourOfDay                // 1..24
	srcHourOfHalfday                 // 0..11
	srcClockHourOfHalfday            // 1..12
	srcMinute                        // 0..59
	srcSecond                        // 0..59
	srcMilliOfSecond                 // Joda S (millisecond precision)
	srcNanoOfSecond                  // java S and n
	srcNanoOfDay                     // java N
	srcMilliOfDay                    // java A
	srcModifiedJulianDay             // java g
	srcQuarter                       // 1..4
)

// dateStyle is how a dateItem prints its value.
type dateStyle uint8

const (
	styleLiteral    dateStyle = iota // lit as is
	styleNumber                      // zero-padded to width, '-' when negative
	styleExceedsPad                  // as styleNumber, '+' when wider than width (java.time EXCEEDS_PAD)
	styleTwoDigit                    // abs(value) % 100, two digits
	styleFraction                    // the first width digits of the fraction, truncated
	styleShort                       // "Jan", "Mon", "AD", "Q1", "AM"
	styleFull                        // "January", "Monday", "Anno Domini", "1st quarter"
	styleNarrow                      // "J", "M", "A", "1"
)

// dateItem is one compiled element of a date pattern.
type dateItem struct {
	src   dateSource
	style dateStyle
	width int
	lit   string
}

// dateFormat is a compiled date pattern. It is safe for concurrent use: the
// only mutable state is the atomic pointer to the cache entry, whose key and
// text never change once published (its miss counter is atomic).
type dateFormat struct {
	items []dateItem
	// gran is the length in seconds of the time slices in which the output
	// cannot change (86400 when nothing finer than the day is printed), or 0
	// when the output depends on the fraction of the second.
	gran  int64
	needs dateNeeds
	cache atomic.Pointer[dateCache]
}

// dateCache holds the text formatted for one time slice.
type dateCache struct {
	key    int64 // unix seconds floor-divided by gran
	text   string
	misses atomic.Int32 // events of an older slice that missed this entry
}

type dateNeeds uint8

const (
	needISOWeek dateNeeds = 1 << iota
	needLocalWeek
	needLocalWeekOfMonth
)

// Week rules: ISO-8601 for Joda, en_US for java.time (see the top of the
// file). first is the ISO number of the first day of the week.
const (
	isoFirstDay = 1 // Monday
	isoMinDays  = 4
	usFirstDay  = 7 // Sunday
	usMinDays   = 1
)

var (
	monthFull   = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	monthShort  = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	monthNarrow = [...]string{"J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"}
	dayFull     = [...]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	dayShort    = [...]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	dayNarrow   = [...]string{"M", "T", "W", "T", "F", "S", "S"}
	quarterFull = [...]string{"1st quarter", "2nd quarter", "3rd quarter", "4th quarter"}
	pow10       = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}
)

// patternError is a problem at byte offset off of a date pattern.
type patternError struct {
	off int
	msg string
}

func isPatternLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// runLength returns how many times p[i] repeats from i.
func runLength(p string, i int) int {
	n := 1
	for i+n < len(p) && p[i+n] == p[i] {
		n++
	}
	return n
}

// compileJoda compiles a Joda-Time DateTimeFormat pattern, following
// DateTimeFormat.forPattern: letters G C Y x w e E y D M d a K h H k m s S z
// Z, literal text in single quotes (” is a quote), and any other character
// as itself. An unterminated quote runs to the end, as in Joda.
func compileJoda(p string) (*dateFormat, *patternError) {
	if p == "" {
		return nil, &patternError{0, "empty date pattern"}
	}
	f := &dateFormat{}
	for i := 0; i < len(p); {
		c := p[i]
		if !isPatternLetter(c) {
			// A run of literal text: quoted parts may hold letters.
			var lit []byte
			inQuote := false
			for ; i < len(p); i++ {
				c := p[i]
				if c == '\'' {
					if i+1 < len(p) && p[i+1] == '\'' {
						i++
						lit = append(lit, '\'')
					} else {
						inQuote = !inQuote
					}
				} else if !inQuote && isPatternLetter(c) {
					break
				} else {
					lit = append(lit, c)
				}
			}
			f.literal(string(lit))
			continue
		}
		n := runLength(p, i)
		switch c {
		case 'G':
			f.add(srcEra, styleShort, 0)
		case 'C':
			f.add(srcCenturyOfEra, styleNumber, n)
		case 'y', 'Y', 'x':
			src := srcYear
			switch c {
			case 'Y':
				src = srcYearOfEra
			case 'x':
				src = srcISOWeekYear
			}
			if n == 2 {
				if c == 'Y' {
					src = srcYear // Joda prints YY with the two-digit year printer
				}
				f.add(src, styleTwoDigit, 2)
			} else {
				f.add(src, styleNumber, n)
			}
		case 'M':
			switch {
			case n >= 4:
				f.add(srcMonth, styleFull, 0)
			case n == 3:
				f.add(srcMonth, styleShort, 0)
			default:
				f.add(srcMonth, styleNumber, n)
			}
		case 'd':
			f.add(srcDayOfMonth, styleNumber, n)
		case 'a':
			f.add(srcHalfday, styleShort, 0)
		case 'h':
			f.add(srcClockHourOfHalfday, styleNumber, n)
		case 'H':
			f.add(srcHourOfDay, styleNumber, n)
		case 'k':
			f.add(srcClockHourOfDay, styleNumber, n)
		case 'K':
			f.add(srcHourOfHalfday, styleNumber, n)
		case 'm':
			f.add(srcMinute, styleNumber, n)
		case 's':
			f.add(srcSecond, styleNumber, n)
		case 'S':
			// Joda keeps milliseconds and prints at most 15 fraction digits
			// (its scaling of the 1000 ms range overflows beyond that).
			f.add(srcMilliOfSecond, styleFraction, min(n, 15))
		case 'e':
			f.add(srcISODayOfWeek, styleNumber, n)
		case 'E':
			if n >= 4 {
				f.add(srcISODayOfWeek, styleFull, 0)
			} else {
				f.add(srcISODayOfWeek, styleShort, 0)
			}
		case 'D':
			f.add(srcDayOfYear, styleNumber, n)
		case 'w':
			f.add(srcISOWeek, styleNumber, n)
		case 'z':
			if n >= 4 {
				f.literal("Coordinated Universal Time")
			} else {
				f.literal("UTC")
			}
		case 'Z':
			switch n {
			case 1:
				f.literal("+0000")
			case 2:
				f.literal("+00:00")
			default:
				f.literal("UTC") // the zone id
			}
		default:
			return nil, &patternError{i, "unknown Joda-Time pattern letter '" + string(c) + "' (letters: G C Y x w e E y D M d a K h H k m s S z Z; quote literal text with '')"}
		}
		i += n
	}
	f.finish()
	return f, nil
}

// compileJava compiles a java.time DateTimeFormatter pattern, following
// DateTimeFormatterBuilder.appendPattern (JDK 21) for the letters G u y Y Q q
// M L w W d D e c E a h K k H m s S n N A g V v z O X x Z, quoting with ”,
// and optional sections [ ] (always printed, since every field of a UTC
// date-time is available). The pad modifier p, the day period B and F (whose
// meaning changed in JDK 19) are not supported.
func compileJava(p string) (*dateFormat, *patternError) {
	if p == "" {
		return nil, &patternError{0, "empty date pattern"}
	}
	f := &dateFormat{}
	depth := 0
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(p) {
				if p[j] == '\'' {
					if j+1 >= len(p) || p[j+1] != '\'' {
						break
					}
					j++
				}
				j++
			}
			if j >= len(p) {
				return nil, &patternError{i, "unterminated quoted text"}
			}
			if s := p[i+1 : j]; s == "" {
				f.literal("'")
			} else {
				f.literal(strings.ReplaceAll(s, "''", "'"))
			}
			i = j + 1
			continue
		case c == '[':
			depth++
			i++
			continue
		case c == ']':
			if depth == 0 {
				return nil, &patternError{i, "']' without a previous '['"}
			}
			depth--
			i++
			continue
		case c == '{' || c == '}' || c == '#':
			return nil, &patternError{i, "reserved character '" + string(c) + "' (quote it: '" + string(c) + "')"}
		case !isPatternLetter(c):
			f.literal(string(c))
			i++
			continue
		}
		n := runLength(p, i)
		if msg := f.javaLetter(c, n); msg != "" {
			return nil, &patternError{i, msg}
		}
		i += n
	}
	f.finish()
	return f, nil
}

// javaLetter adds the item for n repetitions of the java.time letter c, or
// returns why it cannot.
func (f *dateFormat) javaLetter(c byte, n int) string {
	tooMany := "too many pattern letters: " + strings.Repeat(string(c), n)
	text := func(src dateSource) string {
		switch n {
		case 1, 2, 3:
			f.add(src, styleShort, 0)
		case 4:
			f.add(src, styleFull, 0)
		case 5:
			f.add(src, styleNarrow, 0)
		default:
			return tooMany
		}
		return ""
	}
	upTo := func(limit int, src dateSource) string {
		if n > limit {
			return tooMany
		}
		f.add(src, styleNumber, n)
		return ""
	}
	year := func(src dateSource) string {
		switch {
		case n == 2:
			f.add(src, styleTwoDigit, 2)
		case n < 4:
			f.add(src, styleNumber, n)
		case n <= 19:
			f.add(src, styleExceedsPad, n)
		default:
			return tooMany
		}
		return ""
	}
	// fixed prints a value at exactly n digits (n = 1: as many as needed);
	// java.time fails at run time when the value does not fit, so widths that
	// cannot hold every value are refused here.
	fixed := func(src dateSource, digits int) string {
		if n > 19 {
			return tooMany
		}
		if n > 1 && n < digits {
			return strings.Repeat(string(c), n) + " cannot print every value (it needs " + strconv.Itoa(digits) + " digits; java.time fails at run time)"
		}
		f.add(src, styleNumber, n)
		return ""
	}
	switch c {
	case 'G':
		return text(srcEra)
	case 'u':
		return year(srcYear)
	case 'y':
		return year(srcYearOfEra)
	case 'Y':
		return year(srcLocalWeekYear)
	case 'M', 'L', 'Q', 'q':
		src := srcMonth
		if c == 'Q' || c == 'q' {
			src = srcQuarter
		}
		if n <= 2 {
			f.add(src, styleNumber, n)
			return ""
		}
		return text(src)
	case 'w':
		return upTo(2, srcLocalWeek)
	case 'W':
		return upTo(1, srcLocalWeekOfMonth)
	case 'd':
		return upTo(2, srcDayOfMonth)
	case 'D':
		return upTo(3, srcDayOfYear) // DD pads to 2 and prints 3 digits when needed (JDK 19+)
	case 'E':
		return text(srcISODayOfWeek)
	case 'e', 'c':
		if n <= 2 {
			if c == 'c' && n == 2 {
				return "invalid pattern \"cc\""
			}
			f.add(srcLocalDayOfWeek, styleNumber, n)
			return ""
		}
		return text(srcISODayOfWeek)
	case 'a':
		if n > 1 {
			return tooMany
		}
		f.add(srcHalfday, styleShort, 0)
	case 'h':
		return upTo(2, srcClockHourOfHalfday)
	case 'K':
		return upTo(2, srcHourOfHalfday)
	case 'k':
		return upTo(2, srcClockHourOfDay)
	case 'H':
		return upTo(2, srcHourOfDay)
	case 'm':
		return upTo(2, srcMinute)
	case 's':
		return upTo(2, srcSecond)
	case 'S':
		if n > 9 {
			return tooMany + " (at most 9 fraction digits)"
		}
		f.add(srcNanoOfSecond, styleFraction, n)
	case 'n':
		return fixed(srcNanoOfSecond, 9)
	case 'N':
		return fixed(srcNanoOfDay, 14)
	case 'A':
		return fixed(srcMilliOfDay, 8)
	case 'g':
		if n > 19 {
			return tooMany
		}
		f.add(srcModifiedJulianDay, styleNumber, n)
	case 'V':
		if n != 2 {
			return "pattern letter count must be 2: V"
		}
		f.literal("Z") // the zone is ZoneOffset.UTC, whose id is "Z"
	case 'v':
		if n != 1 && n != 4 {
			return "wrong number of pattern letters: v"
		}
		f.literal("Z")
	case 'z':
		if n > 4 {
			return tooMany
		}
		f.literal("Z")
	case 'O':
		if n != 1 && n != 4 {
			return "pattern letter count must be 1 or 4: O"
		}
		f.literal("GMT")
	case 'X':
		if n > 5 {
			return tooMany
		}
		f.literal("Z")
	case 'x':
		switch n {
		case 1:
			f.literal("+00")
		case 2, 4:
			f.literal("+0000")
		case 3, 5:
			f.literal("+00:00")
		default:
			return tooMany
		}
	case 'Z':
		switch {
		case n <= 3:
			f.literal("+0000")
		case n == 4:
			f.literal("GMT")
		case n == 5:
			f.literal("Z")
		default:
			return tooMany
		}
	case 'B', 'F', 'p':
		return "pattern letter '" + string(c) + "' is not supported"
	default:
		return "unknown java.time pattern letter '" + string(c) + "'"
	}
	return ""
}

func (f *dateFormat) add(src dateSource, style dateStyle, width int) {
	f.items = append(f.items, dateItem{src: src, style: style, width: width})
}

// literal adds text, merged with a literal just before it.
func (f *dateFormat) literal(s string) {
	if s == "" {
		return
	}
	if k := len(f.items) - 1; k >= 0 && f.items[k].style == styleLiteral {
		f.items[k].lit += s
		return
	}
	f.items = append(f.items, dateItem{style: styleLiteral, lit: s})
}

// finish works out the cache granularity and which derived values the
// items need.
func (f *dateFormat) finish() {
	f.gran = 86400
	for _, it := range f.items {
		var g int64
		switch it.src {
		case srcNone:
			continue
		case srcHalfday, srcHourOfDay, srcClockHourOfDay, srcHourOfHalfday, srcClockHourOfHalfday:
			g = 3600
		case srcMinute:
			g = 60
		case srcSecond:
			g = 1
		case srcMilliOfSecond, srcNanoOfSecond, srcNanoOfDay, srcMilliOfDay:
			g = 0
		case srcISOWeekYear, srcISOWeek:
			f.needs |= needISOWeek
			g = 86400
		case srcLocalWeekYear, srcLocalWeek:
			f.needs |= needLocalWeek
			g = 86400
		case srcLocalWeekOfMonth:
			f.needs |= needLocalWeekOfMonth
			g = 86400
		default:
			g = 86400
		}
		f.gran = min(f.gran, g)
	}
}

// cacheMissLimit is how many events of older slices may miss a cached slice
// before it gives way to one of them (see appendTime).
const cacheMissLimit = 256

// appendTime appends t (taken in UTC) formatted. Outputs that cannot change
// within a time slice are cached: a hit costs an atomic load and a copy.
func (f *dateFormat) appendTime(dst []byte, t time.Time) []byte {
	if f.gran == 0 {
		return f.format(dst, t)
	}
	key := floorDiv(t.Unix(), f.gran)
	c := f.cache.Load()
	if c != nil && c.key == key {
		return append(dst, c.text...)
	}
	start := len(dst)
	dst = f.format(dst, t)
	// Keep the newest slice: live events move forward, and old events (a
	// backfill) must not evict the slice live traffic uses; they are
	// formatted in place without allocating. A slice that keeps missing (a
	// far-future timestamp took the cache) gives way after cacheMissLimit
	// misses, which costs one allocation per cacheMissLimit events at worst.
	if c == nil || key > c.key || c.misses.Add(1) > cacheMissLimit {
		f.cache.Store(&dateCache{key: key, text: string(dst[start:])})
	}
	return dst
}

// cached returns the cached text for t, if there is one.
func (f *dateFormat) cached(t time.Time) (string, bool) {
	if f.gran == 0 {
		return "", false
	}
	if c := f.cache.Load(); c != nil && c.key == floorDiv(t.Unix(), f.gran) {
		return c.text, true
	}
	return "", false
}

// dateFields are the calendar values of one instant in UTC.
type dateFields struct {
	unix                            int64
	year, month, day, yday          int
	hour, min, sec, nsec            int
	isoDow                          int // 1 = Monday
	isoWeekYear, isoWeek            int
	localWeekYear, localWeek        int
	localWeekOfMonth                int
	localDow                        int // 1 = Sunday
	yearOfEra, era, centuryOfEra    int
	nanoOfDay, milliOfDay, mjd, qtr int64
}

func (f *dateFormat) fields(d *dateFields, t time.Time) {
	d.unix, d.nsec = t.Unix(), t.Nanosecond()
	days := floorDiv(d.unix, 86400)
	secs := int(d.unix - days*86400)
	d.hour, d.min, d.sec = secs/3600, secs/60%60, secs%60
	d.year, d.month, d.day = civilFromDays(days)
	d.yday = cumDays[d.month-1] + d.day
	if d.month > 2 && isLeap(d.year) {
		d.yday++
	}
	d.isoDow = int(days+3-floorDiv(days+3, 7)*7) + 1 // 1970-01-01 was a Thursday
	d.localDow = localDayOfWeek(d.isoDow, usFirstDay)
	d.era, d.yearOfEra = 1, d.year
	if d.year <= 0 {
		d.era, d.yearOfEra = 0, 1-d.year
	}
	d.centuryOfEra = d.yearOfEra / 100
	d.nanoOfDay = int64(secs)*1e9 + int64(d.nsec)
	d.milliOfDay = d.nanoOfDay / 1e6
	d.mjd = days + 40587
	d.qtr = int64((d.month-1)/3 + 1)
	if f.needs&needISOWeek != 0 {
		d.isoWeekYear, d.isoWeek = weekOfYear(d.year, d.yday, d.isoDow, isoFirstDay, isoMinDays)
	}
	if f.needs&needLocalWeek != 0 {
		d.localWeekYear, d.localWeek = weekOfYear(d.year, d.yday, d.isoDow, usFirstDay, usMinDays)
	}
	if f.needs&needLocalWeekOfMonth != 0 {
		d.localWeekOfMonth = weekOfMonth(d.day, d.isoDow, usFirstDay, usMinDays)
	}
}

// cumDays[m] is the number of days before month m+1 in a common year.
var cumDays = [...]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// date, with the usual era arithmetic: eras of 400 years (146097 days)
// starting on March 1st, so that the leap day ends the year.
func civilFromDays(days int64) (year, month, day int) {
	z := days + 719468 // days since 0000-03-01
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // day of era, 0..146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era, 0..399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the March-based year, 0..365
	mp := (5*doy + 2) / 153                                // March-based month, 0..11
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}

func (d *dateFields) value(src dateSource) int64 {
	switch src {
	case srcYear:
		return int64(d.year)
	case srcYearOfEra:
		return int64(d.yearOfEra)
	case srcISOWeekYear:
		return int64(d.isoWeekYear)
	case srcLocalWeekYear:
		return int64(d.localWeekYear)
	case srcCenturyOfEra:
		return int64(d.centuryOfEra)
	case srcEra:
		return int64(d.era)
	case srcMonth:
		return int64(d.month)
	case srcDayOfMonth:
		return int64(d.day)
	case srcDayOfYear:
		return int64(d.yday)
	case srcISOWeek:
		return int64(d.isoWeek)
	case srcLocalWeek:
		return int64(d.localWeek)
	case srcLocalWeekOfMonth:
		return int64(d.localWeekOfMonth)
	case srcISODayOfWeek:
		return int64(d.isoDow)
	case srcLocalDayOfWeek:
		return int64(d.localDow)
	case srcHalfday:
		return int64(d.hour / 12)
	case srcHourOfDay:
		return int64(d.hour)
	case srcClockHourOfDay:
		if d.hour == 0 {
			return 24
		}
		return int64(d.hour)
	case srcHourOfHalfday:
		return int64(d.hour % 12)
	case srcClockHourOfHalfday:
		if d.hour%12 == 0 {
			return 12
		}
		return int64(d.hour % 12)
	case srcMinute:
		return int64(d.min)
	case srcSecond:
		return int64(d.sec)
	case srcMilliOfSecond:
		return int64(d.nsec / 1e6)
	case srcNanoOfSecond:
		return int64(d.nsec)
	case srcNanoOfDay:
		return d.nanoOfDay
	case srcMilliOfDay:
		return d.milliOfDay
	case srcModifiedJulianDay:
		return d.mjd
	case srcQuarter:
		return d.qtr
	}
	return 0
}

// format appends t formatted, without the cache.
func (f *dateFormat) format(dst []byte, t time.Time) []byte {
	var d dateFields
	have := false
	for i := range f.items {
		it := &f.items[i]
		if it.style == styleLiteral {
			dst = append(dst, it.lit...)
			continue
		}
		if !have {
			f.fields(&d, t)
			have = true
		}
		v := d.value(it.src)
		switch it.style {
		case styleNumber:
			dst = appendPadded(dst, v, it.width)
		case styleExceedsPad:
			if it.width < 19 && v >= pow10[it.width] {
				dst = append(dst, '+')
			}
			dst = appendPadded(dst, v, it.width)
		case styleTwoDigit:
			if v < 0 {
				v = -v
			}
			dst = appendPadded(dst, v%100, 2)
		case styleFraction:
			dst = appendFraction(dst, v, it.src, it.width)
		default:
			dst = append(dst, dateText(it.src, it.style, v)...)
		}
	}
	return dst
}

// appendFraction appends the first digits of the fraction of a second v
// (milliseconds for srcMilliOfSecond, else nanoseconds), truncated.
func appendFraction(dst []byte, v int64, src dateSource, digits int) []byte {
	precision := 9
	if src == srcMilliOfSecond {
		precision = 3
	}
	if digits <= precision {
		v /= pow10[precision-digits]
	} else {
		v *= pow10[digits-precision]
	}
	return appendPadded(dst, v, digits)
}

// dateText returns the English text of v.
func dateText(src dateSource, style dateStyle, v int64) string {
	switch src {
	case srcMonth:
		switch style {
		case styleFull:
			return monthFull[v-1]
		case styleNarrow:
			return monthNarrow[v-1]
		}
		return monthShort[v-1]
	case srcISODayOfWeek:
		switch style {
		case styleFull:
			return dayFull[v-1]
		case styleNarrow:
			return dayNarrow[v-1]
		}
		return dayShort[v-1]
	case srcEra:
		switch style {
		case styleFull:
			return [...]string{"Before Christ", "Anno Domini"}[v]
		case styleNarrow:
			return [...]string{"B", "A"}[v]
		}
		return [...]string{"BC", "AD"}[v]
	case srcHalfday:
		return [...]string{"AM", "PM"}[v]
	case srcQuarter:
		switch style {
		case styleFull:
			return quarterFull[v-1]
		case styleNarrow:
			return [...]string{"1", "2", "3", "4"}[v-1]
		}
		return [...]string{"Q1", "Q2", "Q3", "Q4"}[v-1]
	}
	return ""
}

// appendPadded appends v in decimal, zero-padded to width digits, with a
// leading '-' when negative.
func appendPadded(dst []byte, v int64, width int) []byte {
	if v >= 0 && v < 100 && width <= 2 {
		if v < 10 && width < 2 {
			return append(dst, byte('0'+v))
		}
		return append(dst, byte('0'+v/10), byte('0'+v%10))
	}
	if v < 0 {
		dst = append(dst, '-')
		if v == -v { // math.MinInt64
			return append(dst, "9223372036854775808"...)
		}
		v = -v
	}
	var buf [20]byte
	i := len(buf)
	for v >= 10 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	buf[i] = byte('0' + v)
	for n := len(buf) - i; n < width; n++ {
		dst = append(dst, '0')
	}
	return append(dst, buf[i:]...)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return ((a % b) + b) % b }

// localDayOfWeek numbers an ISO day of week (1 = Monday) from 1 on the
// week's first day.
func localDayOfWeek(isoDow, firstDay int) int { return floorMod(isoDow-firstDay, 7) + 1 }

// startOfWeekOffset and computeWeek follow java.time's WeekFields: the
// offset of the first day of week 1 from day 1 of the period (month or
// year), given the period's day number and the local day of week of a day.
func startOfWeekOffset(day, dow, minDays int) int {
	weekStart := floorMod(day-dow, 7)
	offset := -weekStart
	if weekStart+1 > minDays {
		offset = 7 - weekStart // the first, partial week is week 0
	}
	return offset
}

func computeWeek(offset, day int) int { return (7 + offset + (day - 1)) / 7 }

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInYear(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

// weekOfYear returns the week-based year and the week of it for a day
// (year, day of year, ISO day of week) under a week rule: weeks start on
// firstDay and week 1 is the first with at least minDays days in the year.
// isoFirstDay/isoMinDays give ISO-8601 weeks.
func weekOfYear(year, yday, isoDow, firstDay, minDays int) (int, int) {
	dow := localDayOfWeek(isoDow, firstDay)
	offset := startOfWeekOffset(yday, dow, minDays)
	week := computeWeek(offset, yday)
	if week == 0 {
		// In the last week of the previous year: redo from December 31st.
		prevDow := floorMod(isoDow-1-yday, 7) + 1
		return weekOfYear(year-1, daysInYear(year-1), prevDow, firstDay, minDays)
	}
	if newYearWeek := computeWeek(offset, daysInYear(year)+minDays); week >= newYearWeek {
		return year + 1, week - newYearWeek + 1
	}
	return year, week
}

// weekOfMonth returns the week of the month (java.time's W; 0 for days
// before the first week with at least minDays days).
func weekOfMonth(day, isoDow, firstDay, minDays int) int {
	dow := localDayOfWeek(isoDow, firstDay)
	return computeWeek(startOfWeekOffset(day, dow, minDays), day)
}
