package pipeline

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTimefmtISOWeeksMatchGo(t *testing.T) {
	for d := time.Date(1899, 12, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2101; d = d.AddDate(0, 0, 1) {
		isoDow := (int(d.Weekday())+6)%7 + 1
		gy, gw := d.ISOWeek()
		y, w := weekOfYear(d.Year(), d.YearDay(), isoDow, isoFirstDay, isoMinDays)
		if y != gy || w != gw {
			t.Fatalf("%s: weekOfYear ISO = %d-W%02d, time.ISOWeek = %d-W%02d", d.Format("2006-01-02"), y, w, gy, gw)
		}
	}
}

// usWeek is a direct definition of en_US weeks: week 1 is the Sunday-to-
// Saturday week holding January 1st, so the week-based year of a day is the
// year of the Saturday ending its week.
func usWeek(d time.Time) (int, int) {
	sat := d.AddDate(0, 0, 6-int(d.Weekday()))
	y := sat.Year()
	jan1 := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	firstSunday := jan1.AddDate(0, 0, -int(jan1.Weekday()))
	return y, int(sat.Sub(firstSunday).Hours()/24)/7 + 1
}

func TestTimefmtUSWeeks(t *testing.T) {
	for d := time.Date(1999, 12, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2041; d = d.AddDate(0, 0, 1) {
		isoDow := (int(d.Weekday())+6)%7 + 1
		wy, ww := usWeek(d)
		y, w := weekOfYear(d.Year(), d.YearDay(), isoDow, usFirstDay, usMinDays)
		if y != wy || w != ww {
			t.Fatalf("%s: weekOfYear US = %d-%02d, want %d-%02d", d.Format("2006-01-02 Mon"), y, w, wy, ww)
		}
		// Week of month: 1 for the days up to the first Saturday.
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
		wantW := (d.Day()+int(first.Weekday())-1)/7 + 1
		if got := weekOfMonth(d.Day(), isoDow, usFirstDay, usMinDays); got != wantW {
			t.Fatalf("%s: weekOfMonth US = %d, want %d", d.Format("2006-01-02 Mon"), got, wantW)
		}
	}
}

func TestTimefmtPatterns(t *testing.T) {
	ts := time.Date(2021, 8, 11, 13, 45, 7, 123456789, time.UTC) // a Wednesday
	midnight := time.Date(2021, 1, 5, 0, 3, 9, 0, time.UTC)      // a Tuesday
	tests := []struct {
		name    string
		java    bool
		pattern string
		at      time.Time
		want    string
	}{
		{"joda date", false, "yyyy-MM-dd HH:mm:ss.SSS", ts, "2021-08-11 13:45:07.123"},
		{"joda YYYY is year of era", false, "YYYY", ts, "2021"},
		{"joda yy", false, "yy", ts, "21"},
		{"joda YY", false, "YY", ts, "21"},
		{"joda xx", false, "xx", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), "20"},
		{"joda y", false, "y", ts, "2021"},
		{"joda yyyyy", false, "yyyyy", ts, "02021"},
		{"joda C", false, "C", ts, "20"},
		{"joda G", false, "G", ts, "AD"},
		{"joda GGGG", false, "GGGG", ts, "AD"},
		{"joda M", false, "M/d", ts, "8/11"},
		{"joda MMM", false, "MMM", ts, "Aug"},
		{"joda MMMM", false, "MMMM", ts, "August"},
		{"joda MMMMM", false, "MMMMM", ts, "August"},
		{"joda ddd", false, "ddd", ts, "011"},
		{"joda D", false, "D", ts, "223"},
		{"joda DDD early", false, "DDD", midnight, "005"},
		{"joda e", false, "e", ts, "3"},
		{"joda E", false, "E", ts, "Wed"},
		{"joda EEEE", false, "EEEE", ts, "Wednesday"},
		{"joda w", false, "w", ts, "32"},
		{"joda a", false, "hh:mm a", ts, "01:45 PM"},
		{"joda a midnight", false, "h K k H a", midnight, "12 0 24 0 AM"},
		{"joda noon", false, "h K k H a", time.Date(2021, 1, 5, 12, 0, 0, 0, time.UTC), "12 0 12 12 PM"},
		{"joda S", false, "S", ts, "1"},
		{"joda SS", false, "SS", ts, "12"},
		{"joda SSSSSS", false, "SSSSSS", ts, "123000"},
		{"joda S x18", false, strings.Repeat("S", 18), ts, "123000000000000"},
		{"joda s", false, "s", ts, "7"},
		{"joda z", false, "z", ts, "UTC"},
		{"joda zzzz", false, "zzzz", ts, "Coordinated Universal Time"},
		{"joda Z", false, "Z", ts, "+0000"},
		{"joda ZZ", false, "ZZ", ts, "+00:00"},
		{"joda ZZZ", false, "ZZZ", ts, "UTC"},
		{"joda quotes", false, "'T'HH'h' '''o''clock'", ts, "T13h 'o'clock"},
		{"joda quoted letters", false, "'yyyy'yyyy", ts, "yyyy2021"},
		{"joda unterminated quote", false, "yyyy'abc", ts, "2021abc"},
		{"joda percent", false, "%ss", ts, "%07"},
		{"joda non-ascii", false, "yyyy年MM月", ts, "2021年08月"},
		{"joda BC year", false, "y Y G C", time.Date(-43, 3, 15, 0, 0, 0, 0, time.UTC), "-43 44 BC 0"},

		{"java date", true, "yyyy-MM-dd'T'HH:mm:ss.SSSZ", ts, "2021-08-11T13:45:07.123+0000"},
		{"java u", true, "u uu uuu uuuu", ts, "2021 21 2021 2021"},
		{"java y", true, "y yy yyy yyyy yyyyy", ts, "2021 21 2021 2021 02021"},
		{"java exceeds pad", true, "yyyy", time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC), "+12345"},
		{"java no exceeds pad below 4", true, "yyy", time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC), "12345"},
		{"java Y US week year", true, "YYYY-ww", time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC), "2021-01"},
		{"java YY", true, "YY", time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC), "21"},
		{"java w", true, "w", ts, "33"},
		{"java W", true, "W", ts, "2"},
		{"java e", true, "e ee c", ts, "4 04 4"},
		{"java eee", true, "eee eeee eeeee ccc cccc ccccc", ts, "Wed Wednesday W Wed Wednesday W"},
		{"java E", true, "E EE EEE EEEE EEEEE", ts, "Wed Wed Wed Wednesday W"},
		{"java M", true, "M MM MMM MMMM MMMMM", ts, "8 08 Aug August A"},
		{"java L", true, "L LL LLL LLLL LLLLL", ts, "8 08 Aug August A"},
		{"java Q", true, "Q QQ QQQ QQQQ QQQQQ", ts, "3 03 Q3 3rd quarter 3"},
		{"java q", true, "q qq qqq qqqq", midnight, "1 01 Q1 1st quarter"},
		{"java d", true, "d dd", midnight, "5 05"},
		{"java D", true, "D DD DDD", midnight, "5 05 005"},
		{"java DD wide", true, "DD", ts, "223"},
		{"java G", true, "G GG GGG GGGG GGGGG", ts, "AD AD AD Anno Domini A"},
		{"java a", true, "h hh K KK k kk H HH a", midnight, "12 12 0 00 24 24 0 00 AM"},
		{"java pm", true, "hh a", ts, "01 PM"},
		{"java m s", true, "m mm s ss", midnight, "3 03 9 09"},
		{"java S", true, "S SSS SSSSSS SSSSSSSSS", ts, "1 123 123456 123456789"},
		{"java S zero", true, "SSS", midnight, "000"},
		{"java n", true, "n nnnnnnnnn", ts, "123456789 123456789"},
		{"java n zero", true, "n", midnight, "0"},
		{"java N", true, "N", ts, "49507123456789"},
		{"java A", true, "A", ts, "49507123"},
		{"java g", true, "g", ts, "59437"},
		{"java zones", true, "VV z zzzz v vvvv O OOOO", ts, "Z Z Z Z Z GMT GMT"},
		{"java X", true, "X XX XXX XXXX XXXXX", ts, "Z Z Z Z Z"},
		{"java x", true, "x xx xxx xxxx xxxxx", ts, "+00 +0000 +00:00 +0000 +00:00"},
		{"java Z", true, "Z ZZ ZZZ ZZZZ ZZZZZ", ts, "+0000 +0000 +0000 GMT Z"},
		{"java quotes", true, "'It''s' HH 'o''clock' '' x", ts, "It's 13 o'clock ' +00"},
		{"java optional", true, "yyyy[-MM[-dd]]", ts, "2021-08-11"},
		{"java literal chars", true, "yyyy/MM/dd @ HH", ts, "2021/08/11 @ 13"},
		{"java BC", true, "u y G", time.Date(-43, 3, 15, 0, 0, 0, 0, time.UTC), "-43 44 BC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compile := compileJoda
			if tt.java {
				compile = compileJava
			}
			f, perr := compile(tt.pattern)
			if perr != nil {
				t.Fatalf("compile %q: offset %d: %s", tt.pattern, perr.off, perr.msg)
			}
			if got := string(f.format(nil, tt.at)); got != tt.want {
				t.Errorf("format %q = %q, want %q", tt.pattern, got, tt.want)
			}
			// Through the cache, twice.
			for range 2 {
				if got := string(f.appendTime(nil, tt.at)); got != tt.want {
					t.Errorf("appendTime %q = %q, want %q", tt.pattern, got, tt.want)
				}
			}
		})
	}
}

