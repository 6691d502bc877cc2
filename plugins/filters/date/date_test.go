package date

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
)

// before is the @timestamp events start with; a failed parse leaves it.
var before = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

// midYear is the default clock of the tests.
var midYear = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

// registry holds the date filter built with a fixed clock.
func registry(now time.Time) *pipeline.Registry {
	return pipeline.NewRegistry(pipeline.NewFilterPlugin(Name, "date with a fixed clock", defaults,
		func(c *Config, d pipeline.Deps) (pipeline.Filter, error) {
			return newFilter(c, d, func() time.Time { return now })
		}))
}

func buildAt(t testing.TB, now time.Time, config string, d pipeline.Deps) *Filter {
	t.Helper()
	return plugintest.Build(t, registry(now), "filter {\n"+config+"\n}", pipeline.KindFilter, d).(*Filter)
}

func event(t testing.TB, fields map[string]any) *pipeline.Event {
	t.Helper()
	e := pipeline.NewEvent()
	e.SetTimestamp(pipeline.NewTimestamp(before))
	for k, v := range fields {
		if err := e.Set(pipeline.MustFieldRef(k), v); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func stamp(e *pipeline.Event) string {
	ts, _ := e.Timestamp()
	return ts.String()
}

// dateCase is one value parsed with one config; want is the expected
// @timestamp, or "" for a failure (tagged, @timestamp unchanged).
type dateCase struct {
	name   string
	config string
	value  any
	want   string
}

// cfg is a date block over field d with the given formats and options.
func cfg(formats string, options ...string) string {
	return "date {\n match = [\"d\", " + formats + "]\n" + strings.Join(options, "\n") + "\n}"
}

func runCases(t *testing.T, now time.Time, cases []dateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := buildAt(t, now, tc.config, pipeline.Deps{})
			e := event(t, map[string]any{"d": tc.value})
			res := f.Filter(e)
			if tc.want == "" {
				if res != pipeline.FilterSkipped || !e.HasTag(TagOnFailure) || stamp(e) != "2001-02-03T04:05:06.000Z" {
					t.Errorf("%q: want a failure, got %v, @timestamp %s, tags %v", tc.value, res, stamp(e), e.Tags())
				}
				return
			}
			if res != pipeline.FilterMatched {
				t.Fatalf("%q: not matched (tags %v)", tc.value, e.Tags())
			}
			if got := stamp(e); got != tc.want {
				t.Errorf("%q: @timestamp = %s, want %s", tc.value, got, tc.want)
			}
			if e.HasTag(TagOnFailure) {
				t.Errorf("tagged on success")
			}
		})
	}
}

