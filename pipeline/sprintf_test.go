package pipeline_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

// sprintfEvent returns an event at ts with the given fields set by
// reference.
func sprintfEvent(t *testing.T, ts time.Time, fields map[string]any) *pipeline.Event {
	t.Helper()
	e := pipeline.NewEvent()
	e.SetTimestamp(pipeline.NewTimestamp(ts))
	for ref, v := range fields {
		if err := e.Set(pipeline.MustFieldRef(ref), v); err != nil {
			t.Fatalf("set %s: %v", ref, err)
		}
	}
	return e
}

func mustTemplate(t *testing.T, s string) *pipeline.Template {
	t.Helper()
	tmpl, err := pipeline.ParseTemplate(s)
	if err != nil {
		t.Fatalf("ParseTemplate(%q): %v", s, err)
	}
	return tmpl
}

func TestSprintfFields(t *testing.T) {
	inner := pipeline.NewMap(2)
	inner.Set("k1", "v")
	inner.Set("n", int64(2))
	inner.Set("f", 2.0)
	inner.Set("q", "a\"b")
	fields := map[string]any{
		"message":             "hello world",
		"[a][b]":              "deep",
		"[a][c][d]":           int64(7),
		"n":                   int64(42),
		"neg":                 int64(-3),
		"f15":                 1.5,
		"f2":                  2.0,
		"fbig":                1e20,
		"fsmall":              0.0001,
		"yes":                 true,
		"no":                  false,
		"list":                []any{"Hello", "world"},
		"mixed":               []any{int64(1), 2.5, "x", nil, true},
		"nested":              []any{"a", []any{"b", "c"}},
		"empty":               []any{},
		"j":                   inner,
		"nullf":               nil,
		"blank":               "",
		"[@metadata][index]":  "logs-x",
		"[@metadata][m][n]":   "deepmeta",
		"when":                pipeline.NewTimestamp(time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)),
		"with space":          "spaced",
		"{x":                  "braced",
		"unicode":             "héllo ✓",
		"[host][name]":        "web-1",
		"[@metadata][target]": "%{message}", // values are not re-interpolated
	}
	ts := time.Date(2021, 8, 11, 13, 45, 7, 123456789, time.UTC)
	tests := []struct {
		name, format, want string
	}{
		{"string", "%{message}", "hello world"},
		{"bracketed top level", "%{[message]}", "hello world"},
		{"in text", "msg: %{message}!", "msg: hello world!"},
		{"nested", "%{[a][b]}", "deep"},
		{"deeper int", "%{[a][c][d]}", "7"},
		{"two refs", "%{[host][name]}/%{n}", "web-1/42"},
		{"adjacent refs", "%{n}%{n}", "4242"},
		{"integer", "%{n}", "42"},
		{"negative integer", "%{neg}", "-3"},
		{"float 1.5", "%{f15}", "1.5"},
		{"float 2.0", "%{f2}", "2.0"},
		{"float big", "%{fbig}", "1.0E20"},
		{"float small", "%{fsmall}", "1.0E-4"},
		{"true", "%{yes}", "true"},
		{"false", "%{no}", "false"},
		{"list", "%{list}", "Hello,world"},
		{"mixed list", "%{mixed}", "1,2.5,x,,true"},
		{"nested list flattened", "%{nested}", "a,b,c"},
		{"empty list", "[%{empty}]", "[]"},
		{"list element", "%{[list][1]}", "world"},
		{"list negative index", "%{[list][-1]}", "world"},
		{"map as JSON", "%{j}", `{"k1":"v","n":2,"f":2.0,"q":"a\"b"}`},
		{"map member", "%{[j][k1]}", "v"},
		{"timestamp field", "%{when}", "2020-02-03T04:05:06.000Z"},
		{"@timestamp", "%{@timestamp}", "2021-08-11T13:45:07.123456789Z"},
		{"[@timestamp]", "%{[@timestamp]}", "2021-08-11T13:45:07.123456789Z"},
		{"@version", "%{@version}", "1"},
		{"metadata", "%{[@metadata][index]}", "logs-x"},
		{"metadata deep", "%{[@metadata][m][n]}", "deepmeta"},
		{"metadata map", "%{[@metadata][m]}", `{"n":"deepmeta"}`},
		{"empty string", "<%{blank}>", "<>"},
		{"space in name", "%{with space}", "spaced"},
		{"brace in name", "%{{x}!", "braced!"},
		{"unicode", "%{unicode}", "héllo ✓"},
		{"no re-interpolation", "%{[@metadata][target]}", "%{message}"},
		{"missing", "%{nope}", "%{nope}"},
		{"missing in text", "a-%{nope}-b", "a-%{nope}-b"},
		{"missing nested", "%{[a][nope]}", "%{[a][nope]}"},
		{"missing below scalar", "%{[message][x]}", "%{[message][x]}"},
		{"missing index", "%{[list][5]}", "%{[list][5]}"},
		{"missing metadata", "%{[@metadata][nope]}", "%{[@metadata][nope]}"},
		{"null is left as written", "%{nullf}", "%{nullf}"},
		{"missing then present", "%{nope} %{n}", "%{nope} 42"},
		{"constant", "plain text", "plain text"},
		{"empty format", "", ""},
		{"lone percent", "100% %", "100% %"},
		{"brace without percent", "{n} }", "{n} }"},
		{"unterminated", "logs-%{message", "logs-%{message"},
		{"unterminated after ref", "%{n}-%{+YYY/web", "42-%{+YYY/web"},
		{"ref ends at first brace", "%{a%{n}}", "%{a%{n}}"},
		{"double percent", "%%{n}", "%42"},
	}
	e := sprintfEvent(t, ts, fields)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := mustTemplate(t, tt.format)
			if got := tmpl.Render(e); got != tt.want {
				t.Errorf("Render(%q) = %q, want %q", tt.format, got, tt.want)
			}
			prefix := []byte("pre:")
			if got := string(tmpl.Append(prefix, e)); got != "pre:"+tt.want {
				t.Errorf("Append(%q) = %q, want %q", tt.format, got, "pre:"+tt.want)
			}
			if tmpl.String() != tt.format {
				t.Errorf("String() = %q, want %q", tmpl.String(), tt.format)
			}
		})
	}
}