func TestTimefmtPatternErrors(t *testing.T) {
	tests := []struct {
		java    bool
		pattern string
		off     int
		msg     string
	}{
		{false, "", 0, "empty"},
		{false, "yyyy-bb", 5, "unknown Joda-Time pattern letter 'b'"},
		{false, "u", 0, "letter 'u'"},
		{false, "'quoted' q", 9, "letter 'q'"},
		{false, "W", 0, "letter 'W'"},
		{false, "''o", 2, "letter 'o'"}, // '' is a quote, not an opening one
		{true, "", 0, "empty"},
		{true, "yyyy-bb", 5, "unknown java.time pattern letter 'b'"},
		{true, "yyyy'", 4, "unterminated quoted text"},
		{true, "'a''", 0, "unterminated quoted text"},
		{true, "HHH", 0, "too many pattern letters: HHH"},
		{true, "dd ddd", 3, "too many"},
		{true, "DDDD", 0, "too many"},
		{true, "www", 0, "too many"},
		{true, "WW", 0, "too many"},
		{true, "aa", 0, "too many"},
		{true, "EEEEEE", 0, "too many"},
		{true, "MMMMMM", 0, "too many"},
		{true, "SSSSSSSSSS", 0, "at most 9"},
		{true, "nn", 0, "cannot print every value"},
		{true, "AAA", 0, "cannot print every value"},
		{true, "NNNNN", 0, "cannot print every value"},
		{true, strings.Repeat("y", 20), 0, "too many"},
		{true, "cc", 0, "invalid pattern \"cc\""},
		{true, "V", 0, "count must be 2"},
		{true, "vv", 0, "wrong number"},
		{true, "zzzzz", 0, "too many"},
		{true, "OO", 0, "1 or 4"},
		{true, "XXXXXX", 0, "too many"},
		{true, "xxxxxx", 0, "too many"},
		{true, "ZZZZZZ", 0, "too many"},
		{true, "yyyy]", 4, "']' without"},
		{true, "yyyy#", 4, "reserved character '#'"},
		{true, "yy{", 2, "reserved character '{'"},
		{true, "B", 0, "not supported"},
		{true, "F", 0, "not supported"},
		{true, "ppH", 0, "not supported"},
		{true, "T", 0, "unknown java.time pattern letter 'T'"},
	}
	for _, tt := range tests {
		name := "joda " + tt.pattern
		if tt.java {
			name = "java " + tt.pattern
		}
		t.Run(name, func(t *testing.T) {
			compile := compileJoda
			if tt.java {
				compile = compileJava
			}
			f, perr := compile(tt.pattern)
			if perr == nil {
				t.Fatalf("compile %q: no error, items %+v", tt.pattern, f.items)
			}
			if perr.off != tt.off || !strings.Contains(perr.msg, tt.msg) {
				t.Errorf("compile %q: offset %d %q, want offset %d containing %q", tt.pattern, perr.off, perr.msg, tt.off, tt.msg)
			}
		})
	}
}