func TestFormats(t *testing.T) {
	apache := cfg(`"dd/MMM/yyyy:HH:mm:ss Z"`)
	iso := cfg(`"ISO8601"`, `timezone = "UTC"`)
	isoParis := cfg(`"ISO8601"`, `timezone = "Europe/Paris"`)
	unix, unixMS, tai := cfg(`"UNIX"`), cfg(`"UNIX_MS"`), cfg(`"TAI64N"`)
	utc := func(pattern string) string { return cfg(`"`+pattern+`"`, `timezone = "UTC"`) }
	runCases(t, midYear, []dateCase{
		// Apache's access log.
		{"apache", apache, "17/May/2015:10:05:03 +0000", "2015-05-17T10:05:03.000Z"},
		{"apache negative offset", apache, "04/Jul/2023:23:15:00 -0700", "2023-07-05T06:15:00.000Z"},
		{"apache offset with colon", apache, "04/Jul/2023:23:15:00 +05:30", "2023-07-04T17:45:00.000Z"},
		{"apache offset Z", apache, "04/Jul/2023:23:15:00 Z", "2023-07-04T23:15:00.000Z"},
		{"apache lower-case month", apache, "17/may/2015:10:05:03 +0000", "2015-05-17T10:05:03.000Z"},
		{"apache upper-case month", apache, "17/MAY/2015:10:05:03 +0000", "2015-05-17T10:05:03.000Z"},
		{"apache full month name for MMM", apache, "17/January/2015:10:05:03 +0000", "2015-01-17T10:05:03.000Z"},
		{"apache mixed-case month fails", apache, "17/mAy/2015:10:05:03 +0000", ""},
		{"apache without offset fails", apache, "17/May/2015:10:05:03", ""},
		{"apache trailing text fails", apache, "17/May/2015:10:05:03 +0000 x", ""},
		{"apache bad day fails", apache, "31/Apr/2015:10:05:03 +0000", ""},
		{"apache hour 24 fails", apache, "17/May/2015:24:05:03 +0000", ""},
		{"one-digit day for dd", apache, "7/May/2015:10:05:03 +0000", "2015-05-07T10:05:03.000Z"},

		// ISO8601.
		{"iso Z millis", iso, "2011-04-19T03:44:01.103Z", "2011-04-19T03:44:01.103Z"},
		{"iso comma and offset", iso, "2011-04-19T03:44:01,103+02:00", "2011-04-19T01:44:01.103Z"},
		{"iso offset without colon", iso, "2011-04-19T03:44:01-0800", "2011-04-19T11:44:01.000Z"},
		{"iso offset hours only", iso, "2011-04-19T03:44:01+01", "2011-04-19T02:44:01.000Z"},
		{"iso date only", iso, "2011-04-19", "2011-04-19T00:00:00.000Z"},
		{"iso year and month", iso, "2011-04", "2011-04-01T00:00:00.000Z"},
		{"iso minutes", iso, "2011-04-19T03:44", "2011-04-19T03:44:00.000Z"},
		{"iso lower case t and z", iso, "2011-04-19t03:44:01z", "2011-04-19T03:44:01.000Z"},
		{"iso nanoseconds kept to millis", iso, "2011-04-19T03:44:01.123456789Z", "2011-04-19T03:44:01.123Z"},
		{"iso ten fraction digits fail", iso, "2011-04-19T03:44:01.1234567890Z", ""},
		{"iso week date", iso, "2011-W16-2", "2011-04-19T00:00:00.000Z"},
		{"iso ordinal date", iso, "2011-109", "2011-04-19T00:00:00.000Z"},
		{"iso time only", iso, "T10:30Z", "1970-01-01T10:30:00.000Z"},
		{"iso hour fraction", iso, "2011-04-19T10.5Z", "2011-04-19T10:30:00.000Z"},
		{"iso space and millis", iso, "2001-11-06 20:45:45.123", "2001-11-06T20:45:45.123Z"},
		{"iso space, comma and offset", iso, "2001-11-06 20:45:45,123-0100", "2001-11-06T21:45:45.123Z"},
		{"iso space and Z", iso, "2001-12-07 23:54:54.123Z", "2001-12-07T23:54:54.123Z"},
		{"iso space without millis fails", iso, "2001-11-06 20:45:45", ""},
		{"iso no such day", iso, "2011-02-30", ""},
		{"iso hour 24 fails", iso, "2011-04-19T24:00:00Z", ""},
		{"iso offset before T fails", iso, "2011-04-19Z", ""},
		{"iso garbage", iso, "yesterday", ""},
		{"iso year only", iso, "2011", "2011-01-01T00:00:00.000Z"},
		{"iso T without time", iso, "2011-04-19T", "2011-04-19T00:00:00.000Z"},
		{"iso signed year", iso, "+2011-04-19T10:00Z", "2011-04-19T10:00:00.000Z"},
		{"iso offset with seconds", iso, "2011-04-19T10:00:00.5+01:00:30", "2011-04-19T08:59:30.500Z"},
		{"iso empty", iso, "", ""},
		{"iso zone applies without offset", isoParis, "2024-01-10T12:00:00", "2024-01-10T11:00:00.000Z"},
		{"iso zone ignored with offset", isoParis, "2024-01-10T12:00:00Z", "2024-01-10T12:00:00.000Z"},

		// UNIX seconds.
		{"unix string", unix, "1326149001", "2012-01-09T22:43:21.000Z"},
		{"unix millis", unix, "1326149001.132", "2012-01-09T22:43:21.132Z"},
		{"unix one fraction digit", unix, "1326149001.1", "2012-01-09T22:43:21.100Z"},
		{"unix fraction truncated to millis", unix, "1350414944.123456", "2012-10-16T19:15:44.123Z"},
		{"unix dot only", unix, "1326149001.", "2012-01-09T22:43:21.000Z"},
		{"unix integer", unix, int64(1326149001), "2012-01-09T22:43:21.000Z"},
		{"unix float", unix, 1350414944.5, "2012-10-16T19:15:44.500Z"},
		{"unix zero", unix, "0", "1970-01-01T00:00:00.000Z"},
		{"unix beyond int32 fails", unix, "2147483648", ""},
		{"unix float beyond int32 fails", unix, 2147483648.0, ""},
		{"unix sprintf leftover fails", unix, "%{bad_value}", ""},
		{"unix bad fraction fails", unix, "1326149001.x", ""},
		{"unix boolean fails", unix, true, ""},

		// UNIX_MS.
		{"unix_ms string", unixMS, "1366125117000", "2013-04-16T15:11:57.000Z"},
		{"unix_ms integer", unixMS, int64(1366125117123), "2013-04-16T15:11:57.123Z"},
		{"unix_ms float truncated", unixMS, 1366125117123.9, "2013-04-16T15:11:57.123Z"},
		{"unix_ms small", unixMS, "456", "1970-01-01T00:00:00.456Z"},
		{"unix_ms fraction fails", unixMS, "1366125117000.5", ""},

		// TAI64N.
		{"tai64n", tai, "4000000050d506482dbdf024", "2012-12-22T01:00:46.767Z"},
		{"tai64n with @", tai, "@4000000050d506482dbdf024", "2012-12-22T01:00:46.767Z"},
		{"tai64n short fails", tai, "@4000000050d50648", ""},
		{"tai64n not hex fails", tai, "40000000zzd506482dbdf024", ""},
		{"tai64n number fails", tai, int64(5), ""},

		// Joda letters.
		{"comma millis", utc("yyyy-MM-dd HH:mm:ss,SSS"), "2024-01-15 10:00:00,007", "2024-01-15T10:00:00.007Z"},
		{"one S is tenths", utc("yyyy-MM-dd HH:mm:ss.S"), "2024-01-15 10:00:00.5", "2024-01-15T10:00:00.500Z"},
		{"nine S kept to millis", utc("yyyy-MM-dd HH:mm:ss.SSSSSSSSS"), "2024-01-15 10:00:00.123456789", "2024-01-15T10:00:00.123Z"},
		{"twelve S", utc("yyyy-MM-dd HH:mm:ss.SSSSSSSSSSSS"), "2024-01-15 10:00:00.999999999999", "2024-01-15T10:00:00.999Z"},
		{"SSS reads three digits only", utc("yyyy-MM-dd HH:mm:ss.SSS"), "2024-01-15 10:00:00.123456", ""},
		{"quoted T, lower case in text", utc("yyyy-MM-dd'T'HH:mm"), "2024-01-15t10:00", "2024-01-15T10:00:00.000Z"},
		{"quoted text and ''", utc("HH 'o''clock' yyyy-MM-dd"), "10 o'clock 2024-01-15", "2024-01-15T10:00:00.000Z"},
		{"EEE MMM dd HH:mm:ss yyyy", utc("EEE MMM dd HH:mm:ss yyyy"), "Tue Jan 16 08:09:10 2024", "2024-01-16T08:09:10.000Z"},
		{"EEEE full day name", utc("EEEE, dd MMMM yyyy"), "Tuesday, 16 January 2024", "2024-01-16T00:00:00.000Z"},
		{"wrong day name moves within the week as Joda", utc("EEE yyyy-MM-dd"), "Mon 2024-01-18", "2024-01-15T00:00:00.000Z"},
		{"MMM dd yyyy HH:mm:ss", utc("MMM dd yyyy HH:mm:ss"), "Aug 13 2010 00:03:44", "2010-08-13T00:03:44.000Z"},
		{"RFC 2822", utc("EEE, dd MMM yyyy HH:mm:ss Z"), "Tue, 16 Jan 2024 08:09:10 +0100", "2024-01-16T07:09:10.000Z"},
		{"h and a, midnight", utc("yyyy-MM-dd hh:mm:ss a"), "2024-01-15 12:30:00 AM", "2024-01-15T00:30:00.000Z"},
		{"h and a, noon", utc("yyyy-MM-dd hh:mm:ss a"), "2024-01-15 12:30:00 PM", "2024-01-15T12:30:00.000Z"},
		{"h and a, lower case pm", utc("yyyy-MM-dd hh:mm:ss a"), "2024-01-15 01:30:00 pm", "2024-01-15T13:30:00.000Z"},
		{"h without a is morning", utc("yyyy-MM-dd hh:mm"), "2024-01-15 01:30", "2024-01-15T01:30:00.000Z"},
		{"h 13 fails", utc("yyyy-MM-dd hh:mm a"), "2024-01-15 13:30 PM", ""},
		{"K and a", utc("yyyy-MM-dd KK:mm a"), "2024-01-15 11:00 PM", "2024-01-15T23:00:00.000Z"},
		{"k 24 is midnight", utc("yyyy-MM-dd kk:mm"), "2024-01-15 24:00", "2024-01-15T00:00:00.000Z"},
		{"H wins over a", utc("yyyy-MM-dd HH:mm a"), "2024-01-15 13:00 AM", "2024-01-15T13:00:00.000Z"},
		{"D day of year", utc("yyyy DDD"), "2024 060", "2024-02-29T00:00:00.000Z"},
		{"D beyond the year fails", utc("yyyy DDD"), "2023 366", ""},
		{"x w e week date", utc("xxxx-'W'ww-e"), "2024-W01-1", "2024-01-01T00:00:00.000Z"},
		{"w 53 in a 52-week year fails", utc("xxxx-'W'ww-e"), "2023-W53-1", ""},
		{"yy near the pivot", utc("dd/MM/yy"), "15/01/24", "2024-01-15T00:00:00.000Z"},
		{"yy 70 is 1970", utc("dd/MM/yy"), "15/01/70", "1970-01-15T00:00:00.000Z"},
		{"yy 43 is 2043", utc("dd/MM/yy"), "15/01/43", "2043-01-15T00:00:00.000Z"},
		{"yy lenient takes four digits", utc("dd/MM/yy"), "15/01/1999", "1999-01-15T00:00:00.000Z"},
		{"yyyy next to digits reads four", utc("yyyyMMdd"), "20240115", "2024-01-15T00:00:00.000Z"},
		{"G era with year of era", utc("YYYY G"), "0044 BC", "-0043-01-01T00:00:00.000Z"},
		{"G era AD", utc("YYYY G"), "2024 AD", "2024-01-01T00:00:00.000Z"},
		{"an absolute year ignores the era, as Joda", utc("yyyy G"), "0044 BC", "0044-01-01T00:00:00.000Z"},
		{"Z reads colon offsets too", utc("yyyy-MM-dd'T'HH:mm:ssZ"), "2024-01-15T10:00:00+05:30", "2024-01-15T04:30:00.000Z"},
		{"ZZ reads offsets without colon", utc("yyyy-MM-dd'T'HH:mm:ssZZ"), "2024-01-15T10:00:00-0130", "2024-01-15T11:30:00.000Z"},
		{"ZZZ zone id", utc("yyyy-MM-dd HH:mm:ss ZZZ"), "2024-01-15 10:00:00 Europe/Paris", "2024-01-15T09:00:00.000Z"},
		{"ZZZ UTC", utc("yyyy-MM-dd HH:mm:ss ZZZ"), "2024-01-15 10:00:00 UTC", "2024-01-15T10:00:00.000Z"},
		{"ZZZ unknown zone fails", utc("yyyy-MM-dd HH:mm:ss ZZZ"), "2024-01-15 10:00:00 Mars/Olympus", ""},
		{"z zone name is the zone", utc("yyyy-MM-dd HH:mm:ss z"), "2024-07-15 10:00:00 EST", "2024-07-15T14:00:00.000Z"},
		{"z UTC", utc("yyyy-MM-dd HH:mm:ss z"), "2024-07-15 10:00:00 UTC", "2024-07-15T10:00:00.000Z"},
	})
}