func TestSprintfDates(t *testing.T) {
	tests := []struct {
		name, format string
		at           time.Time
		want         string
	}{
		{"index YYYY", "logstash-%{+YYYY.MM.dd}", time.Date(2021, 8, 11, 13, 45, 7, 0, time.UTC), "logstash-2021.08.11"},
		{"index yyyy", "logstash-%{+yyyy.MM.dd}", time.Date(2021, 8, 11, 13, 45, 7, 0, time.UTC), "logstash-2021.08.11"},
		{"utc, not local", "%{+yyyy.MM.dd HH}", time.Date(2021, 8, 11, 23, 30, 0, 0, time.FixedZone("x", -5*3600)), "2021.08.12 04"},
		{"HH", "%{+HH}", time.Date(2021, 8, 11, 7, 45, 7, 0, time.UTC), "07"},
		{"YYYY on Jan 1 2021", "%{+YYYY}", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), "2021"},
		{"xxxx on Jan 1 2021", "%{+xxxx}", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), "2020"},
		{"ww on Jan 1 2021", "%{+ww}", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), "53"},
		{"week index Jan 1 2021", "w-%{+xxxx.ww}", time.Date(2021, 1, 1, 12, 0, 0, 0, time.UTC), "w-2020.53"},
		{"week index Jan 4 2021", "w-%{+xxxx.ww}", time.Date(2021, 1, 4, 0, 0, 0, 0, time.UTC), "w-2021.01"},
		{"week index Dec 30 2019", "%{+YYYY} %{+xxxx-'W'ww-e}", time.Date(2019, 12, 30, 0, 0, 0, 0, time.UTC), "2019 2020-W01-1"},
		{"week 52 of 2020", "%{+xxxx-ww}", time.Date(2020, 12, 27, 0, 0, 0, 0, time.UTC), "2020-52"},
		{"logstash test YYYY", "/full/%{+YYYY}", time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC), "/full/2015"},
		{"logstash test mix", "/full/%{+YYYY}/weeee/%{[bar]}", time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC), "/full/2015/weeee/foo"},
		{"logstash test java", "/full/%{{YYYY-DDD}}/weeee/%{bar}", time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC), "/full/2015-274/weeee/foo"},
		{"logstash test java week", "%{{YYYY-'W'ww}}", time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC), "2015-W40"},
		{"epoch", "%{+%s}", time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC), "1443657600"},
		{"epoch before 1970", "%{+%s}", time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC), "-1"},
		{"epoch in text", "t=%{+%s}s", time.Date(2021, 8, 11, 13, 45, 7, 999000000, time.UTC), "t=1628689507s"},
		{"percent ss is joda", "%{+%ss}", time.Date(2015, 10, 1, 0, 0, 0, 0, time.UTC), "%00"},
		{"joda iso with millis", "%{+yyyy-MM-dd'T'HH:mm:ss.SSSZ}", time.Date(2021, 8, 11, 13, 45, 7, 123456789, time.UTC), "2021-08-11T13:45:07.123+0000"},
		{"joda ZZ and z", "%{+HH:mm ZZ z}", time.Date(2021, 8, 11, 13, 45, 7, 0, time.UTC), "13:45 +00:00 UTC"},
		{"joda names", "%{+EEE EEEE MMM MMMM}", time.Date(2021, 8, 11, 0, 0, 0, 0, time.UTC), "Wed Wednesday Aug August"},
		{"java iso", "%{{yyyy-MM-dd'T'HH:mm:ss.SSSZ}}", time.Date(2021, 8, 11, 13, 45, 7, 123456789, time.UTC), "2021-08-11T13:45:07.123+0000"},
		{"java nanos", "%{{HH:mm:ss.SSSSSSSSS XXX}}", time.Date(2021, 8, 11, 13, 45, 7, 123456789, time.UTC), "13:45:07.123456789 Z"},
		{"java US week year Dec 31 2020", "%{{YYYY-ww e}}", time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC), "2021-01 5"},
		{"java US week Jan 3 2021", "%{{YYYY-ww}}", time.Date(2021, 1, 3, 0, 0, 0, 0, time.UTC), "2021-02"},
		{"java US week Dec 31 2016", "%{{YYYY-ww}}", time.Date(2016, 12, 31, 0, 0, 0, 0, time.UTC), "2016-53"},
		{"java u and y", "%{{uuuu yyyy}}", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), "2021 2021"},
		{"java optional section", "%{{yyyy[.MM]}}", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), "2021.01"},
		{"java and joda and field", "%{bar}-%{{yyyy}}-%{+MM}-%{+%s}", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), "foo-2021-01-1609459200"},
		{"java brace name field", "%{{yyyy}x", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), "%{{yyyy}x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sprintfEvent(t, tt.at, map[string]any{"bar": "foo"})
			tmpl := mustTemplate(t, tt.format)
			// Twice: the second goes through the date cache.
			for range 2 {
				if got := tmpl.Render(e); got != tt.want {
					t.Errorf("Render(%q) = %q, want %q", tt.format, got, tt.want)
				}
				if got := string(tmpl.Append(nil, e)); got != tt.want {
					t.Errorf("Append(%q) = %q, want %q", tt.format, got, tt.want)
				}
			}
		})
	}
}