// Every letter in every count either compiles and formats or is refused; none
// panics.
func TestTimefmtEveryLetter(t *testing.T) {
	times := []time.Time{
		time.Date(2021, 8, 11, 13, 45, 7, 123456789, time.UTC),
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(99999, 2, 28, 12, 0, 0, 0, time.UTC),
	}
	for c := byte('A'); c <= 'z'; c++ {
		if !isPatternLetter(c) {
			continue
		}
		for n := 1; n <= 20; n++ {
			p := strings.Repeat(string(c), n)
			for _, compile := range []func(string) (*dateFormat, *patternError){compileJoda, compileJava} {
				f, perr := compile(p)
				if perr != nil {
					continue
				}
				for _, at := range times {
					_ = f.format(nil, at)
				}
			}
		}
	}
}

func TestTimefmtGranularity(t *testing.T) {
	tests := []struct {
		java    bool
		pattern string
		gran    int64
	}{
		{false, "YYYY.MM.dd", 86400},
		{false, "xxxx-ww", 86400},
		{false, "yyyy.MM.dd-HH", 3600},
		{false, "hh a", 3600},
		{false, "HH:mm", 60},
		{false, "HH:mm:ss", 1},
		{false, "HH:mm:ss.SSS", 0},
		{false, "'constant'", 86400},
		{true, "yyyy-MM-dd'T'HH:mm:ss.SSSZ", 0},
		{true, "n", 0},
		{true, "A", 0},
		{true, "yyyy.MM.dd", 86400},
	}
	for _, tt := range tests {
		compile := compileJoda
		if tt.java {
			compile = compileJava
		}
		f, perr := compile(tt.pattern)
		if perr != nil {
			t.Fatalf("compile %q: %s", tt.pattern, perr.msg)
		}
		if f.gran != tt.gran {
			t.Errorf("%q: gran %d, want %d", tt.pattern, f.gran, tt.gran)
		}
	}
}