func TestSource(t *testing.T) {
	iso := cfg(`"ISO8601"`, `timezone = "UTC"`)
	runCases(t, midYear, []dateCase{
		{"array is a failure", iso, []any{"2011-04-19T03:44:01Z"}, ""},
		{"number for a pattern is a failure", iso, int64(1303184641), ""},
		{"hash is a failure", iso, pipeline.NewMap(0), ""},
		{"timestamp is a failure", iso, pipeline.NewTimestamp(midYear), ""},
	})
	for _, tc := range []struct {
		name   string
		fields map[string]any
	}{
		{"missing field", map[string]any{"other": "x"}},
		{"null field", map[string]any{"d": nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := buildAt(t, midYear, iso, pipeline.Deps{})
			e := event(t, tc.fields)
			if res := f.Filter(e); res != pipeline.FilterSkipped || len(e.Tags()) != 0 || stamp(e) != "2001-02-03T04:05:06.000Z" {
				t.Errorf("got %v, tags %v, @timestamp %s: want nothing done", res, e.Tags(), stamp(e))
			}
		})
	}
	t.Run("nested source", func(t *testing.T) {
		f := buildAt(t, midYear, `date { match = ["[a][b]", "ISO8601"] }`, pipeline.Deps{})
		e := event(t, map[string]any{"[a][b]": "2013-01-01T00:00:00.000Z"})
		if f.Filter(e) != pipeline.FilterMatched || stamp(e) != "2013-01-01T00:00:00.000Z" {
			t.Errorf("got %s %v", stamp(e), e.Tags())
		}
	})
}

