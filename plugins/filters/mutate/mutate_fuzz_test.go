package mutate

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

// fuzzFilter builds a mutate filter from a Config, or returns nil when the
// Config does not validate (Validate and the build must agree).
func fuzzFilter(t *testing.T, c *Config) *Filter {
	t.Helper()
	if c.TagOnFailure == "" {
		c.TagOnFailure = TagOnFailure
	}
	verr := c.Validate()
	pf, berr := build(c, pipeline.Deps{})
	if (verr == nil) != (berr == nil) {
		t.Fatalf("Validate says %v, build says %v", verr, berr)
	}
	if berr != nil {
		return nil
	}
	f := pf.(*Filter)
	// A backtracking regex gets a short budget: a fuzzed regex may
	// backtrack for ever, and running out fails the filter (tagged), which
	// is what is checked.
	for i := range f.ops.gsub {
		if re := f.ops.gsub[i].re; re != nil && re.bt != nil {
			re.bt.MatchTimeout = 50 * time.Millisecond
		}
	}
	return f
}

// runChecked runs f on e and asserts the house rule: the filter either
// succeeds untagged or fails with _mutate_error; it never panics.
func runChecked(t *testing.T, what string, f *Filter, e *pipeline.Event) bool {
	t.Helper()
	res := f.Filter(e)
	tagged := e.HasTag(TagOnFailure)
	switch {
	case res == pipeline.FilterMatched && !tagged:
		return true
	case res == pipeline.FilterSkipped && tagged:
		return false
	}
	t.Fatalf("%s: result %v with tags %v: neither a clean success nor a tagged failure", what, res, e.Tags())
	return false
}

// fuzzEvent is an event whose field f holds v.
func fuzzEvent(t *testing.T, v any) *pipeline.Event {
	t.Helper()
	e := pipeline.NewEvent()
	if err := e.Set(pipeline.MustFieldRef("f"), v); err != nil {
		t.Fatal(err)
	}
	return e
}

// wrappings are v as it is, in a list (with a null), in a nested list and
// in a map.
func wrappings(v string) map[string]func() any {
	return map[string]func() any{
		"value":  func() any { return v },
		"list":   func() any { return []any{v, nil, v} },
		"nested": func() any { return []any{[]any{v}, int64(1)} },
		"map": func() any {
			m := pipeline.NewMap(1)
			m.Set("k", v)
			return m
		},
	}
}

// The strings whose conversions strconv gives too: decimal integers
// without a leading zero (Ruby reads "010" as octal) and decimal floats.
var (
	decimalInt   = regexp.MustCompile(`^[+-]?(0|[1-9][0-9]*)$`)
	decimalFloat = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)
)

// mutateSeeds are the nasty values every mutate fuzzer starts from.
func mutateSeeds() []string {
	return []string{
		"", "0", "-0", "+0", "1", "-1", "42", "010", "0x1F", "0X1f", "0b101", "0o17", "1_000", "1__0", "_1",
		"1e999", "-1e999", "1e-999", "1E3", "1.5", "-1.5", "1.", ".5", "1.5e3", "0x1.8p1", "NaN", "Infinity",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"99999999999999999999999999999999999999", "1,234,567.89", "1.234.567,89", " 12 ", "\t-7\n", "\x0012\x00",
		"١٢٣", "１２３", "true", "false", "yes", "no", "t", "f", "1.0", "1x0", "TRUE\nfoo", "\xff\xfe", "\xed\xa0\x80",
		"a\x00b", strings.Repeat("9", 4096), strings.Repeat("ab,", 1000), "a,,b,,", ",", ",,,", "  a  b  ", "é", "ǅ",
	}
}

// FuzzMutateConvert converts fuzzed strings (alone, in lists, in maps) to
// every type: each either converts or tags _mutate_error, and decimal
// text converts to what strconv reads.
func FuzzMutateConvert(f *testing.F) {
	for _, s := range mutateSeeds() {
		f.Add(s)
	}
	filters := map[string]*Filter{}
	for _, kind := range convertNames {
		c := &Config{Convert: []pipeline.KV{{Key: "f", Value: kind}}, TagOnFailure: TagOnFailure}
		pf, err := build(c, pipeline.Deps{})
		if err != nil {
			f.Fatalf("convert %s: %v", kind, err)
		}
		filters[kind] = pf.(*Filter)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for kind, cf := range filters {
			for wrap, v := range wrappings(s) {
				e := fuzzEvent(t, v())
				ok := runChecked(t, kind+" of "+wrap+" "+strconv.Quote(s), cf, e)
				if wrap != "value" || !ok {
					continue
				}
				got, _ := e.Get(pipeline.MustFieldRef("f"))
				switch kind {
				case "string":
					if got != s {
						t.Fatalf("string of %q: got %#v", s, got)
					}
				case "integer":
					if n, err := strconv.ParseInt(s, 10, 64); err == nil && decimalInt.MatchString(s) && got != n {
						t.Fatalf("integer of %q: got %#v, strconv gives %d", s, got, n)
					}
				case "float":
					x, err := strconv.ParseFloat(s, 64)
					if (err == nil || err.(*strconv.NumError).Err == strconv.ErrRange) && decimalFloat.MatchString(s) {
						if g, isFloat := got.(float64); !isFloat || (g != x && !(math.IsNaN(g) && math.IsNaN(x))) {
							t.Fatalf("float of %q: got %#v, strconv gives %v", s, got, x)
						}
					}
				}
			}
		}
		// A decimal string that strconv reads must convert, not fail.
		if _, err := strconv.ParseInt(s, 10, 64); err == nil && decimalInt.MatchString(s) {
			e := fuzzEvent(t, s)
			if !runChecked(t, "integer", filters["integer"], e) {
				t.Fatalf("integer of %q failed", s)
			}
		}
	})
}

