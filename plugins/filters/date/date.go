// Package date is Logstash's date filter (logstash-filter-date 3.1): it
// parses a date held in a field with one of several formats (Joda-Time
// patterns, ISO8601, UNIX, UNIX_MS, TAI64N) and stores it in @timestamp or
// another field.
//
// Each Joda-Time pattern is compiled once, when the filter is built, into a
// list of parse steps (see joda.go); parsing an event walks the steps and
// does not allocate.
package date

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "date"

// TagOnFailure is the default failure tag.
const TagOnFailure = "_dateparsefailure"

// The format names that are not Joda-Time patterns.
const (
	FormatISO8601 = "ISO8601"
	FormatUNIX    = "UNIX"
	FormatUNIXMS  = "UNIX_MS"
	FormatTAI64N  = "TAI64N"
)

// Config is the date filter's configuration.
type Config struct {
	// Match is the source field followed by one or more formats, tried in
	// order: ISO8601, UNIX, UNIX_MS, TAI64N or a Joda-Time pattern.
	Match []string `hcl:"match,optional"`
	// Target is where the parsed time goes (default @timestamp).
	Target string `hcl:"target,optional"`
	// Timezone is the zone of dates without an offset: an IANA name, an
	// offset such as "+05:30", or a sprintf format resolved per event
	// ("%{tz}"). Default: the machine's zone (time.Local).
	Timezone string `hcl:"timezone,optional"`
	// Locale is the language of month and day names ("en", "de", "fr-FR",
	// "pt_BR"); default English.
	Locale string `hcl:"locale,optional"`
	// TagOnFailure are the tags added when no format matches.
	TagOnFailure []string `hcl:"tag_on_failure,optional"`
}

func defaults() *Config {
	return &Config{Target: pipeline.TimestampField, TagOnFailure: []string{TagOnFailure}}
}

var _ pipeline.Validator = (*Config)(nil)

// Validate checks the options: the match list, every pattern, the target,
// a constant time zone and the locale.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Match) < 2 {
		errs = append(errs, &pipeline.ConfigError{Attr: "match",
			Summary: "needs a field name and at least one date format",
			Detail:  fmt.Sprintf("write [\"field\", \"format\", ...], e.g. [\"logdate\", \"dd/MMM/yyyy:HH:mm:ss Z\"]; the value is %q", c.Match)})
	} else if _, err := pipeline.ParseFieldRef(c.Match[0]); err != nil {
		errs = append(errs, &pipeline.ConfigError{Attr: "match", Summary: "the first element is not a field reference",
			Detail: fmt.Sprintf("%v; write a top-level name (\"logdate\") or brackets (\"[a][b]\")", err)})
	}
	if _, err := pipeline.ParseFieldRef(c.Target); err != nil {
		errs = append(errs, &pipeline.ConfigError{Attr: "target", Summary: "not a field reference",
			Detail: fmt.Sprintf("%v; write a top-level name (\"logdate\") or brackets (\"[a][b]\")", err)})
	}
	if c.Locale != "" {
		if _, ok := lookupLocale(c.Locale); !ok {
			errs = append(errs, &pipeline.ConfigError{Attr: "locale", Summary: fmt.Sprintf("unknown locale %q", c.Locale),
				Detail: "the supported languages are " + strings.Join(localeCodes(), ", ") + " (with any region: de-AT, pt_BR)"})
		}
	}
	if c.Timezone != "" {
		if err := checkTimezone(c.Timezone); err != nil {
			errs = append(errs, err)
		}
	}
	if len(c.Match) >= 2 {
		zones := &zoneCache{}
		names := newLocaleNames(locales()["en"])
		for i, f := range c.Match[1:] {
			if _, err := compileFormat(f, time.Now().Year()-30, names, zones); err != nil {
				errs = append(errs, &pipeline.ConfigError{Attr: "match",
					Summary: fmt.Sprintf("invalid date format %q (element %d)", f, i+2), Detail: err.Error()})
			}
		}
	}
	return errors.Join(errs...)
}