func TestMultipleFormatsInOrder(t *testing.T) {
	both := cfg(`"dd/MM/yyyy", "MM/dd/yyyy"`, `timezone = "UTC"`)
	mixed := cfg(`"UNIX", "ISO8601", "MMM dd yyyy HH:mm:ss"`, `timezone = "UTC"`)
	runCases(t, midYear, []dateCase{
		{"first that matches wins", both, "01/02/2024", "2024-02-01T00:00:00.000Z"},
		{"second when the first is out of range", both, "01/13/2024", "2024-01-13T00:00:00.000Z"},
		{"none matches", both, "13/13/2024", ""},
		{"unix first", mixed, "1326149001", "2012-01-09T22:43:21.000Z"},
		{"iso second", mixed, "2011-04-19T03:44:01Z", "2011-04-19T03:44:01.000Z"},
		{"pattern third", mixed, "Aug 13 2010 00:03:44", "2010-08-13T00:03:44.000Z"},
		{"number skips text formats", cfg(`"ISO8601", "UNIX_MS"`), int64(1000), "1970-01-01T00:00:01.000Z"},
	})
}

func TestYearGuess(t *testing.T) {
	syslog := cfg(`"MMM  d HH:mm:ss", "MMM dd HH:mm:ss"`, `timezone = "UTC"`)
	for _, tc := range []struct {
		name  string
		now   time.Time
		value string
		want  string
	}{
		{"this year", midYear, "Mar  7 04:02:16", "2024-03-07T04:02:16.000Z"},
		{"two-digit day", midYear, "Mar 17 04:02:16", "2024-03-17T04:02:16.000Z"},
		{"December read in June is this year", midYear, "Dec 31 23:59:00", "2024-12-31T23:59:00.000Z"},
		{"December read in January is last year", time.Date(2025, 1, 1, 0, 30, 50, 0, time.UTC), "Dec 31 23:59:00", "2024-12-31T23:59:00.000Z"},
		{"January read in December is next year", time.Date(2024, 12, 31, 23, 59, 50, 0, time.UTC), "Jan  1 01:00:00", "2025-01-01T01:00:00.000Z"},
		{"November read in January is this year", time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), "Nov 30 10:00:00", "2025-11-30T10:00:00.000Z"},
		{"Feb 29 in a leap year", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "Feb 29 10:00:00", "2024-02-29T10:00:00.000Z"},
		{"Feb 29 in another year fails as in Logstash", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "Feb 29 10:00:00", ""},
		{"not a date", midYear, "Foo 29 10:00:00", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runCases(t, tc.now, []dateCase{{tc.name, syslog, tc.value, tc.want}})
		})
	}
	t.Run("day name in a year-less pattern", func(t *testing.T) {
		runCases(t, midYear, []dateCase{{"EEE", cfg(`"EEE MMM dd HH:mm:ss"`, `timezone = "UTC"`),
			"Sun Jun 02 20:38:03", "2024-06-02T20:38:03.000Z"}})
	})
	t.Run("offset in a year-less pattern", func(t *testing.T) {
		runCases(t, midYear, []dateCase{{"Z", cfg(`"MMM dd HH:mm:ss Z"`),
			"Nov 24 01:29:01 -0800", "2024-11-24T09:29:01.000Z"}})
	})
	t.Run("zone in a year-less pattern, days before a DST change", func(t *testing.T) {
		runCases(t, time.Date(2016, 3, 29, 23, 59, 50, 0, time.UTC), []dateCase{{"CET", cfg(`"MMM dd HH:mm:ss"`, `timezone = "CET"`),
			"Mar 26 02:00:37", "2016-03-26T01:00:37.000Z"}})
	})
	t.Run("the clock is read per event", func(t *testing.T) {
		now := time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC)
		f := buildAt(t, now, syslog, pipeline.Deps{})
		f.now = func() time.Time { return now }
		e := event(t, map[string]any{"d": "Jan  1 00:10:00"})
		f.Filter(e)
		if got := stamp(e); got != "2025-01-01T00:10:00.000Z" {
			t.Errorf("in December: %s", got)
		}
		now = time.Date(2025, 1, 1, 0, 20, 0, 0, time.UTC)
		e = event(t, map[string]any{"d": "Jan  1 00:10:00"})
		f.Filter(e)
		if got := stamp(e); got != "2025-01-01T00:10:00.000Z" {
			t.Errorf("in January: %s", got)
		}
	})
}

