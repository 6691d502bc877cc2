package date

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

// fuzzFormats are the formats every fuzzed text is tried with, one filter
// each: the named formats and Joda-Time patterns covering every letter.
func fuzzFormats() []string {
	return []string{
		FormatISO8601, FormatUNIX, FormatUNIXMS, FormatTAI64N,
		"dd/MMM/yyyy:HH:mm:ss Z", "MMM dd HH:mm:ss", "MMM  d HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSSZZ",
		"EEE, dd MMM yyyy HH:mm:ss z", "EEEE, MMMM d, yyyy h:mm:ss a ZZZ", "yyyy-MM-dd HH:mm:ss,SSS",
		"xxxx-'W'ww-e", "yyyy-DDD", "yy-M-d", "YYYY G", "CC yy", "kk:mm KK:mm", "SSSSSSSSS",
		"yyyyMMddHHmmss", "dd.MM.yyyy HH:mm:ss.SSSSSS", "'It''s' yyyy", "MM/dd/yy",
	}
}

// fuzzBuild builds a date filter over field d with a fixed clock.
func fuzzBuild(t testing.TB, now time.Time, cfg *Config) *Filter {
	t.Helper()
	f, err := newFilter(cfg, pipeline.Deps{}, func() time.Time { return now })
	if err != nil {
		t.Fatalf("build %q: %v", cfg.Match, err)
	}
	return f
}

// fuzzConfig is a config matching field d with the formats.
func fuzzConfig(formats ...string) *Config {
	c := defaults()
	c.Match = append([]string{"d"}, formats...)
	return c
}

// checkOutcome asserts the house rule on one run of the filter: the event
// either got its @timestamp (FilterMatched, no failure tag) or the failure
// tag (FilterSkipped, @timestamp unchanged); never both, never neither.
func checkOutcome(t *testing.T, what string, value any, e *pipeline.Event, res pipeline.FilterResult) {
	t.Helper()
	tagged := e.HasTag(TagOnFailure)
	switch res {
	case pipeline.FilterMatched:
		if tagged {
			t.Fatalf("%s: %#v: matched and tagged %s (tags %v)", what, value, TagOnFailure, e.Tags())
		}
		ts, ok := e.Timestamp()
		if !ok {
			t.Fatalf("%s: %#v: matched but no @timestamp", what, value)
		}
		_ = ts.String() // rendering any parsed instant must not panic
	case pipeline.FilterSkipped:
		if !tagged {
			t.Fatalf("%s: %#v: failed without the %s tag (dropped silently); tags %v", what, value, TagOnFailure, e.Tags())
		}
		if got := stamp(e); got != "2001-02-03T04:05:06.000Z" {
			t.Fatalf("%s: %#v: failed but @timestamp changed to %s", what, value, got)
		}
	default:
		t.Fatalf("%s: %#v: unexpected result %v", what, value, res)
	}
}

// fuzzValues are the values a fuzzed text is tried as: the string, and
// the number it spells when it is one.
func fuzzValues(text string) []any {
	vals := []any{text}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		vals = append(vals, n)
	}
	if x, err := strconv.ParseFloat(text, 64); err == nil {
		vals = append(vals, x)
	}
	return vals
}