// checkTimezone checks a timezone option: a sprintf format, or a zone
// that loads.
func checkTimezone(tz string) error {
	t, err := pipeline.ParseTemplate(tz)
	if err != nil {
		return &pipeline.ConfigError{Attr: "timezone", Summary: "invalid sprintf format", Detail: err.Error()}
	}
	if t.IsConstant() && loadZone(tz) == nil {
		return &pipeline.ConfigError{Attr: "timezone", Summary: fmt.Sprintf("unknown time zone %q", tz),
			Detail: "use an IANA name such as \"Europe/Paris\" or \"America/New_York\", \"UTC\", an offset such as \"+05:30\", " +
				"or a sprintf format such as \"%{tz}\""}
	}
	return nil
}

// Plugin describes the date filter for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewFilterPlugin(Name, "parses a date in a field into @timestamp", defaults, build)
}

// formatKind is the kind of a compiled format.
type formatKind uint8

const (
	kindJoda formatKind = iota
	kindISO
	kindUnix
	kindUnixMS
	kindTAI64N
)

// format is one compiled entry of match.
type format struct {
	kind formatKind
	joda *jodaParser
	// iso are the patterns ISO8601 tries after Joda's ISO parser, as
	// Logstash's CasualISO8601Parser.
	iso []*jodaParser
}

// isoFallbacks are the patterns ISO8601 tries when the text is not ISO
// 8601 proper ("2001-11-06 20:45:45.123").
func isoFallbacks() [4]string {
	return [4]string{"yyyy-MM-dd HH:mm:ss.SSSZ", "yyyy-MM-dd HH:mm:ss.SSS",
		"yyyy-MM-dd HH:mm:ss,SSSZ", "yyyy-MM-dd HH:mm:ss,SSS"}
}

func compileFormat(f string, pivot int, names *localeNames, zones *zoneCache) (format, error) {
	switch f {
	case FormatISO8601:
		ft := format{kind: kindISO}
		for _, p := range isoFallbacks() {
			jp, err := compileJoda(p, pivot, names, zones)
			if err != nil {
				return format{}, fmt.Errorf("ISO8601 fallback %q: %w", p, err)
			}
			ft.iso = append(ft.iso, jp)
		}
		return ft, nil
	case FormatUNIX:
		return format{kind: kindUnix}, nil
	case FormatUNIXMS:
		return format{kind: kindUnixMS}, nil
	case FormatTAI64N:
		return format{kind: kindTAI64N}, nil
	}
	jp, err := compileJoda(f, pivot, names, zones)
	if err != nil {
		return format{}, err
	}
	for _, s := range jp.steps {
		if s.kind == stZoneName && !checkZoneNames(zones) {
			return format{}, errors.New("the pattern reads zone names (z), but time zone data is missing")
		}
	}
	return format{kind: kindJoda, joda: jp}, nil
}

// Filter parses dates. It is safe for concurrent use.
type Filter struct {
	source      pipeline.FieldRef
	target      pipeline.FieldRef
	toTimestamp bool
	formats     []format
	loc         *time.Location     // the zone when timezone is constant
	tz          *pipeline.Template // the zone's sprintf format, or nil
	zones       *zoneCache
	tags        []string
	log         *slog.Logger

	// now is the clock for the year of year-less patterns; defaultYear is
	// its year when the filter was built (Joda's default year).
	now         func() time.Time
	defaultYear int

	matches, failures *atomic.Int64
	warnedSet         atomic.Bool
}

var _ pipeline.Filter = (*Filter)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Filter, error) {
	return newFilter(c, d, time.Now)
}

// newFilter builds the filter with a clock.
func newFilter(c *Config, d pipeline.Deps, now func() time.Time) (*Filter, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("date filter: %w", err)
	}
	f := &Filter{tags: c.TagOnFailure, now: now, zones: &zoneCache{}, loc: time.Local}
	f.defaultYear = now().Year()
	f.source, _ = pipeline.ParseFieldRef(c.Match[0])
	f.target, _ = pipeline.ParseFieldRef(c.Target)
	f.toTimestamp = f.target.IsTimestamp()
	texts := locales()["en"]
	if c.Locale != "" {
		texts, _ = lookupLocale(c.Locale)
	}
	names := newLocaleNames(texts)
	for _, s := range c.Match[1:] {
		ft, err := compileFormat(s, f.defaultYear-30, names, f.zones)
		if err != nil {
			return nil, fmt.Errorf("date filter: format %q: %w", s, err)
		}
		f.formats = append(f.formats, ft)
	}
	if c.Timezone != "" {
		t, _ := pipeline.ParseTemplate(c.Timezone)
		if t.IsConstant() {
			f.loc = loadZone(c.Timezone)
		} else {
			f.tz = t
		}
	}
	m := d.Metrics
	if m == nil {
		m = &pipeline.Metrics{}
	}
	f.matches, f.failures = m.Counter("matches"), m.Counter("failures")
	f.log = d.Logger
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	return f, nil
}