func TestTimezones(t *testing.T) {
	ny := cfg(`"yyyy-MM-dd HH:mm:ss"`, `timezone = "America/New_York"`)
	berlin := cfg(`"yyyy-MM-dd HH:mm:ss"`, `timezone = "Europe/Berlin"`)
	runCases(t, midYear, []dateCase{
		{"winter", ny, "2024-01-15 10:00:00", "2024-01-15T15:00:00.000Z"},
		{"summer", ny, "2024-07-15 10:00:00", "2024-07-15T14:00:00.000Z"},
		{"DST gap fails as Joda", ny, "2024-03-10 02:30:00", ""},
		{"just after the gap", ny, "2024-03-10 03:00:00", "2024-03-10T07:00:00.000Z"},
		{"DST overlap takes the earlier instant", ny, "2024-11-03 01:30:00", "2024-11-03T05:30:00.000Z"},
		{"after the overlap", ny, "2024-11-03 02:30:00", "2024-11-03T07:30:00.000Z"},
		{"Berlin gap fails", berlin, "2024-03-31 02:30:00", ""},
		{"Berlin overlap", berlin, "2024-10-27 02:30:00", "2024-10-27T00:30:00.000Z"},
		{"offset zone", cfg(`"yyyy-MM-dd HH:mm:ss"`, `timezone = "+05:30"`), "2024-01-15 10:00:00", "2024-01-15T04:30:00.000Z"},
		{"UTC", cfg(`"yyyy-MM-dd HH:mm:ss"`, `timezone = "UTC"`), "2024-01-15 10:00:00", "2024-01-15T10:00:00.000Z"},
		{"offset in the text wins", cfg(`"yyyy-MM-dd HH:mm:ss Z"`, `timezone = "America/New_York"`), "2024-03-10 02:30:00 +0000", "2024-03-10T02:30:00.000Z"},
	})
	t.Run("default is the machine's zone", func(t *testing.T) {
		f := buildAt(t, midYear, cfg(`"yyyy-MM-dd HH:mm:ss"`), pipeline.Deps{})
		e := event(t, map[string]any{"d": "2024-01-15 10:00:00"})
		f.Filter(e)
		want := pipeline.NewTimestamp(time.Date(2024, 1, 15, 10, 0, 0, 0, time.Local)).String()
		if got := stamp(e); got != want {
			t.Errorf("got %s, want %s (time.Local)", got, want)
		}
	})
}

func TestSprintfTimezone(t *testing.T) {
	config := cfg(`"yyyy MMM dd HH:mm:ss", "UNIX"`, `timezone = "%{tz}"`)
	f := buildAt(t, midYear, config, pipeline.Deps{})
	for _, tc := range []struct {
		name, value string
		tz          any
		want        string
	}{
		{"Los Angeles winter", "2013 Nov 24 01:29:01", "America/Los_Angeles", "2013-11-24T09:29:01.000Z"},
		{"Los Angeles summer", "2013 Jun 24 01:29:01", "America/Los_Angeles", "2013-06-24T08:29:01.000Z"},
		{"Tokyo", "2013 Jun 24 01:29:01", "Asia/Tokyo", "2013-06-23T16:29:01.000Z"},
		{"offset", "2013 Jun 24 01:29:01", "-02:00", "2013-06-24T03:29:01.000Z"},
		{"Tokyo again (cached)", "2013 Jun 24 02:29:01", "Asia/Tokyo", "2013-06-23T17:29:01.000Z"},
		{"unknown zone fails", "2013 Jun 24 01:29:01", "Nowhere/Town", ""},
		{"missing zone field fails", "2013 Jun 24 01:29:01", nil, ""},
		{"numeric formats ignore the zone", "1326149001", "Nowhere/Town", "2012-01-09T22:43:21.000Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := map[string]any{"d": tc.value}
			if tc.tz != nil {
				fields["tz"] = tc.tz
			}
			e := event(t, fields)
			res := f.Filter(e)
			if tc.want == "" {
				if res != pipeline.FilterSkipped || !e.HasTag(TagOnFailure) {
					t.Errorf("want a failure, got %v %s", res, stamp(e))
				}
				return
			}
			if got := stamp(e); res != pipeline.FilterMatched || got != tc.want {
				t.Errorf("got %v %s, want %s", res, got, tc.want)
			}
		})
	}
	t.Run("ISO8601 with a sprintf zone", func(t *testing.T) {
		runCases(t, midYear, []dateCase{{"iso", cfg(`"ISO8601"`, `timezone = "%{[@metadata][tz]}"`), "2024-01-10T12:00:00", ""}})
		f := buildAt(t, midYear, cfg(`"ISO8601"`, `timezone = "%{tz}"`), pipeline.Deps{})
		e := event(t, map[string]any{"d": "2024-01-10T12:00:00", "tz": "Europe/Paris"})
		if f.Filter(e) != pipeline.FilterMatched || stamp(e) != "2024-01-10T11:00:00.000Z" {
			t.Errorf("got %s %v", stamp(e), e.Tags())
		}
	})
}

