package mutate

import (
	"testing"
)

// TestRubyNumbers covers Kernel#Float and Kernel#Integer on strings as
// Logstash's strict conversion uses them.
func TestRubyNumbers(t *testing.T) {
	for _, tc := range []struct {
		in      string
		float   float64
		floatOK bool
		integer any // nil: Integer() raises
	}{
		{"12", 12, true, int64(12)},
		{"+12", 12, true, int64(12)},
		{"-0", 0, true, int64(0)},
		{"1_000", 1000, true, int64(1000)},
		{"1__000", 0, false, nil},
		{"_1", 0, false, nil},
		{"1_", 0, false, nil},
		{"0x1A", 26, true, int64(26)},
		{"0X1a", 26, true, int64(26)},
		{"-0x1A", -26, true, int64(-26)},
		{"0x", 0, false, nil},
		{"017", 17, true, int64(15)},
		{"0_17", 17, true, int64(15)},
		{"08", 8, true, nil},
		{"1e3", 1000, true, nil},
		{"1E+3", 1000, true, nil},
		{"1e", 0, false, nil},
		{".5", 0.5, true, nil},
		{"1.", 0, false, nil},
		{".", 0, false, nil},
		{"", 0, false, nil},
		{"-", 0, false, nil},
		{"abc", 0, false, nil},
		{"12abc", 0, false, nil},
		{"Infinity", 0, false, nil},
		{"NaN", 0, false, nil},
		{"9223372036854775808", 9223372036854775808, true, float64(9223372036854775808)},
	} {
		f, err := rubyFloat(tc.in)
		if (err == nil) != tc.floatOK || (err == nil && f != tc.float) {
			t.Errorf("Float(%q) = %v, %v; want %v (ok %v)", tc.in, f, err, tc.float, tc.floatOK)
		}
		if !tc.floatOK {
			continue
		}
		i, err := rubyInteger(tc.in)
		if tc.integer == nil {
			if err == nil {
				t.Errorf("Integer(%q) = %v, want an error", tc.in, i)
			}
		} else if err != nil || i != tc.integer {
			t.Errorf("Integer(%q) = %v (%T), %v; want %v (%T)", tc.in, i, i, err, tc.integer, tc.integer)
		}
	}
}

func TestParseRepl(t *testing.T) {
	re, err := compileRuby(`(?<a>x)(y)?`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ repl, want string }{
		{`<\0>`, "a<x>b"},
		{`<\&>`, "a<x>b"},
		{`<\1\2\9>`, "a<x>b"},
		{`<\10>`, "a<x0>b"},
		{`<\k<a>>`, "a<x>b"},
		{`<\k<a`, "a<\\k<ab"},
		{`<\\1>`, "a<\\1>b"},
		{`<\n>`, "a<\\n>b"},
		{`trailing \`, "atrailing \\b"},
		{``, "ab"},
	} {
		got, _, err := re.replaceAll("axb", parseRepl(tc.repl))
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.repl, got, err, tc.want)
		}
	}
	if _, _, err := re.replaceAll("axb", parseRepl(`\k<nope>`)); err == nil {
		t.Error(`\k<nope>: want an error for an undefined group name`)
	}
}

func TestRubyFlags(t *testing.T) {
	for in, want := range map[string]string{
		`(?m)a.b`:     `(?s)a.b`,
		`(?mi:a.b)c`:  `(?si:a.b)c`,
		`(?i-m)x`:     `(?i-s)x`,
		`\(?m)`:       `\(?m)`,
		`[(?m)]`:      `[(?m)]`,
		`(?<m>x)`:     `(?<m>x)`,
		`(?=m)`:       `(?=m)`,
		`plain (m) x`: `plain (m) x`,
		`\h+\H`:       `[0-9a-fA-F]+[^0-9a-fA-F]`,
		`[\h_]`:       `[0-9a-fA-F_]`,
		`[\H]`:        `[\H]`,
		`\\h`:         `\\h`,
	} {
		if got := rubyFlags(in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}