func TestSprintfNoTimestamp(t *testing.T) {
	e := pipeline.NewEvent()
	e.Set(pipeline.MustFieldRef("n"), int64(1))
	if _, ok := e.Remove(pipeline.MustFieldRef("@timestamp")); !ok {
		t.Fatal("could not remove @timestamp")
	}
	tests := []struct{ format, want string }{
		{"a%{+YYYY.MM.dd}b", "ab"},
		{"a%{{yyyy}}b", "ab"},
		{"a%{+%s}b", "ab"},
		{"%{@timestamp}", "%{@timestamp}"},
		{"%{n}%{+YYYY}", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			if got := mustTemplate(t, tt.format).Render(e); got != tt.want {
				t.Errorf("Render(%q) = %q, want %q", tt.format, got, tt.want)
			}
		})
	}
}

func TestSprintfTimeNow(t *testing.T) {
	e := sprintfEvent(t, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	tmpl := mustTemplate(t, "%{{TIME_NOW}}")
	before := time.Now().Add(-time.Millisecond)
	got := tmpl.Render(e)
	after := time.Now().Add(time.Millisecond)
	ts, err := pipeline.ParseTimestamp(got)
	if err != nil {
		t.Fatalf("Render = %q: %v", got, err)
	}
	if ts.Time().Before(before) || ts.Time().After(after) {
		t.Errorf("TIME_NOW = %s, not between %s and %s", got, before, after)
	}
	if tmpl.IsConstant() {
		t.Error("TIME_NOW is constant")
	}
}

func TestSprintfIsConstant(t *testing.T) {
	tests := []struct {
		format string
		want   bool
	}{
		{"", true},
		{"logstash", true},
		{"a %{ b", true},
		{"100%", true},
		{"%{x}", false},
		{"logstash-%{+YYYY.MM.dd}", false},
		{"%{{yyyy}}", false},
		{"%{+%s}", false},
		{"a%{b}c", false},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			if got := mustTemplate(t, tt.format).IsConstant(); got != tt.want {
				t.Errorf("IsConstant(%q) = %v, want %v", tt.format, got, tt.want)
			}
		})
	}
}