func TestLocales(t *testing.T) {
	de := func(p string) string { return cfg(`"`+p+`"`, `timezone = "UTC"`, `locale = "de"`) }
	fr := func(p string) string { return cfg(`"`+p+`"`, `timezone = "UTC"`, `locale = "fr-FR"`) }
	runCases(t, midYear, []dateCase{
		{"de Okt", de("dd/MMM/yyyy"), "12/Okt/2024", "2024-10-12T00:00:00.000Z"},
		{"de Okt. (CLDR)", de("dd/MMM/yyyy"), "12/Okt./2024", "2024-10-12T00:00:00.000Z"},
		{"de März", de("dd MMM yyyy"), "12 März 2024", "2024-03-12T00:00:00.000Z"},
		{"de Mär", de("dd MMM yyyy"), "12 Mär 2024", "2024-03-12T00:00:00.000Z"},
		{"de full month", de("dd. MMMM yyyy"), "12. Oktober 2024", "2024-10-12T00:00:00.000Z"},
		{"de upper case", de("dd MMM yyyy"), "12 OKT 2024", "2024-10-12T00:00:00.000Z"},
		{"de day name", de("EEE, dd. MMM yyyy"), "Sa., 12. Okt. 2024", "2024-10-12T00:00:00.000Z"},
		{"de rejects English", de("dd/MMM/yyyy"), "12/Oct/2024", ""},
		{"de region", cfg(`"dd/MMM/yyyy"`, `timezone = "UTC"`, `locale = "de_AT"`), "12/Dez/2024", "2024-12-12T00:00:00.000Z"},
		{"fr mars", fr("dd MMMM yyyy"), "15 mars 2024", "2024-03-15T00:00:00.000Z"},
		{"fr MARS", fr("dd MMMM yyyy"), "15 MARS 2024", "2024-03-15T00:00:00.000Z"},
		{"fr Mars is neither as written, lower nor upper case", fr("dd MMMM yyyy"), "15 Mars 2024", ""},
		{"fr févr.", fr("dd MMM yyyy"), "15 févr. 2024", "2024-02-15T00:00:00.000Z"},
		{"fr day", fr("EEEE dd MMMM yyyy"), "vendredi 15 mars 2024", "2024-03-15T00:00:00.000Z"},
		{"es", cfg(`"dd MMM yyyy"`, `timezone = "UTC"`, `locale = "es"`), "15 ene 2024", "2024-01-15T00:00:00.000Z"},
		{"it", cfg(`"dd MMMM yyyy"`, `timezone = "UTC"`, `locale = "it"`), "15 dicembre 2024", "2024-12-15T00:00:00.000Z"},
		{"pt", cfg(`"dd 'de' MMMM 'de' yyyy"`, `timezone = "UTC"`, `locale = "pt-BR"`), "15 de março de 2024", "2024-03-15T00:00:00.000Z"},
		{"nl", cfg(`"dd MMM yyyy"`, `timezone = "UTC"`, `locale = "nl"`), "15 mrt 2024", "2024-03-15T00:00:00.000Z"},
		{"sv", cfg(`"dd MMMM yyyy"`, `timezone = "UTC"`, `locale = "sv"`), "15 maj 2024", "2024-05-15T00:00:00.000Z"},
		{"da", cfg(`"dd MMMM yyyy"`, `timezone = "UTC"`, `locale = "da"`), "15 marts 2024", "2024-03-15T00:00:00.000Z"},
		{"nb", cfg(`"dd MMM yyyy"`, `timezone = "UTC"`, `locale = "nb"`), "15 des 2024", "2024-12-15T00:00:00.000Z"},
		{"pl genitive", cfg(`"dd MMMM yyyy"`, `timezone = "UTC"`, `locale = "pl"`), "12 stycznia 2024", "2024-01-12T00:00:00.000Z"},
		{"pl nominative", cfg(`"MMMM yyyy"`, `timezone = "UTC"`, `locale = "pl"`), "październik 2024", "2024-10-01T00:00:00.000Z"},
		{"ru", cfg(`"dd MMMM yyyy"`, `timezone = "UTC"`, `locale = "ru"`), "12 января 2024", "2024-01-12T00:00:00.000Z"},
		{"ja", cfg(`"yyyy'年'MMMd'日'"`, `timezone = "UTC"`, `locale = "ja"`), "2024年11月5日", "2024-11-05T00:00:00.000Z"},
		{"ja halfday", cfg(`"yyyy-MM-dd ahh:mm"`, `timezone = "UTC"`, `locale = "ja"`), "2024-11-05 午後03:00", "2024-11-05T15:00:00.000Z"},
	})
}