// FuzzMutateGsub runs a fuzzed regex (when it compiles) with a fuzzed
// replacement over fuzzed text: never a panic, a tagged failure at worst,
// text the regex does not match is left as it is, and the replacement \0
// (the whole match) gives the text back.
func FuzzMutateGsub(f *testing.F) {
	for _, s := range []struct{ text, re, repl string }{
		{"", "", ""},
		{"a.b.c", `\.`, "_"},
		{"baaac", "a*", "-"},
		{"2024-01-02", `(\d+)-(\d+)-(\d+)`, `\3/\2/\1`},
		{"john smith", `(?<first>\w+) (?<last>\w+)`, `\k<last>, \k<first>`},
		{"abc", `(a)(b)(c)`, `\9\10\\\&\'\` + "`"},
		{"x", "x", `\`},
		{"x", "x", `\k<nope>`},
		{"x", "x", `\k<`},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", `(a+)+b`, "z"},
		{"abab", `(ab)\1`, "<\\1>"},
		{"foobar", `foo(?=bar)`, "X"},
		{"aaa", `a++`, "b"},
		{"line1\nline2", `^line`, "L"},
		{"AbC", `(?i)abc`, "x"},
		{"a\nb", `(?m).+`, "x"},
		{"dead beef", `\h+`, "#"},
		{"é\xffz", ".", "?"},
		{"\xed\xa0\x80", `\x{D800}`, ""},
		{"a\x00b", "\x00", "NUL"},
		{"١٢٣", `\d`, "n"},
		{"abc", `[`, "x"},
		{"abc", `(?<n>`, "x"},
		{"%{x}", `%{x}`, "%{y}"},
		{strings.Repeat("ab", 2000), `(a|b)*c`, "-"},
	} {
		f.Add(s.text, s.re, s.repl)
	}
	f.Fuzz(func(t *testing.T, text, re, repl string) {
		// With %{...} the regex or the replacement is a sprintf format,
		// rendered per event (which may fail to parse: a config error).
		sprintf := strings.Contains(re, "%{") || strings.Contains(repl, "%{")
		gf := fuzzFilter(t, &Config{Gsub: []string{"f", re, repl}})
		if gf == nil {
			if _, err := compileRuby(re); err == nil && !sprintf {
				t.Fatalf("regex %q compiles, but the filter does not build", re)
			}
			return
		}
		for wrap, v := range wrappings(text) {
			runChecked(t, "gsub of "+wrap, gf, fuzzEvent(t, v()))
		}
		rx := gf.ops.gsub[0].re
		if rx != nil && rx.re != nil && !rx.re.MatchString(text) {
			e := fuzzEvent(t, text)
			if runChecked(t, "gsub", gf, e) {
				if got, _ := e.Get(pipeline.MustFieldRef("f")); got != text {
					t.Fatalf("gsub(%q, %q) of %q: no match, yet got %q", re, repl, text, got)
				}
			}
		}
		whole := fuzzFilter(t, &Config{Gsub: []string{"f", re, `\0`}})
		if whole == nil {
			t.Fatalf("regex %q builds with replacement %q, but not with \\0", re, repl)
		}
		e := fuzzEvent(t, text)
		if runChecked(t, `gsub \0`, whole, e) {
			if got, _ := e.Get(pipeline.MustFieldRef("f")); got != text {
				t.Fatalf(`gsub(%q, "\\0") of %q: got %q`, re, text, got)
			}
		}
	})
}

// FuzzMutateSplitJoin splits fuzzed text on a fuzzed separator and joins
// it back (split runs before join in one block): the text comes back but
// for the trailing empty strings split drops, as strings.Split shows.
func FuzzMutateSplitJoin(f *testing.F) {
	for _, s := range mutateSeeds() {
		f.Add(s, ",")
	}
	for _, s := range []struct{ text, sep string }{
		{"a b  c", " "}, {" a\tb\n", " "}, {"abc", ""}, {"é\xffx", ""}, {"aaa", "aa"}, {"a||b||", "||"},
		{"x", "x"}, {"\x00a\x00", "\x00"}, {"a%{b}c", "%{b}"}, {"a\xed\xa0\x80b", "\xed\xa0\x80"},
	} {
		f.Add(s.text, s.sep)
	}
	f.Fuzz(func(t *testing.T, text, sep string) {
		sj := fuzzFilter(t, &Config{Split: []pipeline.KV{{Key: "f", Value: sep}}, Join: []pipeline.KV{{Key: "f", Value: sep}}})
		if sj == nil {
			t.Fatalf("split/join on %q does not build", sep)
		}
		for wrap, v := range wrappings(text) {
			runChecked(t, "split/join of "+wrap, sj, fuzzEvent(t, v()))
		}
		e := fuzzEvent(t, text)
		if !runChecked(t, "split/join", sj, e) {
			t.Fatalf("split/join of %q on %q failed", text, sep)
		}
		got, _ := e.Get(pipeline.MustFieldRef("f"))
		var want string
		switch sep {
		case " ":
			// Ruby's awk-style split: only text without runs of
			// whitespace comes back as it is.
			if strings.ContainsAny(text, "\t\n\v\f\r") || strings.Contains(text, "  ") ||
				strings.HasPrefix(text, " ") || strings.HasSuffix(text, " ") {
				return
			}
			want = text
		case "":
			want = text
		default:
			parts := strings.Split(text, sep)
			for len(parts) > 0 && parts[len(parts)-1] == "" {
				parts = parts[:len(parts)-1]
			}
			want = strings.Join(parts, sep)
			if !strings.HasSuffix(text, sep) && want != text {
				t.Fatalf("strings.Split/Join of %q on %q is %q", text, sep, want)
			}
		}
		if got != want {
			t.Fatalf("split then join of %q on %q: got %#v, want %q", text, sep, got, want)
		}
	})
}

// FuzzMutateAnyValue runs every operation over fields holding any JSON
// value (nested maps and lists included): never a panic, a tagged failure
// at worst.
func FuzzMutateAnyValue(f *testing.F) {
	for _, s := range []string{
		`null`, `""`, `"x"`, `1`, `-0`, `1e999`, `1.5`, `true`, `[]`, `{}`, `[1,"2",null,[3,[4]],{"a":{"b":[]}}]`,
		`{"a":1,"b":[1,2],"c":{"d":null}}`, `"\u0000\ud800"`, `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`{"@timestamp":"2024-01-01T00:00:00Z","tags":["x"]}`, `["a","b",{"k":"v"}]`, `"١٢٣"`, `9223372036854775808`,
	} {
		f.Add(s, s)
	}
	var all []*Filter
	for _, c := range []*Config{
		{Convert: []pipeline.KV{{Key: "a", Value: "integer"}, {Key: "b", Value: "float_eu"}}},
		{Convert: []pipeline.KV{{Key: "a", Value: "boolean"}, {Key: "b", Value: "string"}}},
		{Convert: []pipeline.KV{{Key: "a", Value: "integer_eu"}, {Key: "b", Value: "float"}}},
		{Gsub: []string{"a", `\d`, "#", "b", `(.)`, `\1\1`}},
		{Uppercase: []string{"a"}, Capitalize: []string{"b"}, Lowercase: []string{"[a][x]"}, Strip: []string{"a", "b"}},
		{Split: []pipeline.KV{{Key: "a", Value: ","}}, Join: []pipeline.KV{{Key: "b", Value: "|"}}},
		{Merge: []pipeline.KV{{Key: "a", Value: "b"}}},
		{Merge: []pipeline.KV{{Key: "b", Value: "a"}, {Key: "[c][d]", Value: "a"}}},
		{Copy: []pipeline.KV{{Key: "a", Value: "c"}, {Key: "b", Value: "[a][b]"}}},
		{Rename: []pipeline.KV{{Key: "a", Value: "[b][c]"}, {Key: "b", Value: "a"}}},
		{Replace: []pipeline.KV{{Key: "a", Value: "%{b}"}}, Update: []pipeline.KV{{Key: "b", Value: "%{[a][0]}"}},
			Coerce: []pipeline.KV{{Key: "a", Value: "%{b}"}}},
		{Copy: []pipeline.KV{{Key: "a", Value: "@timestamp"}}},
		{Rename: []pipeline.KV{{Key: "a", Value: "tags"}}},
		{Merge: []pipeline.KV{{Key: "tags", Value: "a"}}},
		{Split: []pipeline.KV{{Key: "a", Value: ""}}, Join: []pipeline.KV{{Key: "a", Value: ""}}},
	} {
		c.TagOnFailure = TagOnFailure
		pf, err := build(c, pipeline.Deps{})
		if err != nil {
			f.Fatalf("%+v: %v", c, err)
		}
		all = append(all, pf.(*Filter))
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		doc := `{"a":` + a + `,"b":` + b + `}`
		for i, mf := range all {
			var e *pipeline.Event
			var d pipeline.JSONDecoder
			if err := d.DecodeEvents([]byte(doc), func(x *pipeline.Event) { e = x }); err != nil || e == nil {
				return
			}
			runChecked(t, "filter "+strconv.Itoa(i)+" on "+doc, mf, e)
		}
	})
}