// Filter implements pipeline.Filter.
func (f *Filter) Filter(e *pipeline.Event) pipeline.FilterResult {
	v, ok := e.Get(f.source)
	if !ok || v == nil {
		return pipeline.FilterSkipped
	}
	ms, ok := f.parse(v, e)
	if !ok {
		f.fail(e)
		return pipeline.FilterSkipped
	}
	ts := pipeline.NewTimestamp(time.UnixMilli(ms))
	if f.toTimestamp {
		e.SetTimestamp(ts)
	} else if err := e.Set(f.target, ts); err != nil {
		if f.warnedSet.CompareAndSwap(false, true) {
			f.log.Warn("date filter cannot set the target (logged once per plugin; counted as failures)",
				"target", f.target.String(), "event_id", e.ID(), "error", err)
		}
		f.fail(e)
		return pipeline.FilterSkipped
	}
	f.matches.Add(1)
	return pipeline.FilterMatched
}

func (f *Filter) fail(e *pipeline.Event) {
	f.failures.Add(1)
	for _, t := range f.tags {
		e.AddTag(t)
	}
}

// parse tries the formats in order and returns Unix milliseconds.
func (f *Filter) parse(v any, e *pipeline.Event) (int64, bool) {
	var loc *time.Location
	locDone := false
	for i := range f.formats {
		ft := &f.formats[i]
		var ms int64
		var ok bool
		switch ft.kind {
		case kindUnix:
			ms, ok = parseUnix(v)
		case kindUnixMS:
			ms, ok = parseUnixMS(v)
		case kindTAI64N:
			if s, isStr := v.(string); isStr {
				ms, ok = parseTAI64N(s)
			}
		default:
			s, isStr := v.(string)
			if !isStr {
				continue // text formats take strings only
			}
			if !locDone {
				loc, locDone = f.zone(e), true
			}
			if loc == nil {
				continue // an unknown zone from the event fails the text formats
			}
			if ft.kind == kindISO {
				ms, ok = parseISO8601(ft, s, loc)
			} else {
				ms, ok = f.parseJoda(ft.joda, s, loc)
			}
		}
		if ok {
			return ms, true
		}
	}
	return 0, false
}

// zone returns the zone for dates without an offset.
func (f *Filter) zone(e *pipeline.Event) *time.Location {
	if f.tz == nil {
		return f.loc
	}
	return f.zones.load(f.tz.Render(e))
}

// instant converts a parsed local date-time to Unix milliseconds: with the
// parsed offset, else the parsed zone, else loc.
func instant(wall int64, b *bucket, loc *time.Location) (int64, bool) {
	if b.hasOffset {
		return wall - b.offsetMs, true
	}
	if b.zone != nil {
		loc = b.zone
	}
	return localToUTC(wall, loc)
}

// parseJoda parses s with a Joda-Time pattern.
func (f *Filter) parseJoda(p *jodaParser, s string, loc *time.Location) (int64, bool) {
	var b bucket
	if !p.parse(s, &b) {
		return 0, false
	}
	days, tod, ok := resolve(&b, f.defaultYear)
	if !ok {
		return 0, false
	}
	wall := days*msPerDay + tod
	if p.hasYear {
		return instant(wall, &b, loc)
	}
	return f.guessYear(p, wall, &b, loc)
}

// guessYear places a date parsed without a year (read in the default
// year) in the current year, as Logstash's JodaParser: a December date
// read in January is last year's, a January date read in December is next
// year's.
func (f *Filter) guessYear(p *jodaParser, wall int64, b *bucket, loc *time.Location) (int64, bool) {
	var local int64
	var off int
	if p.hasZone {
		ms, ok := instant(wall, b, loc)
		if !ok {
			return 0, false
		}
		off = offsetAt(ms, loc)
		local = ms + int64(off)*1000
	} else {
		// Without Z in the pattern the text's wall time is read in the
		// zone, whatever zone the text named.
		ms, ok := localToUTC(wall, loc)
		if !ok {
			return 0, false
		}
		off = offsetAt(ms, loc)
		local = wall
	}
	days := floorDiv(local, msPerDay)
	tod := local - days*msPerDay
	_, month, day := civilFromDays(days)
	now := f.now()
	year := int64(now.Year())
	switch {
	case month == 12 && now.Month() == time.January:
		year--
	case month == 1 && now.Month() == time.December:
		year++
	}
	if month == 2 && day == 29 && !isLeap(year) {
		day = 28
	}
	ms, ok, _ := resolveLocal(daysFromCivil(year, month, day)*msPerDay+tod, loc, off, true)
	return ms, ok
}