func TestTargetTagsAndMetrics(t *testing.T) {
	t.Run("target field gets a timestamp", func(t *testing.T) {
		f := buildAt(t, midYear, cfg(`"ISO8601"`, `target = "[parsed][at]"`), pipeline.Deps{})
		e := event(t, map[string]any{"d": "2024-01-10T12:00:00.5Z"})
		if f.Filter(e) != pipeline.FilterMatched {
			t.Fatal("not matched")
		}
		v, _ := e.Get(pipeline.MustFieldRef("[parsed][at]"))
		ts, ok := v.(pipeline.Timestamp)
		if !ok || ts.String() != "2024-01-10T12:00:00.500Z" {
			t.Errorf("[parsed][at] = %#v", v)
		}
		if stamp(e) != "2001-02-03T04:05:06.000Z" {
			t.Errorf("@timestamp changed: %s", stamp(e))
		}
	})
	t.Run("target below a string fails", func(t *testing.T) {
		f := buildAt(t, midYear, cfg(`"ISO8601"`, `target = "[s][at]"`), pipeline.Deps{})
		e := event(t, map[string]any{"d": "2024-01-10T12:00:00Z", "s": "str"})
		if f.Filter(e) != pipeline.FilterSkipped || !e.HasTag(TagOnFailure) {
			t.Errorf("tags %v", e.Tags())
		}
	})
	t.Run("failure keeps the event, custom tags, counters", func(t *testing.T) {
		m := &pipeline.Metrics{}
		f := buildAt(t, midYear, cfg(`"yyyy/MM/dd"`, `tag_on_failure = ["date_failed", "bad"]`, `add_tag = ["ok"]`), pipeline.Deps{Metrics: m})
		e := event(t, map[string]any{"d": "2013/Apr/21"})
		if f.Filter(e) != pipeline.FilterSkipped {
			t.Error("want skipped")
		}
		m2 := e.ToMap(false)
		m2.Delete(pipeline.TimestampField)
		if got := string(pipeline.AppendJSONValue(nil, m2)); got != `{"@version":"1","d":"2013/Apr/21","tags":["date_failed","bad"]}` {
			t.Errorf("event %s", got)
		}
		e = event(t, map[string]any{"d": "2013/04/21"})
		if f.Filter(e) != pipeline.FilterMatched {
			t.Error("want matched")
		}
		e = event(t, map[string]any{"x": "no source"})
		f.Filter(e)
		if f.matches.Load() != 1 || f.failures.Load() != 1 {
			t.Errorf("matches %d failures %d", f.matches.Load(), f.failures.Load())
		}
		counts := map[string]int64{}
		for _, c := range m.Snapshot() {
			counts[c.Name] = c.Value
		}
		if counts["matches"] != 1 || counts["failures"] != 1 {
			t.Errorf("metrics %v", counts)
		}
	})
	t.Run("milliseconds kept on @timestamp", func(t *testing.T) {
		f := buildAt(t, midYear, cfg(`"ISO8601"`), pipeline.Deps{})
		e := event(t, map[string]any{"d": "2024-01-10T12:00:00.007Z"})
		f.Filter(e)
		ts, _ := e.Timestamp()
		if ts.Time().Nanosecond() != 7_000_000 || ts.String() != "2024-01-10T12:00:00.007Z" {
			t.Errorf("got %s", ts)
		}
	})
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, config, want string
	}{
		{"one element", "date {\n  match = [\"d\"]\n}", `t.hcl:3:11: error: date filter option match: needs a field name and at least one date format`},
		{"no match", "date {\n  target = \"x\"\n}", `t.hcl:2:1: error: date filter option match: needs a field name`},
		{"unknown letter", "date {\n  locale = \"en\"\n  match = [\"d\", \"yyyy-MM-dd\", \"yyyy-MM-dd HH:mm:ss Q\"]\n}",
			`t.hcl:4:11: error: date filter option match: invalid date format "yyyy-MM-dd HH:mm:ss Q" (element 3): unknown pattern letter "Q"`},
		{"empty pattern", "date {\n  match = [\"d\", \"\"]\n}", `t.hcl:3:11: error: date filter option match: invalid date format "" (element 2): empty pattern`},
		{"bad field", "date {\n  match = [\"a[b\", \"ISO8601\"]\n}", `t.hcl:3:11: error: date filter option match: the first element is not a field reference`},
		{"unknown zone", "date {\n  match = [\"d\", \"ISO8601\"]\n  timezone = \"Mars/Olympus\"\n}", `t.hcl:4:14: error: date filter option timezone: unknown time zone "Mars/Olympus"`},
		{"Local is not a zone", "date {\n  match = [\"d\", \"ISO8601\"]\n  timezone = \"Local\"\n}", `option timezone: unknown time zone "Local"`},
		{"unknown locale", "date {\n  match = [\"d\", \"ISO8601\"]\n  locale = \"xx\"\n}", `t.hcl:4:12: error: date filter option locale: unknown locale "xx"`},
		{"bad target", "date {\n  match = [\"d\", \"ISO8601\"]\n  target = \"a[\"\n}", `t.hcl:4:12: error: date filter option target: not a field reference`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := conf.Load([]conf.Source{{Name: "t.hcl", Data: []byte("filter {\n" + tc.config + "\n}")}}, registry(midYear), conf.Options{})
			var b strings.Builder
			_ = diags.Write(&b, nil, false)
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("got  %q\nwant %q", b.String(), tc.want)
			}
		})
	}
	t.Run("valid configs load", func(t *testing.T) {
		for _, c := range []string{
			`date { match = ["d", "ISO8601", "UNIX", "UNIX_MS", "TAI64N", "dd/MMM/yyyy:HH:mm:ss Z"] }`,
			`date {
				match = ["[a][b]", "EEE MMM dd HH:mm:ss yyyy", "yyyy-MM-dd'T'HH:mm:ss.SSSZZ", "MMM  d HH:mm:ss"]
				timezone = "%{tz}"
				locale = "pt_BR"
				target = "[@metadata][ts]"
				tag_on_failure = []
			}`,
		} {
			_, diags := conf.Load([]conf.Source{{Name: "t.hcl", Data: []byte("filter {\n" + c + "\n}")}}, registry(midYear), conf.Options{})
			if diags.HasErrors() {
				var b strings.Builder
				_ = diags.Write(&b, nil, false)
				t.Errorf("%s:\n%s", c, b.String())
			}
		}
	})
}

func TestConcurrent(t *testing.T) {
	f := buildAt(t, midYear, cfg(`"dd/MMM/yyyy:HH:mm:ss Z"`, `timezone = "%{tz}"`), pipeline.Deps{})
	zones := []string{"UTC", "Europe/Paris", "Asia/Tokyo", "America/New_York"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				day := 1 + (g+i)%28
				text := time.Date(2024, 5, day, 10, 0, 0, 0, time.UTC).Format("02/Jan/2006:15:04:05 -0700")
				e := event(t, map[string]any{"d": text, "tz": zones[i%len(zones)]})
				if f.Filter(e) != pipeline.FilterMatched {
					t.Errorf("%s: not matched", text)
					return
				}
				if ts, _ := e.Timestamp(); ts.Time().Day() != day {
					t.Errorf("%s: got %s", text, ts)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestConfigErrorFixtures loads testdata/config-errors.hcl, whose
// "# error:" comments name the diagnostic expected on each line, and
// testdata/valid.hcl, which must load cleanly.
func TestConfigErrorFixtures(t *testing.T) {
	diagLine := regexp.MustCompile(`^[^:]+:(\d+):\d+: error: (.*)$`)
	for _, name := range []string{"config-errors.hcl", "valid.hcl"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			want := map[int]string{}
			for i, line := range strings.Split(string(data), "\n") {
				if _, msg, ok := strings.Cut(line, "# error: "); ok {
					want[i+1] = msg
				}
			}
			_, diags := conf.Load([]conf.Source{{Name: name, Data: data}}, registry(midYear), conf.Options{})
			var b strings.Builder
			_ = diags.Write(&b, nil, false)
			got := map[int]string{}
			for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
				if m := diagLine.FindStringSubmatch(line); m != nil {
					n, _ := strconv.Atoi(m[1])
					got[n] = m[2]
				}
			}
			for n, msg := range want {
				if !strings.Contains(got[n], msg) {
					t.Errorf("line %d: want an error with %q, got %q", n, msg, got[n])
				}
			}
			for n, msg := range got {
				if _, ok := want[n]; !ok {
					t.Errorf("line %d: unexpected error %q", n, msg)
				}
			}
		})
	}
}