// The cache must give the right text whatever order the timestamps come in,
// from many goroutines at once.
func TestTimefmtCacheConcurrent(t *testing.T) {
	f, perr := compileJoda("YYYY.MM.dd")
	if perr != nil {
		t.Fatal(perr.msg)
	}
	now := time.Now().UTC()
	days := []time.Time{
		now,
		now.AddDate(0, 0, -1),
		now.AddDate(5, 0, 0), // far future: must not pin the cache
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := range 2000 {
				at := days[(i+g)%len(days)]
				buf = f.appendTime(buf[:0], at)
				if want := at.Format("2006.01.02"); string(buf) != want {
					t.Errorf("appendTime(%s) = %q, want %q", at, buf, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestTimefmtHelpers(t *testing.T) {
	for _, tt := range []struct{ a, b, want int64 }{{7, 2, 3}, {-7, 2, -4}, {-8, 2, -4}, {0, 5, 0}, {-1, 86400, -1}} {
		if got := floorDiv(tt.a, tt.b); got != tt.want {
			t.Errorf("floorDiv(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	for _, tt := range []struct {
		v     int64
		width int
		want  string
	}{{0, 1, "0"}, {0, 2, "00"}, {7, 1, "7"}, {7, 0, "7"}, {42, 1, "42"}, {99, 2, "99"}, {100, 2, "100"}, {7, 2, "07"}, {2021, 4, "2021"}, {21, 4, "0021"}, {-7, 3, "-007"}, {123, 2, "123"}, {-9223372036854775808, 1, "-9223372036854775808"}} {
		if got := string(appendPadded(nil, tt.v, tt.width)); got != tt.want {
			t.Errorf("appendPadded(%d, %d) = %q, want %q", tt.v, tt.width, got, tt.want)
		}
	}
}

func TestTimefmtFieldsMatchGo(t *testing.T) {
	f := &dateFormat{needs: needISOWeek}
	check := func(at time.Time) {
		t.Helper()
		var d dateFields
		f.fields(&d, at)
		y, m, day := at.Date()
		h, mi, s := at.Clock()
		isoDow := (int(at.Weekday())+6)%7 + 1
		if d.year != y || d.month != int(m) || d.day != day || d.yday != at.YearDay() ||
			d.hour != h || d.min != mi || d.sec != s || d.nsec != at.Nanosecond() || d.isoDow != isoDow {
			t.Fatalf("%s: fields %+v", at.Format(time.RFC3339Nano), d)
		}
	}
	for at := time.Date(-401, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2500; at = at.Add(86400*time.Second + 3671*time.Second + 7) {
		check(at)
		check(at.Add(-time.Nanosecond))
	}
	for _, at := range []time.Time{
		time.Unix(0, 0).UTC(), time.Unix(-1, 0).UTC(), time.Unix(-86400, 0).UTC(),
		time.Date(2000, 2, 29, 23, 59, 59, 999999999, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 12, 0, 0, 0, time.UTC),
		time.Date(99999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		check(at)
	}
}

func TestTimefmtCacheMissLimit(t *testing.T) {
	f, perr := compileJoda("yyyy.MM.dd")
	if perr != nil {
		t.Fatal(perr.msg)
	}
	future := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	today := time.Date(2021, 8, 11, 0, 0, 0, 0, time.UTC)
	f.appendTime(nil, future)
	for range cacheMissLimit {
		if got := string(f.appendTime(nil, today)); got != "2021.08.11" {
			t.Fatalf("got %q", got)
		}
	}
	if _, hit := f.cached(today); hit {
		t.Fatal("cache replaced too early")
	}
	f.appendTime(nil, today)
	if _, hit := f.cached(today); !hit {
		t.Fatal("cache not replaced after cacheMissLimit misses")
	}
	// An older event does not evict a newer slice at once.
	f.appendTime(nil, today.AddDate(0, 0, -1))
	if _, hit := f.cached(today); !hit {
		t.Fatal("an older event evicted the cache")
	}
	// A newer one replaces it.
	f.appendTime(nil, today.AddDate(0, 0, 1))
	if _, hit := f.cached(today.AddDate(0, 0, 1)); !hit {
		t.Fatal("a newer event did not take the cache")
	}
}
