package pipeline

import (
	"errors"
	"testing"
	"time"
)

func TestTimestampString(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"whole second", time.Date(2014, 11, 4, 12, 37, 17, 0, time.UTC), "2014-11-04T12:37:17.000Z"},
		{"millis", time.Date(2014, 11, 4, 12, 37, 17, 477_000_000, time.UTC), "2014-11-04T12:37:17.477Z"},
		{"millis trailing zeros", time.Date(2014, 11, 4, 12, 37, 17, 100_000_000, time.UTC), "2014-11-04T12:37:17.100Z"},
		{"one milli", time.Date(2014, 11, 4, 12, 37, 17, 1_000_000, time.UTC), "2014-11-04T12:37:17.001Z"},
		{"micros", time.Date(2014, 11, 4, 12, 37, 17, 123_456_000, time.UTC), "2014-11-04T12:37:17.123456Z"},
		{"micros trailing zero", time.Date(2014, 11, 4, 12, 37, 17, 123_400_000+10_000, time.UTC), "2014-11-04T12:37:17.123410Z"},
		{"one micro", time.Date(2014, 11, 4, 12, 37, 17, 1_000, time.UTC), "2014-11-04T12:37:17.000001Z"},
		{"nanos", time.Date(2014, 11, 4, 12, 37, 17, 123_456_789, time.UTC), "2014-11-04T12:37:17.123456789Z"},
		{"one nano", time.Date(2014, 11, 4, 12, 37, 17, 1, time.UTC), "2014-11-04T12:37:17.000000001Z"},
		{"converted to UTC", time.Date(2026, 1, 1, 0, 30, 0, 0, time.FixedZone("", 3600)), "2025-12-31T23:30:00.000Z"},
		{"year 0", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), "0000-01-01T00:00:00.000Z"},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC), "9999-12-31T23:59:59.999999999Z"},
		// java.time's ISO_INSTANT: a sign beyond four digits, 3/6/9 fraction digits always.
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "+10000-01-01T00:00:00.000Z"},
		{"year -1", time.Date(-1, 6, 1, 0, 0, 0, 5_000_000, time.UTC), "-0001-06-01T00:00:00.005Z"},
		{"year -10000", time.Date(-10000, 6, 1, 0, 0, 0, 0, time.UTC), "-10000-06-01T00:00:00.000Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := NewTimestamp(tc.t)
			if got := ts.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if got := string(ts.AppendISO([]byte("x"))); got != "x"+tc.want {
				t.Errorf("AppendISO = %q", got)
			}
			back, err := ParseTimestamp(tc.want)
			if err != nil {
				t.Fatalf("ParseTimestamp(own output %q): %v", tc.want, err)
			}
			if !back.Time().Equal(tc.t) {
				t.Errorf("round trip %q = %v, want %v", tc.want, back.Time(), tc.t)
			}
		})
	}
}