func TestSprintfErrors(t *testing.T) {
	tests := []struct {
		name, format string
		offset       int
		msg          string
	}{
		{"bad ref", "%{[a}", 2, "invalid field reference"},
		{"bad ref later", "x %{[a}", 4, "invalid field reference"},
		{"bad ref after good", "%{a} %{[a]b}", 7, "invalid field reference"},
		{"bare with bracket", "%{a[b]}", 2, "invalid field reference"},
		{"empty [] part", "%{[a][]}", 2, "invalid field reference"},
		{"empty ref", "ab%{}", 2, "empty reference"},
		{"empty joda", "%{+}", 0, "empty date pattern"},
		{"half epoch", "x%{+%}", 1, "empty date pattern"},
		{"unknown joda letter", "%{+YYYY.MM.ddf}", 13, "unknown Joda-Time pattern letter 'f'"},
		{"java-only letter in joda", "logs-%{+uuuu}", 8, "letter 'u'"},
		{"unknown java letter", "%{{yyyy-bb}}", 8, "unknown java.time pattern letter 'b'"},
		{"java quote", "%{{yyyy'}}", 7, "unterminated quoted text"},
		{"java too many", "a-%{{HHH}}", 5, "too many pattern letters"},
		{"java bracket", "%{{yyyy]}}", 7, "']' without"},
		{"java nn", "%{{ss.nn}}", 6, "cannot print every value"},
		{"empty java", "%{{}}", 3, "empty date pattern"},
		{"java at end", "idx-%{{yyyy}", 4, "second '}'"},
		{"bad time now", "%{{BAD_TIME_NOW}}", 3, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := pipeline.ParseTemplate(tt.format)
			if err == nil {
				t.Fatalf("ParseTemplate(%q) = %v, want an error", tt.format, tmpl)
			}
			var te *pipeline.TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("ParseTemplate(%q) error %T %v, want *TemplateError", tt.format, err, err)
			}
			if te.Offset != tt.offset || !strings.Contains(te.Message, tt.msg) {
				t.Errorf("ParseTemplate(%q) = offset %d %q, want offset %d containing %q", tt.format, te.Offset, te.Message, tt.offset, tt.msg)
			}
			if !strings.Contains(err.Error(), te.Message) {
				t.Errorf("Error() = %q lacks the message", err.Error())
			}
		})
	}
}