// parseISO8601 is Logstash's ISO8601 format: Joda's ISO date-time parser,
// then "yyyy-MM-dd HH:mm:ss.SSS" with '.' or ',' and an optional offset.
func parseISO8601(ft *format, s string, loc *time.Location) (int64, bool) {
	var b bucket
	if parseISO(s, &b) {
		if days, tod, ok := resolve(&b, 2000); ok {
			if ms, ok := instant(days*msPerDay+tod, &b, loc); ok {
				return ms, true
			}
		}
	}
	for _, p := range ft.iso {
		b = bucket{}
		if !p.parse(s, &b) {
			continue
		}
		if days, tod, ok := resolve(&b, 2000); ok {
			if ms, ok := instant(days*msPerDay+tod, &b, loc); ok {
				return ms, true
			}
		}
	}
	return 0, false
}

// maxEpochSeconds is the largest UNIX value Logstash accepts (a Java int).
const maxEpochSeconds = math.MaxInt32

// minEpochSeconds is the smallest UNIX value whose milliseconds fit an
// int64: below it Logstash's long arithmetic wraps to a wrong date; pipe
// fails the event instead.
const minEpochSeconds = math.MinInt64 / 1000

// parseUnix is the UNIX format: seconds since the epoch, as an integer, a
// float or a string; at most three fraction digits of a string are read
// (milliseconds), as Logstash's UnixEpochParser.
func parseUnix(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		if t > maxEpochSeconds || t < minEpochSeconds {
			return 0, false
		}
		return t * 1000, true
	case float64:
		if math.IsNaN(t) || t > maxEpochSeconds+1 || t*1000 < math.MinInt64/2 {
			return 0, false
		}
		if int64(t) > maxEpochSeconds {
			return 0, false
		}
		return int64(t * 1000), true
	case string:
		secText, frac, hasDot := strings.Cut(t, ".")
		sec, err := strconv.ParseInt(secText, 10, 64)
		if err != nil || sec > maxEpochSeconds || sec < minEpochSeconds {
			return 0, false
		}
		ms := sec * 1000
		if !hasDot {
			return ms, true
		}
		n := min(3, len(frac))
		if n == 0 {
			return ms, true
		}
		sub, err := strconv.ParseInt(frac[:n], 10, 64)
		if err != nil {
			return 0, false
		}
		switch n {
		case 1:
			sub *= 100
		case 2:
			sub *= 10
		}
		return ms + sub, true
	}
	return 0, false
}

// parseUnixMS is the UNIX_MS format: milliseconds since the epoch, as an
// integer, a string of digits, or a float (truncated).
func parseUnixMS(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case float64:
		if math.IsNaN(t) || math.Abs(t) >= math.MaxInt64/2 {
			return 0, false
		}
		return int64(t), true
	case string:
		ms, err := strconv.ParseInt(t, 10, 64)
		return ms, err == nil
	}
	return 0, false
}

// parseTAI64N is the TAI64N format: an optional '@', 16 hex digits of
// seconds (TAI64, whose label of the epoch is 2^62 + 10) and 8 hex digits
// of nanoseconds; what follows is ignored, as in Logstash. Leap seconds are
// not counted: TAI is taken as UTC + 10 s.
func parseTAI64N(s string) (int64, bool) {
	s = strings.TrimPrefix(s, "@")
	if len(s) < 24 {
		return 0, false
	}
	sec, err := strconv.ParseInt(s[:16], 16, 64)
	if err != nil {
		return 0, false
	}
	nano, err := strconv.ParseInt(s[16:24], 16, 32)
	if err != nil {
		return 0, false
	}
	sec = sec&(1<<62-1) - 10
	if sec > math.MaxInt64/1000-1 {
		return 0, false // beyond what milliseconds since the epoch can hold
	}
	return sec*1000 + nano/1_000_000, true
}