func TestTimestampBasics(t *testing.T) {
	before := time.Now()
	n := Now()
	if n.Time().Location() != time.UTC {
		t.Errorf("Now() location %v", n.Time().Location())
	}
	if n.Time().Before(before.Add(-time.Second)) || n.Time().After(time.Now().Add(time.Second)) {
		t.Errorf("Now() = %v, not now", n)
	}
	if n.IsZero() || !(Timestamp{}).IsZero() {
		t.Errorf("IsZero")
	}
	local := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("X", -5*3600))
	if got := NewTimestamp(local).Time(); got.Location() != time.UTC || !got.Equal(local) {
		t.Errorf("NewTimestamp = %v", got)
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Z millis", "2014-11-04T12:37:17.477Z", "2014-11-04T12:37:17.477Z"},
		{"python-logstash", "2026-11-24T23:08:04.232Z", "2026-11-24T23:08:04.232Z"},
		{"lower case t and z", "2014-11-04t12:37:17.477z", "2014-11-04T12:37:17.477Z"},
		{"no fraction", "2014-11-04T12:37:17Z", "2014-11-04T12:37:17.000Z"},
		{"one digit fraction", "2014-11-04T12:37:17.5Z", "2014-11-04T12:37:17.500Z"},
		{"micro fraction", "2014-11-04T12:37:17.123456Z", "2014-11-04T12:37:17.123456Z"},
		{"four digit fraction", "2014-11-04T12:37:17.1234Z", "2014-11-04T12:37:17.123400Z"},
		{"nano fraction", "2014-11-04T12:37:17.123456789Z", "2014-11-04T12:37:17.123456789Z"},
		{"comma fraction", "2014-11-04T12:37:17,477Z", "2014-11-04T12:37:17.477Z"},
		{"offset +hh:mm", "2014-11-04T12:37:17.477+01:00", "2014-11-04T11:37:17.477Z"},
		{"offset -hh:mm", "2014-11-04T12:37:17-05:30", "2014-11-04T18:07:17.000Z"},
		{"offset +hhmm", "2014-11-04T12:37:17+0130", "2014-11-04T11:07:17.000Z"},
		{"offset -hh", "2014-11-04T12:37:17-05", "2014-11-04T17:37:17.000Z"},
		{"offset +00:00", "2014-11-04T12:37:17+00:00", "2014-11-04T12:37:17.000Z"},
		{"offset max", "2014-11-04T12:00:00+18:00", "2014-11-03T18:00:00.000Z"},
		{"offset crosses year", "2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000Z"},
		{"no zone means UTC", "2014-11-04T12:37:17.477", "2014-11-04T12:37:17.477Z"},
		{"space separator", "2014-11-04 12:37:17.477Z", "2014-11-04T12:37:17.477Z"},
		{"no seconds", "2026-11-24T23:08", "2026-11-24T23:08:00.000Z"},
		{"no seconds with zone", "2026-11-24T23:08+02:00", "2026-11-24T21:08:00.000Z"},
		{"date only", "2026-11-24", "2026-11-24T00:00:00.000Z"},
		{"date only with Z", "2026-11-24Z", "2026-11-24T00:00:00.000Z"},
		{"date only with offset", "2026-11-24+01:00", "2026-11-23T23:00:00.000Z"},
		{"leap day 2024", "2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"},
		{"leap day 2000", "2000-02-29", "2000-02-29T00:00:00.000Z"},
		{"end of day 24:00", "2026-11-24T24:00", "2026-11-25T00:00:00.000Z"},
		{"end of day 24:00:00.000", "2026-12-31T24:00:00.000Z", "2027-01-01T00:00:00.000Z"},
		{"end of Feb 28", "2026-02-28T24:00:00Z", "2026-03-01T00:00:00.000Z"},
		{"year 0", "0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z"},
		{"signed long year", "+10000-01-01T00:00:00Z", "+10000-01-01T00:00:00.000Z"},
		{"negative year", "-0001-06-01T00:00:00Z", "-0001-06-01T00:00:00.000Z"},
		{"rolls into year 10000", "9999-12-31T24:00", "+10000-01-01T00:00:00.000Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := ParseTimestamp(tc.in)
			if err != nil {
				t.Fatalf("ParseTimestamp(%q): %v", tc.in, err)
			}
			if got := ts.String(); got != tc.want {
				t.Errorf("ParseTimestamp(%q) = %s, want %s", tc.in, got, tc.want)
			}
			if ts.Time().Location() != time.UTC {
				t.Errorf("location %v, want UTC", ts.Time().Location())
			}
		})
	}
}

func TestParseTimestampInvalid(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"words", "not a date"},
		{"year only", "2026"},
		{"year and month", "2026-11"},
		{"short month", "2026-1-01"},
		{"short day", "2026-11-1"},
		{"month 0", "2026-00-10"},
		{"month 13", "2026-13-01"},
		{"day 0", "2026-11-00"},
		{"day 32", "2026-11-32"},
		{"Nov 31", "2026-11-31"},
		{"Feb 29 non-leap", "2026-02-29"},
		{"Feb 29 1900", "1900-02-29T00:00:00Z"},
		{"Feb 30 leap", "2024-02-30"},
		{"slashes", "2026/11/24"},
		{"five digit year unsigned", "20260-01-01"},
		{"plus with four digits", "+2026-01-01"},
		{"T without time", "2026-11-24T"},
		{"hour only", "2026-11-24T23"},
		{"one digit minute", "2026-11-24T23:8"},
		{"hour 25", "2026-11-24T25:00"},
		{"minute 60", "2026-11-24T23:60"},
		{"second 60", "2026-11-24T23:59:60Z"},
		{"24:30", "2026-11-24T24:30"},
		{"24:00:01", "2026-11-24T24:00:01"},
		{"24:00 on a day that does not exist", "2026-02-30T24:00"},
		{"dot without digits", "2026-11-24T23:08:04.Z"},
		{"ten fraction digits", "2026-11-24T23:08:04.1234567890Z"},
		{"fraction without seconds", "2026-11-24T23:08.5Z"},
		{"trailing junk", "2026-11-24T23:08:04Zjunk"},
		{"trailing space", "2026-11-24T23:08:04Z "},
		{"leading space", " 2026-11-24T23:08:04Z"},
		{"space before zone", "2026-11-24T23:08:04 Z"},
		{"unknown zone letter", "2026-11-24T23:08:04X"},
		{"offset 19 hours", "2026-11-24T23:08:04+19:00"},
		{"offset over 18 hours", "2026-11-24T23:08:04+18:30"},
		{"offset minute 61", "2026-11-24T23:08:04+05:61"},
		{"offset one digit", "2026-11-24T23:08:04+5"},
		{"offset short minutes", "2026-11-24T23:08:04+05:3"},
		{"offset three digits", "2026-11-24T23:08:04+053"},
		{"epoch number", "1732489684"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := ParseTimestamp(tc.in)
			if err == nil {
				t.Fatalf("ParseTimestamp(%q) = %s, want an error", tc.in, ts)
			}
			if !errors.Is(err, errTimestamp) {
				t.Errorf("error %v does not wrap errTimestamp", err)
			}
			if !ts.IsZero() {
				t.Errorf("non-zero Timestamp with error")
			}
		})
	}
}