// Templates are shared by pipeline workers: render one from many goroutines
// with events of different days (run with -race).
func TestSprintfConcurrent(t *testing.T) {
	tmpl := mustTemplate(t, "logstash-%{+YYYY.MM.dd}-%{host}-%{{HH}}")
	var events []*pipeline.Event
	var wants []string
	base := time.Now().UTC()
	for i := range 10 {
		at := base.AddDate(0, 0, i*17-50).Add(time.Duration(i) * time.Hour)
		host := strings.Repeat("h", i+1)
		events = append(events, sprintfEvent(t, at, map[string]any{"host": host}))
		wants = append(wants, "logstash-"+at.Format("2006.01.02")+"-"+host+"-"+at.Format("15"))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := range 3000 {
				k := (i*7 + g) % len(events)
				buf = tmpl.Append(buf[:0], events[k])
				if string(buf) != wants[k] {
					t.Errorf("got %q, want %q", buf, wants[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestSprintfAllocs(t *testing.T) {
	e := sprintfEvent(t, time.Now(), map[string]any{"host": "web-1", "[a][b]": "x", "n": int64(12)})
	buf := make([]byte, 0, 256)
	for _, format := range []string{
		"constant text",
		"%{host}",
		"%{[a][b]}-%{host}-%{n}",
		"logstash-%{+YYYY.MM.dd}",
		"%{missing}",
		"%{@timestamp}",
		"%{+%s}",
	} {
		tmpl := mustTemplate(t, format)
		tmpl.Append(buf[:0], e) // fill the date cache
		if n := testing.AllocsPerRun(100, func() { buf = tmpl.Append(buf[:0], e) }); n != 0 {
			t.Errorf("Append(%q): %v allocs, want 0", format, n)
		}
	}
	for _, format := range []string{"constant text", "%{host}", "logstash-%{+YYYY.MM.dd}", "%{+YYYY.MM.dd}"} {
		tmpl := mustTemplate(t, format)
		tmpl.Render(e)
		want := 0.0
		if strings.HasPrefix(format, "logstash-") {
			want = 1 // the result string
		}
		if n := testing.AllocsPerRun(100, func() { tmpl.Render(e) }); n != want {
			t.Errorf("Render(%q): %v allocs, want %v", format, n, want)
		}
	}
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{
		"%{a}", "%{[a][b]}", "%{+YYYY.MM.dd}", "%{{yyyy-MM-dd'T'HH:mm:ss.SSSZ}}", "%{+%s}",
		"%{", "%{}", "%{{", "%{{}", "%{{}}", "%{+'", "%{{'}}", "x%{{a}", "%{{TIME_NOW}}",
	} {
		f.Add(s)
	}
	e := pipeline.NewEvent()
	e.Set(pipeline.MustFieldRef("a"), "x")
	f.Fuzz(func(t *testing.T, s string) {
		tmpl, err := pipeline.ParseTemplate(s)
		if err != nil {
			var te *pipeline.TemplateError
			if !errors.As(err, &te) || te.Offset < 0 || te.Offset > len(s) {
				t.Fatalf("ParseTemplate(%q): bad error %v", s, err)
			}
			return
		}
		if tmpl.String() != s {
			t.Fatalf("String() = %q, want %q", tmpl.String(), s)
		}
		out := tmpl.Render(e)
		if tmpl.IsConstant() && out != s {
			t.Fatalf("constant %q rendered as %q", s, out)
		}
	})
}