// FuzzDate runs fuzzed text through the date filter with every format of
// fuzzFormats (in a few locales, zones and clocks), through a fuzzed
// pattern when it compiles, and with a fuzzed sprintf zone; it checks
// checkOutcome and that UNIX and UNIX_MS give the instant strconv reads.
func FuzzDate(f *testing.F) {
	for _, s := range []struct{ text, pattern, tz string }{
		{"", "", ""},
		{"2024-02-29T12:34:56.789Z", "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "UTC"},
		{"2023-02-29 00:00:00", "yyyy-MM-dd HH:mm:ss", "Europe/Paris"},
		{"0000-01-01T00:00:00Z", "yyyy-MM-dd'T'HH:mm:ssZZ", "+05:30"},
		{"-0001-12-31T23:59:59Z", "yyyy", "-23:59"},
		{"1e999", "UNIX", "America/New_York"},
		{"-0", "UNIX_MS", ""},
		{"0x1F", "yyyy", ""},
		{"١٢٣", "yyy", "Asia/Kolkata"},
		{"\xff\xfe\x00", "'\xff'yyyy", "\x00"},
		{"\xed\xa0\x80", "\xed\xa0\x80", "\xed\xa0\x80"},
		{"2024\x0001\x0001", "yyyy'\x00'MM'\x00'dd", ""},
		{"-1", "UNIX", ""},
		{"-9223372036854775", "UNIX", ""},
		{"9223372036854775807", "UNIX_MS", ""},
		{"-9223372036854775", "UNIX", ""},
		{"2147483647.999", "UNIX", ""},
		{"2147483648", "UNIX", ""},
		{"1.5", "UNIX", ""},
		{"-0.5", "UNIX", ""},
		{"@4000000037c219bf2ef02e94", "TAI64N", ""},
		{"@7fffffffffffffffffffffff", "TAI64N", ""},
		{"4000000037c219bf2ef02e9", "TAI64N", ""},
		{"@400000003xc219bf2ef02e94", "TAI64N", ""},
		{"it's 2024", "'it''s' yyyy", ""},
		{"x", "'unterminated", ""},
		{"''", "''", ""},
		{"a", "'", ""},
		{"2024", strings.Repeat("y", 40), ""},
		{"000000000000000000000000000000000000000001", strings.Repeat("S", 40), ""},
		{"12", strings.Repeat("M", 40), ""},
		{"Monday", strings.Repeat("E", 40), ""},
		{"UTC", strings.Repeat("Z", 40), ""},
		{"PST", strings.Repeat("z", 40), ""},
		{"AD 2024", "G yyyy", ""},
		{"20 24", "C yy", ""},
		{"2024-W01-1", "xxxx-'W'ww-e", ""},
		{"2024-366", "yyyy-DDD", ""},
		{"2023-366", "yyyy-DDD", ""},
		{"24 12 11 PM", "kk hh KK a", ""},
		{"Feb 29 12:00:00", "MMM dd HH:mm:ss", "%{tz}"},
		{"Dec 31 23:59:59", "MMM dd HH:mm:ss", "Pacific/Kiritimati"},
		{"Mar 31 02:30:00", "MMM dd HH:mm:ss", "Europe/Berlin"},
		{"Oct 27 02:30:00 2024", "MMM dd HH:mm:ss yyyy", "Europe/Berlin"},
		{"1 janv. 2024", "d MMM yyyy", ""},
		{"Montag, 1. Januar 2024", "EEEE, d. MMMM yyyy", ""},
		{"2024-01-01 00:00:00 America/Argentina/ComodRivadavia", "yyyy-MM-dd HH:mm:ss ZZZ", ""},
		{"2024-01-01 00:00:00 +99:99", "yyyy-MM-dd HH:mm:ss Z", ""},
		{"999999999-12-31", "yyyy-MM-dd", ""},
		{"-999999999-01-01", "yyyy-MM-dd", ""},
		{strings.Repeat("9", 4096), "yyyy", ""},
		{"abcdefghijklmnopqrstuvwxyz", "GCxyYMdahHkKmsSeEDwzZ", ""},
		{"2024-01-01", "yyyy-MM-dd'T", ""},
		{"1 1 1 1 1 1 1 1 1", "y M d H m s S e D", "%{[tz]}"},
	} {
		f.Add(s.text, s.pattern, s.tz)
	}
	clocks := []time.Time{
		midYear,
		time.Date(2024, 1, 1, 0, 0, 1, 0, time.UTC),
		time.Date(2023, 12, 31, 23, 59, 0, 0, time.UTC),
	}
	type fixedFilter struct {
		name string
		f    *Filter
	}
	var fixed []fixedFilter
	for _, format := range fuzzFormats() {
		for ci, now := range clocks {
			fixed = append(fixed, fixedFilter{format, fuzzBuild(f, now, fuzzConfig(format))})
			if ci > 0 {
				continue
			}
			for _, opt := range []struct{ locale, tz string }{{"de", "Europe/Berlin"}, {"fr-FR", "%{tz}"}, {"", "Pacific/Chatham"}} {
				c := fuzzConfig(format)
				c.Locale, c.Timezone = opt.locale, opt.tz
				fixed = append(fixed, fixedFilter{format + " " + opt.locale + " " + opt.tz, fuzzBuild(f, now, c)})
			}
		}
	}
	unix := fuzzBuild(f, midYear, fuzzConfig(FormatUNIX))
	unixMS := fuzzBuild(f, midYear, fuzzConfig(FormatUNIXMS))
	names := newLocaleNames(locales()["en"])

	f.Fuzz(func(t *testing.T, text, pattern, tz string) {
		newEvent := func(v any) *pipeline.Event {
			return event(t, map[string]any{"d": v, "tz": tz})
		}
		for _, ff := range fixed {
			for _, v := range fuzzValues(text) {
				e := newEvent(v)
				checkOutcome(t, ff.name, v, e, ff.f.Filter(e))
			}
		}

		// UNIX and UNIX_MS read a decimal integer as strconv does.
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			e := newEvent(text)
			res := unixMS.Filter(e)
			ts, _ := e.Timestamp()
			if res != pipeline.FilterMatched || ts.Time().UnixMilli() != n {
				t.Fatalf("UNIX_MS %q: got %v %s, want %d ms", text, res, stamp(e), n)
			}
			e = newEvent(text)
			res = unix.Filter(e)
			ts, _ = e.Timestamp()
			switch {
			case n > math.MaxInt32:
				if res != pipeline.FilterSkipped {
					t.Fatalf("UNIX %q: beyond Logstash's int range but got %s", text, stamp(e))
				}
			case n < math.MinInt64/1000:
				// n*1000 does not fit Unix milliseconds: any result but a
				// wrapped-around instant will do.
				if res == pipeline.FilterMatched && ts.Time().UnixMilli()/1000 != n {
					t.Fatalf("UNIX %q: overflowed to %s (%d ms)", text, stamp(e), ts.Time().UnixMilli())
				}
			default:
				if res != pipeline.FilterMatched || ts.Time().UnixMilli() != n*1000 {
					t.Fatalf("UNIX %q: got %v %s, want %d s", text, res, stamp(e), n)
				}
			}
		}

		// A fuzzed pattern: compiling never panics, Validate and the
		// build agree, and a filter that builds keeps the house rule.
		if _, err := compileJoda(pattern, 1994, names, &zoneCache{}); err != nil && err.Error() == "" {
			t.Fatalf("pattern %q: empty error", pattern)
		}
		c := fuzzConfig(pattern)
		c.Timezone = "%{tz}"
		verr := c.Validate()
		ff, berr := newFilter(c, pipeline.Deps{}, func() time.Time { return midYear })
		if (verr == nil) != (berr == nil) {
			t.Fatalf("pattern %q: Validate says %v, build says %v", pattern, verr, berr)
		}
		if berr != nil {
			return
		}
		for _, v := range fuzzValues(text) {
			e := newEvent(v)
			checkOutcome(t, "pattern "+strconv.Quote(pattern), v, e, ff.Filter(e))
		}
	})
}