func TestReadOffset(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ms   int64
		rest string
		ok   bool
	}{
		{"Z", 0, "", true},
		{"z", 0, "", true},
		{"+01", 3600_000, "", true},
		{"-0130", -5400_000, "", true},
		{"+05:30", 19800_000, "", true},
		{"+01:00:30", 3630_000, "", true},
		{"+01:00:30.5", 3630_500, "", true},
		{"+010030", 3630_000, "", true},
		{"+01 x", 3600_000, " x", true},
		{"+24", 0, "", false},
		{"+01:60", 0, "", false},
		{"+1", 0, "", false},
		{"+01:", 0, "", false},
		{"01:00", 0, "", false},
		{"", 0, "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			ms, n, ok := readOffset(tc.in, 0)
			if ok != tc.ok || ok && (ms != tc.ms || tc.in[n:] != tc.rest) {
				t.Errorf("got %d %q %v, want %d %q %v", ms, tc.in[n:], ok, tc.ms, tc.rest, tc.ok)
			}
		})
	}
}

func TestLocalToUTC(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	wall := func(y int, m time.Month, d, h, mi int) int64 {
		return time.Date(y, m, d, h, mi, 0, 0, time.UTC).UnixMilli()
	}
	utc := func(y int, m time.Month, d, h, mi int) int64 { return wall(y, m, d, h, mi) }
	for _, tc := range []struct {
		name    string
		wall    int64
		prefer  int
		lenient bool
		want    int64
		ok      bool
	}{
		{"winter", wall(2024, 1, 15, 10, 0), 0, false, utc(2024, 1, 15, 15, 0), true},
		{"summer", wall(2024, 7, 15, 10, 0), 0, false, utc(2024, 7, 15, 14, 0), true},
		{"gap", wall(2024, 3, 10, 2, 30), 0, false, 0, false},
		{"gap, lenient, moves forward", wall(2024, 3, 10, 2, 30), 0, true, utc(2024, 3, 10, 7, 30), true},
		{"overlap, earlier", wall(2024, 11, 3, 1, 30), 0, false, utc(2024, 11, 3, 5, 30), true},
		{"overlap, lenient, preferred later", wall(2024, 11, 3, 1, 30), -5 * 3600, true, utc(2024, 11, 3, 6, 30), true},
		{"overlap, lenient, preferred earlier", wall(2024, 11, 3, 1, 30), -4 * 3600, true, utc(2024, 11, 3, 5, 30), true},
		{"day of the change, before", wall(2024, 3, 10, 1, 59), 0, false, utc(2024, 3, 10, 6, 59), true},
		{"day of the change, after", wall(2024, 3, 10, 3, 0), 0, false, utc(2024, 3, 10, 7, 0), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, _ := resolveLocal(tc.wall, ny, tc.prefer, tc.lenient)
			if ok != tc.ok || ok && got != tc.want {
				t.Errorf("got %s %v, want %s %v", time.UnixMilli(got).UTC(), ok, time.UnixMilli(tc.want).UTC(), tc.ok)
			}
		})
	}
	t.Run("fixed zones", func(t *testing.T) {
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("x", 3600)} {
			w := wall(2024, 3, 10, 2, 30)
			_, off := time.UnixMilli(w).In(loc).Zone()
			if got, ok := localToUTC(w, loc); !ok || got != w-int64(off)*1000 {
				t.Errorf("%s: got %d %v", loc, got, ok)
			}
		}
	})
}

func TestCompileJoda(t *testing.T) {
	names := newLocaleNames(locales()["en"])
	for _, tc := range []struct {
		pattern string
		steps   string // kinds and fields, for the shape
		err     string
	}{
		{"yyyy-MM-dd", "num(3,9) lit(-) num(5,2) lit(-) num(8,2)", ""},
		{"yyyyMMdd", "num(3,4) num(5,2) num(8,2)", ""},
		{"dd/MMM/yyyy:HH:mm:ss Z", "num(8,2) lit(/) text(5) lit(/) num(3,9) lit(:) num(11,2) lit(:) num(15,2) lit(:) num(16,2) lit( ) offset", ""},
		{"yy", "yy(3)", ""},
		{"'T''s' a", "lit(T's ) text(10)", ""},
		{"ss.SSSSSSSSSSSSSSSSSSSS", "num(16,2) lit(.) fraction(18)", ""},
		{"yyyy-MM-dd Q", "", `unknown pattern letter "Q"`},
		{"uuuu", "", `unknown pattern letter "u"`},
		{"", "", "empty pattern"},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			p, err := compileJoda(tc.pattern, 1994, names, &zoneCache{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, s := range p.steps {
				switch s.kind {
				case stLiteral:
					parts = append(parts, "lit("+s.lit+")")
				case stNumber:
					parts = append(parts, "num("+strconv.Itoa(int(s.field))+","+strconv.Itoa(s.max)+")")
				case stText:
					parts = append(parts, "text("+strconv.Itoa(int(s.field))+")")
				case stTwoDigitYear:
					parts = append(parts, "yy("+strconv.Itoa(int(s.field))+")")
				case stOffset:
					parts = append(parts, "offset")
				case stFraction:
					parts = append(parts, "fraction("+strconv.Itoa(s.max)+")")
				default:
					parts = append(parts, "other")
				}
			}
			if got := strings.Join(parts, " "); got != tc.steps {
				t.Errorf("got  %s\nwant %s", got, tc.steps)
			}
		})
	}
}
