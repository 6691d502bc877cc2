package pipeline

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// condKV is one field of a test event: a field reference and its value.
type condKV struct {
	ref string
	v   any
}

// condEvent builds an event with the given fields set through Event.Set.
func condEvent(t testing.TB, kvs ...condKV) *Event {
	t.Helper()
	e := NewEvent()
	for _, kv := range kvs {
		if err := e.Set(MustFieldRef(kv.ref), kv.v); err != nil {
			t.Fatalf("Set(%s): %v", kv.ref, err)
		}
	}
	return e
}

func condMap(kv ...any) *Map {
	m := NewMap(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return m
}

func condTS(t testing.TB, s string) Timestamp {
	t.Helper()
	ts, err := ParseTimestamp(s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

type condCase struct {
	name   string
	cond   string
	fields []condKV
	want   bool
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCondition(tc.cond)
			if err != nil {
				t.Fatalf("ParseCondition(%q): %v", tc.cond, err)
			}
			got, err := c.Eval(condEvent(t, tc.fields...))
			if err != nil {
				t.Fatalf("Eval(%q): unexpected error %v", tc.cond, err)
			}
			if got != tc.want {
				t.Errorf("Eval(%q) = %v, want %v", tc.cond, got, tc.want)
			}
		})
	}
}

func TestConditionEquality(t *testing.T) {
	s := func(v any) []condKV { return []condKV{{"[a][b]", v}} }
	runCondCases(t, []condCase{
		{"string eq", `[a][b] == "x"`, s("x"), true},
		{"string eq other", `[a][b] == "x"`, s("y"), false},
		{"string eq reversed", `"x" == [a][b]`, s("x"), true},
		{"single quoted", `[a][b] == 'single quoted'`, s("single quoted"), true},
		{"single quoted ne", `[a][b] != 'single quoted'`, s("single quoted"), false},
		{"ne other", `[a][b] != "x"`, s("y"), true},
		{"double quote escape kept", `[a][b] == "say \"hi\""`, s(`say \"hi\"`), true},
		{"double quote escape not unescaped", `[a][b] == "say \"hi\""`, s(`say "hi"`), false},
		{"single quote escape kept", `[a][b] == 'it\'s'`, s(`it\'s`), true},
		{"backslash kept", `[a][b] == "C:\temp"`, s(`C:\temp`), true},
		{"other quote inside", `[a][b] == 'say "hi"'`, s(`say "hi"`), true},
		{"empty string", `[a][b] == ""`, s(""), true},
		{"unicode", `[a][b] == "héllo ✓"`, s("héllo ✓"), true},
		{"int eq", `[a][b] == 500`, s(int64(500)), true},
		{"int ne", `[a][b] == 500`, s(int64(501)), false},
		{"negative int", `[a][b] == -3`, s(int64(-3)), true},
		{"float eq", `[a][b] == 1.5`, s(1.5), true},
		{"int field float literal", `[a][b] == 1.0`, s(int64(1)), true},
		{"float field int literal", `[a][b] == 1`, s(1.0), true},
		{"float trailing dot", `[a][b] == 2.`, s(int64(2)), true},
		{"int vs fractional float", `[a][b] == 1`, s(1.5), false},
		{"string vs number no coercion", `[a][b] == 1`, s("1"), false},
		{"string vs number ne", `[a][b] != 1`, s("1"), true},
		{"bool field vs string", `[a][b] == "true"`, s(true), false},
		{"missing eq", `[nope] == "x"`, nil, false},
		{"missing ne", `[nope] != "x"`, nil, true},
		{"nil eq", `[a][b] == "x"`, s(nil), false},
		{"list literal deep eq", `[a][b] == [1, "x", 2.5]`, s([]any{int64(1), "x", 2.5}), true},
		{"list literal order", `[a][b] == [1, "x", 2.5]`, s([]any{"x", int64(1), 2.5}), false},
		{"list literal length", `[a][b] == [1, 2]`, s([]any{int64(1)}), false},
		{"field vs field strings", `[a][b] == [c]`, []condKV{{"[a][b]", "v"}, {"c", "v"}}, true},
		{"field vs field int float", `[a][b] == [c]`, []condKV{{"[a][b]", int64(3)}, {"c", 3.0}}, true},
		{"field vs field bools", `[a][b] == [c]`, []condKV{{"[a][b]", false}, {"c", false}}, true},
		{"field vs field bools differ", `[a][b] != [c]`, []condKV{{"[a][b]", false}, {"c", true}}, true},
		{"field vs field maps any order", `[m1] == [m2]`, []condKV{
			{"m1", condMap("x", int64(1), "y", []any{"a"})},
			{"m2", condMap("y", []any{"a"}, "x", 1.0)}}, true},
		{"field vs field maps differ", `[m1] == [m2]`, []condKV{
			{"m1", condMap("x", int64(1))}, {"m2", condMap("x", int64(1), "y", int64(2))}}, false},
		{"field vs field nested lists", `[l1] == [l2]`, []condKV{
			{"l1", []any{[]any{"a"}, condMap("k", "v")}}, {"l2", []any{[]any{"a"}, condMap("k", "v")}}}, true},
		{"both missing are equal", `[x] == [y]`, nil, true},
		{"one missing", `[x] == [y]`, []condKV{{"x", "v"}}, false},
		{"timestamps equal", `[@timestamp] == [t2]`, []condKV{
			{"@timestamp", condTS(t, "2024-01-02T03:04:05.000Z")}, {"t2", condTS(t, "2024-01-02T04:04:05+01:00")}}, true},
		{"metadata", `[@metadata][route] == "x"`, []condKV{{"[@metadata][route]", "x"}}, true},
		{"bare top-level name in brackets with space", `[my field] == "x"`, []condKV{{"my field", "x"}}, true},
		{"list index", `[l][1] == "b"`, []condKV{{"l", []any{"a", "b"}}}, true},
		{"list negative index", `[l][-1] == "b"`, []condKV{{"l", []any{"a", "b"}}}, true},
		{"constant eq", `"a" == "a"`, nil, true},
		{"constant ne", `1 != 1.0`, nil, false},
		{"no spaces", `[a][b]=="x"`, s("x"), true},
		{"newlines and comment", "[a][b] # the field\n  ==\n  \"x\"", s("x"), true},
	})
}

func TestConditionOrdering(t *testing.T) {
	n := func(v any) []condKV { return []condKV{{"n", v}} }
	runCondCases(t, []condCase{
		{"int gt", `[n] > 100`, n(int64(101)), true},
		{"int gt equal", `[n] > 100`, n(int64(100)), false},
		{"int ge equal", `[n] >= 100`, n(int64(100)), true},
		{"int ge less", `[n] >= 100`, n(int64(99)), false},
		{"int lt", `[n] < 100`, n(int64(99)), true},
		{"int lt equal", `[n] < 100`, n(int64(100)), false},
		{"int le equal", `[n] <= 100`, n(int64(100)), true},
		{"int le more", `[n] <= 100`, n(int64(101)), false},
		{"float gt", `[n] > 1.5`, n(1.75), true},
		{"float gt false", `[n] > 1.5`, n(1.25), false},
		{"int field float literal", `[n] > 1.5`, n(int64(2)), true},
		{"int field float literal false", `[n] > 1.5`, n(int64(1)), false},
		{"float field int literal", `[n] >= 2`, n(2.0), true},
		{"float field int literal lt", `[n] < 2`, n(1.999), true},
		{"negative", `[n] < -1`, n(int64(-2)), true},
		{"negative float", `[n] > -1.5`, n(-1.25), true},
		{"big int vs float", `[n] > 9007199254740992.0`, n(int64(9007199254740993)), true},
		{"constant left", `500 <= [n]`, n(int64(503)), true},
		{"constant left false", `500 <= [n]`, n(int64(404)), false},
		{"strings lexicographic", `[s] < "b"`, []condKV{{"s", "abc"}}, true},
		{"strings lexicographic false", `[s] > "b"`, []condKV{{"s", "abc"}}, false},
		{"strings bytewise", `[s] > "Z"`, []condKV{{"s", "a"}}, true},
		{"string digits", `[s] < "5.5.0"`, []condKV{{"s", "10.0.0"}}, true},
		{"string equal ge", `[s] >= "x"`, []condKV{{"s", "x"}}, true},
		{"timestamps", `[@timestamp] < [t2]`, []condKV{
			{"@timestamp", condTS(t, "2024-01-02T03:04:05Z")}, {"t2", condTS(t, "2024-01-02T03:04:06Z")}}, true},
		{"timestamps ge", `[@timestamp] >= [t2]`, []condKV{
			{"@timestamp", condTS(t, "2024-01-02T03:04:05Z")}, {"t2", condTS(t, "2024-01-02T03:04:06Z")}}, false},
		{"field vs field numbers", `[a] > [b]`, []condKV{{"a", 2.5}, {"b", int64(2)}}, true},
		{"constants", `2 > 1`, nil, true},
	})
}

func TestConditionRegex(t *testing.T) {
	m := func(v any) []condKV { return []condKV{{"message", v}} }
	runCondCases(t, []condCase{
		{"match", `[message] =~ /timeout\s+\d+/`, m("request timeout  30 s"), true},
		{"no match", `[message] =~ /timeout\s+\d+/`, m("timeout x"), false},
		{"not match", `[message] !~ /timeout\s+\d+/`, m("timeout x"), true},
		{"not match matching", `[message] !~ /timeout/`, m("timeout"), false},
		{"escaped slash", `[message] =~ /^\/var\/log\//`, m("/var/log/syslog"), true},
		{"escaped slash no match", `[message] =~ /^\/var\/log\//`, m("/usr/var/log/"), false},
		{"caret at line start (Ruby)", `[message] =~ /^b$/`, m("a\nb\nc"), true},
		{"dollar before final newline (Ruby)", `[message] =~ /c$/`, m("abc\n"), true},
		{"string anchors", `[message] =~ /\Ab\z/`, m("a\nb"), false},
		{"dot excludes newline", `[message] =~ /a.b/`, m("a\nb"), false},
		{"string pattern", `[message] =~ "^err"`, m("error: x"), true},
		{"single quoted pattern", `[message] =~ 'o{2}'`, m("foo"), true},
		{"string pattern no match", `[message] !~ "^err"`, m("an error"), true},
		{"named group", `[message] =~ /(?<word>\w+)=1/`, m("x=1"), true},
		{"backtracking fallback lookbehind", `[message] =~ /(?<=user=)root/`, m("user=root"), true},
		{"backtracking fallback lookbehind no match", `[message] =~ /(?<=user=)root/`, m("root"), false},
		{"backtracking fallback backref", `[message] =~ /(\w)\1/`, m("hello"), true},
		{"backtracking negated", `[message] !~ /(?!a)b/`, m("ab"), false},
		{"number is not matched", `[message] =~ /1/`, m(int64(1)), false},
		{"number not-match is true", `[message] !~ /1/`, m(int64(1)), true},
		{"missing =~", `[nope] =~ /./`, nil, false},
		{"missing !~", `[nope] !~ /./`, nil, true},
		{"list is not matched", `[message] =~ /a/`, m([]any{"a"}), false},
		{"constant left", `"abc" =~ /b/`, nil, true},
		{"constant number left", `1 =~ /1/`, nil, false},
	})
}

func TestConditionIn(t *testing.T) {
	runCondCases(t, []condCase{
		// right side a list literal: membership by string form (Logstash's FieldInConstantList)
		{"string in literal list", `[level] in ["ERROR", "CRITICAL"]`, []condKV{{"level", "ERROR"}}, true},
		{"string not in literal list", `[level] in ["ERROR", "CRITICAL"]`, []condKV{{"level", "WARN"}}, false},
		{"not in literal list", `[level] not in ["ERROR", "CRITICAL"]`, []condKV{{"level", "WARN"}}, true},
		{"not in literal list member", `[level] not in ["ERROR", "CRITICAL"]`, []condKV{{"level", "ERROR"}}, false},
		{"single element list literal", `[level] in ["ERROR"]`, []condKV{{"level", "ERROR"}}, true},
		{"single quoted list literal", `[level] in ['ERROR']`, []condKV{{"level", "ERROR"}}, true},
		{"bare words in list literal", `[level] in [ERROR, CRITICAL]`, []condKV{{"level", "CRITICAL"}}, true},
		{"int in int list", `[code] in [200, 404]`, []condKV{{"code", int64(404)}}, true},
		{"string in int list", `[code] in [200, 404]`, []condKV{{"code", "404"}}, true},
		{"int in string list", `[code] in ["200", "404"]`, []condKV{{"code", int64(200)}}, true},
		{"float in float list", `[x] in [2.5, 3]`, []condKV{{"x", 2.5}}, true},
		{"float is not its int", `[x] in [200]`, []condKV{{"x", 200.0}}, false},
		{"bool in list", `[x] in ["true"]`, []condKV{{"x", true}}, true},
		{"missing in list", `[x] in ["a"]`, nil, false},
		{"missing not in list", `[x] not in ["a"]`, nil, true},
		{"nil in list", `[x] in ["a"]`, []condKV{{"x", nil}}, false},
		{"list in list literal", `[x] in ["a"]`, []condKV{{"x", []any{"a"}}}, false},
		{"empty list literal", `[x] in []`, []condKV{{"x", "a"}}, false},
		{"constant in list literal", `"b" in ["a", "b"]`, nil, true},
		{"long list literal", `[x] in ["a","b","c","d","e","f","g","h","i","j","k","l","m", 42]`, []condKV{{"x", int64(42)}}, true},
		{"long list literal miss", `[x] in ["a","b","c","d","e","f","g","h","i","j","k","l","m"]`, []condKV{{"x", "z"}}, false},
		// right side a list in the event: membership with == equality
		{"tag in tags", `"_grokparsefailure" in [tags]`, []condKV{{"tags", []any{"a", "_grokparsefailure"}}}, true},
		{"tag not in tags", `"_grokparsefailure" in [tags]`, []condKV{{"tags", []any{"a"}}}, false},
		{"tag not in tags negated", `"_grokparsefailure" not in [tags]`, []condKV{{"tags", []any{"a"}}}, true},
		{"no tags", `"x" in [tags]`, nil, false},
		{"no tags not in", `"x" not in [tags]`, nil, true},
		{"field in field list", `[x] in [list]`, []condKV{{"x", "b"}, {"list", []any{"a", "b"}}}, true},
		{"number in field list coerces numbers", `1 in [list]`, []condKV{{"list", []any{1.0}}}, true},
		{"string not equal number in field list", `"1" in [list]`, []condKV{{"list", []any{int64(1)}}}, false},
		{"missing in field list", `[x] in [list]`, []condKV{{"list", []any{"a", nil}}}, false},
		{"list in field list", `[x] in [list]`, []condKV{{"x", []any{"a"}}, {"list", []any{[]any{"a"}}}}, false},
		// right side a string: substring
		{"substring literal", `[a] in "substring haystack"`, []condKV{{"a", "hay"}}, true},
		{"substring literal miss", `[a] in "substring haystack"`, []condKV{{"a", "needle"}}, false},
		{"empty substring", `[a] in "abc"`, []condKV{{"a", ""}}, true},
		{"substring needs a string", `[a] in "123"`, []condKV{{"a", int64(2)}}, false},
		{"substring of field", `"time" in [message]`, []condKV{{"message", "timeout"}}, true},
		{"substring of field miss", `"x" in [message]`, []condKV{{"message", "timeout"}}, false},
		{"not substring of field", `"x" not in [message]`, []condKV{{"message", "timeout"}}, true},
		{"field in field string", `[a] in [b]`, []condKV{{"a", "out"}, {"b", "timeout"}}, true},
		{"missing substring", `[a] in "abc"`, nil, false},
		// other right sides
		{"key is not searched in a hash", `"k" in [m]`, []condKV{{"m", condMap("k", "v")}}, false},
		{"not in hash", `"k" not in [m]`, []condKV{{"m", condMap("k", "v")}}, true},
		{"scalar equality", `[a] in [b]`, []condKV{{"a", int64(5)}, {"b", int64(5)}}, true},
		{"scalar inequality", `[a] in [b]`, []condKV{{"a", int64(5)}, {"b", int64(6)}}, false},
		{"missing right", `"a" in [nope]`, nil, false},
		{"missing right not in", `"a" not in [nope]`, nil, true},
		{"no space before list", `[a] in["x", "y"]`, []condKV{{"a", "y"}}, true},
		{"not in spacing", "[a] not \t in [\"x\"]", []condKV{{"a", "y"}}, true},
		{"nested list literal", `[a] in [["x"], "y"]`, []condKV{{"a", "y"}}, true},
	})
}

func TestConditionTruthiness(t *testing.T) {
	f := func(v any) []condKV { return []condKV{{"[foo]", v}} }
	runCondCases(t, []condCase{
		{"missing", `[foo]`, nil, false},
		{"nil", `[foo]`, f(nil), false},
		{"false", `[foo]`, f(false), false},
		{"true", `[foo]`, f(true), true},
		{"empty string is false", `[foo]`, f(""), false},
		{"string false is false", `[foo]`, f("false"), false},
		{"string False is true", `[foo]`, f("False"), true},
		{"string", `[foo]`, f("x"), true},
		{"string 0", `[foo]`, f("0"), true},
		{"zero", `[foo]`, f(int64(0)), true},
		{"zero float", `[foo]`, f(0.0), true},
		{"empty list", `[foo]`, f([]any{}), true},
		{"empty hash", `[foo]`, f(NewMap(0)), true},
		{"timestamp", `[@timestamp]`, nil, true},
		{"not missing", `![foo]`, nil, true},
		{"not true", `![foo]`, f(true), false},
		{"not empty", `![foo]`, f(""), true},
		{"not with space", `! [foo]`, f("x"), false},
		{"nested", `[foo][bar]`, []condKV{{"[foo][bar]", "x"}}, true},
		{"nested missing parent", `[foo][bar]`, nil, false},
		{"below a string", `[foo][bar]`, f("x"), false},
		{"constant string", `"x"`, nil, true},
		{"constant empty string", `""`, nil, false},
		{"constant number", `0`, nil, true},
		{"constant list", `[1, 2]`, nil, true},
		{"constant empty list", `[]`, nil, true},
		{"parenthesised", `([foo])`, f("x"), true},
		{"not parenthesised", `!([foo])`, f("x"), false},
	})
}

func TestConditionBoolean(t *testing.T) {
	ab := func(a, b bool) []condKV { return []condKV{{"a", a}, {"b", b}} }
	var cases []condCase
	for _, a := range []bool{false, true} {
		for _, b := range []bool{false, true} {
			for _, op := range []struct {
				name string
				f    func(a, b bool) bool
			}{
				{"and", func(a, b bool) bool { return a && b }},
				{"or", func(a, b bool) bool { return a || b }},
				{"nand", func(a, b bool) bool { return !(a && b) }},
				{"xor", func(a, b bool) bool { return a != b }},
			} {
				cases = append(cases, condCase{
					name:   strings.Join([]string{condBoolName(a), op.name, condBoolName(b)}, " "),
					cond:   "[a] " + op.name + " [b]",
					fields: ab(a, b),
					want:   op.f(a, b),
				})
			}
		}
	}
	cases = append(cases,
		condCase{"and with comparisons", `[type] == "syslog" and [n] > 3`, []condKV{{"type", "syslog"}, {"n", int64(4)}}, true},
		condCase{"or with comparisons", `[type] == "x" or [n] > 3`, []condKV{{"type", "syslog"}, {"n", int64(4)}}, true},
		condCase{"keywords need no space", `[a]and[b]`, ab(true, true), true},
		condCase{"negated parenthesis", `!([a] == 1)`, []condKV{{"a", int64(2)}}, true},
		condCase{"negated parenthesis false", `!([a] == 1)`, []condKV{{"a", int64(1)}}, false},
		condCase{"multi-line", "[a]\n  and [b]\n  # comment\n  or [c]", ab(true, true), true},
		condCase{"compound", `[type] == "syslog" and ([level] in ["ERROR", "CRITICAL"] or "_grokparsefailure" in [tags])`,
			[]condKV{{"type", "syslog"}, {"level", "INFO"}, {"tags", []any{"_grokparsefailure"}}}, true},
		condCase{"compound false", `[type] == "syslog" and ([level] in ["ERROR", "CRITICAL"] or "_grokparsefailure" in [tags])`,
			[]condKV{{"type", "syslog"}, {"level", "INFO"}, {"tags", []any{"x"}}}, false},
	)
	runCondCases(t, cases)
}

func condBoolName(b bool) string {
	if b {
		return "T"
	}
	return "F"
}

// TestConditionPrecedence checks the grouping of Logstash's Java pipeline
// compiler (lscl.rb join_conditions): "and" before "or", with its quirk for
// a run of "and"s followed by "or".
func TestConditionPrecedence(t *testing.T) {
	abcd := func(a, b, c, d bool) []condKV {
		return []condKV{{"a", a}, {"b", b}, {"c", c}, {"d", d}}
	}
	runCondCases(t, []condCase{
		// a or (b and c)
		{"or then and", `[a] or [b] and [c]`, abcd(true, false, false, false), true},
		{"or then and 2", `[a] or [b] and [c]`, abcd(false, true, false, false), false},
		// (a and b) or c
		{"and then or", `[a] and [b] or [c]`, abcd(false, false, true, false), true},
		{"and then or 2", `[a] and [b] or [c]`, abcd(true, false, false, false), false},
		// (a and b) or (c and d)
		{"and or and", `[a] and [b] or [c] and [d]`, abcd(false, true, true, true), true},
		{"and or and 2", `[a] and [b] or [c] and [d]`, abcd(true, true, false, false), true},
		{"and or and 3", `[a] and [b] or [c] and [d]`, abcd(true, false, true, false), false},
		// a or ((b and c) or d)
		{"or and or", `[a] or [b] and [c] or [d]`, abcd(false, false, false, true), true},
		{"or and or 2", `[a] or [b] and [c] or [d]`, abcd(false, true, false, false), false},
		// Logstash's quirk: a and ((b and c) or d), not (a and b and c) or d
		{"and and or (Logstash grouping)", `[a] and [b] and [c] or [d]`, abcd(false, false, false, true), false},
		{"and and or (Logstash grouping) 2", `[a] and [b] and [c] or [d]`, abcd(true, false, false, true), true},
		{"and and or parenthesised", `([a] and [b] and [c]) or [d]`, abcd(false, false, false, true), true},
		{"chained and", `[a] and [b] and [c] and [d]`, abcd(true, true, true, true), true},
		{"chained and false", `[a] and [b] and [c] and [d]`, abcd(true, true, false, true), false},
		{"chained or", `[a] or [b] or [c] or [d]`, abcd(false, false, false, true), true},
		{"parentheses override", `([a] or [b]) and [c]`, abcd(true, false, false, false), false},
		{"nested parentheses", `(([a] or ([b]))) and (![c])`, abcd(false, true, false, false), true},
		{"negation binds to its operand", `![a] and [b]`, abcd(false, true, false, false), true},
		{"negation binds to its operand 2", `![a] or [b]`, abcd(true, false, false, false), false},
		{"xor parenthesised with and", `([a] xor [b]) and [c]`, abcd(true, false, true, false), true},
		{"nand parenthesised with or", `[a] or ([b] nand [c])`, abcd(false, true, true, false), false},
	})
}

func TestConditionTypeErrors(t *testing.T) {
	cases := []struct {
		name   string
		cond   string
		fields []condKV
		msg    string // substring of the error
	}{
		{"string vs int", `[n] > 100`, []condKV{{"n", "100"}},
			`type error in condition: [n] > 100: ">" cannot compare string field [n] with integer 100 (it needs two numbers, two strings or two timestamps)`},
		{"missing field", `[n] > 100`, nil, `">" cannot compare missing field [n] with integer 100`},
		{"nil field", `[n] <= 1.5`, []condKV{{"n", nil}}, `"<=" cannot compare nil field [n] with float 1.5`},
		{"bools", `[a] < [b]`, []condKV{{"a", true}, {"b", false}}, `"<" cannot compare boolean field [a] with boolean field [b]`},
		{"list", `[a] >= 1`, []condKV{{"a", []any{int64(1)}}}, `cannot compare array field [a] with integer 1`},
		{"hash", `[a] >= "x"`, []condKV{{"a", NewMap(0)}}, `cannot compare hash field [a] with string "x"`},
		{"timestamp vs string", `[@timestamp] > "2020-01-01"`, nil, `cannot compare timestamp field [@timestamp] with string "2020-01-01"`},
		{"constant left", `100 < [n]`, []condKV{{"n", "x"}}, `"<" cannot compare integer 100 with string field [n]`},
		{"inside not", `!([n] > 1)`, []condKV{{"n", "x"}}, `">" cannot compare`},
		{"inside and", `[a] and [n] > 1`, []condKV{{"a", true}, {"n", "x"}}, `">" cannot compare`},
		{"inside or", `[a] or [n] > 1`, []condKV{{"a", false}, {"n", "x"}}, `">" cannot compare`},
		{"left of or", `[n] > 1 or [a]`, []condKV{{"a", true}, {"n", "x"}}, `">" cannot compare`},
		{"inside xor", `[a] xor [n] > 1`, []condKV{{"a", true}, {"n", "x"}}, `">" cannot compare`},
		{"inside nand", `[a] nand [n] > 1`, []condKV{{"a", true}, {"n", "x"}}, `">" cannot compare`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCondition(tc.cond)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Eval(condEvent(t, tc.fields...))
			if got {
				t.Errorf("Eval(%q) = true on a type error", tc.cond)
			}
			if !errors.Is(err, ErrConditionType) {
				t.Fatalf("Eval(%q) error = %v, want one wrapping ErrConditionType", tc.cond, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Eval(%q) error = %q, want it to contain %q", tc.cond, err, tc.msg)
			}
		})
	}

	// Short-circuits skip the failing side, as in Logstash.
	for _, cond := range []string{`[a] and [n] > 1`, `[b] or [n] > 1`, `[a] nand [n] > 1`, `[n] == 1 or [n] != 1`, `[n] in [1, 2]`} {
		t.Run("no error: "+cond, func(t *testing.T) {
			c, err := ParseCondition(cond)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Eval(condEvent(t, condKV{"a", false}, condKV{"b", true}, condKV{"n", "x"})); err != nil {
				t.Errorf("Eval(%q): unexpected error %v", cond, err)
			}
		})
	}
}

func TestConditionSyntaxErrors(t *testing.T) {
	cases := []struct {
		src    string
		offset int
		msg    string
	}{
		{``, 0, `empty condition`},
		{"  # only a comment", 18, `empty condition`},
		{`[a] => 1`, 4, `unknown operator "=>"; did you mean ">="?`},
		{`[a] =< 1`, 4, `unknown operator "=<"; did you mean "<="?`},
		{`[a] = 1`, 4, `unknown operator "="; did you mean "=="?`},
		{`[a] <> 1`, 4, `unknown operator "<>"; did you mean "!="?`},
		{`[a] ~= /x/`, 4, `unknown operator "~="; did you mean "=~"?`},
		{`[a] <=> 1`, 4, `unknown operator "<=>"`},
		{`[a] AND [b]`, 4, `unknown operator "AND"; did you mean "and"?`},
		{`[a] == 1 && [b]`, 9, `unknown operator "&&"; did you mean "and"?`},
		{`[a] == 1 || [b]`, 9, `unknown operator "||"; did you mean "or"?`},
		{`[a] notin [b]`, 4, `unknown operator "notin"; did you mean "not in"?`},
		{`[a] IN [b]`, 4, `unknown operator "IN"; did you mean "in"?`},
		{`[a] [b]`, 4, `expected an operator or 'and'/'or' after [a], found "[b]"`},
		{`[a] contains "x"`, 4, `expected an operator or 'and'/'or' after [a], found "contains"`},
		{`[a] == 1 == 2`, 9, `expected 'and', 'or', 'xor' or 'nand' after [a] == 1, found "=="`},
		{`([a] == 1 [b])`, 10, `expected 'and', 'or', 'xor', 'nand' or ')' after [a] == 1, found "[b]"`},
		{`![a] == 1`, 5, `expected 'and', 'or', 'xor' or 'nand' after ![a], found "=="; '!' negates only a field reference or a parenthesised condition: write !(...)`},
		{`!"x"`, 1, `expected a field reference or '(' after '!', found '"x"'`},
		{`!!([a])`, 1, `expected a field reference or '(' after '!', found "!"`},
		{`![1, 2]`, 1, `expected a field reference or '(' after '!', found "[1,"`},
		{`[a`, 0, `invalid field reference [a: missing ']'`},
		{`[a][b == 1`, 0, `invalid field reference [a][b: missing ']'`},
		{`"x" in [a`, 7, `invalid field reference [a: missing ']'`},
		{`[a] == "abc`, 7, `unterminated string`},
		{`[a] == 'it\'s`, 7, `unterminated string`},
		{`[a] == "x\\"`, 7, `unterminated string`},
		{`[a] =~ /abc`, 7, `unterminated regex`},
		{`[a] =~ /a\/`, 7, `unterminated regex`},
		{`[a] in ["x", "y"`, 7, `unterminated list: missing ']'`},
		{`[a] in ["x" "y"]`, 12, `expected ',' or ']' in the list, found '"y"]'`},
		{`[a] in ["x",]`, 12, `expected a value in the list, found "]"`},
		{`[a] in [{"k" => 1}, "x"]`, 8, `hash literals are not supported in conditions`},
		{`[a] =~ /(/`, 7, "invalid regex /(/: error parsing regexp: missing closing ): `(`"},
		{`[a] =~ /\p{Nope}(?<=x)/`, 7, "invalid regex /\\p{Nope}(?<=x)/: error parsing regexp: invalid character class range: `\\p{Nope}`"},
		{`[a] =~ [b]`, 7, `expected a regex /.../ or a string after "=~", found "[b]"`},
		{`[a] =~ 1`, 7, `expected a regex /.../ or a string after "=~", found "1"`},
		{`[a] !~`, 6, `expected a regex /.../ or a string after "!~", found end of condition`},
		{`[a] == /x/`, 7, `a regex can only follow =~ or !~, not "=="`},
		{`/x/ == [a]`, 0, `a regex can only follow =~ or !~, not come before "=="`},
		{`/x/`, 0, `a regex can only follow =~ or !~`},
		{`[a] not [b]`, 8, `expected "in" after "not", found "[b]"`},
		{`[a] == 1 and`, 12, `expected a condition after "and", found end of condition`},
		{`[a] == 1 and )`, 13, `expected a value, a field reference, '!' or '(', found ")"`},
		{`[a] ==`, 6, `expected a value after "==", found end of condition`},
		{`[a] in`, 6, `expected a value after "in", found end of condition`},
		{`and [a]`, 0, `expected a value before "and"`},
		{`([a] == 1`, 9, `expected ')' to close the '(' at offset 0, found end of condition`},
		{`([a]`, 4, `expected ')' to close the '(' at offset 0, found end of condition`},
		{`()`, 1, `empty parentheses`},
		{`(`, 1, `expected a condition after '(', found end of condition`},
		{`[a] == 1)`, 8, `unexpected ')' after [a] == 1: there is no '(' to close`},
		{`[a] == 1 [b] == 2`, 9, `expected 'and', 'or', 'xor' or 'nand' after [a] == 1, found "[b]"`},
		{`[a] == 1 garbage`, 9, `expected 'and', 'or', 'xor' or 'nand' after [a] == 1, found "garbage"`},
		{`[a] xor [b] and [c]`, 4, `"xor" cannot be combined with other boolean operators at the same level (Logstash rejects it too); add parentheses`},
		{`[a] and [b] nand [c]`, 12, `"nand" cannot be combined with other boolean operators at the same level (Logstash rejects it too); add parentheses`},
		{`foo == 1`, 0, `unexpected word "foo": write a field reference as [foo] and a string as "foo"`},
		{`[a] == bar`, 7, `unexpected word "bar": write a field reference as [bar] and a string as "bar"`},
		{`[a] == true`, 7, `unexpected word "true": conditions have no true literal; test a field alone ([flag] or ![flag]) or compare it with a string`},
		{`env("HOME") == "x"`, 0, `method calls such as env(...) are not supported in conditions`},
		{`[a] == 1e5`, 7, `invalid number "1e5"`},
		{`[a] == -`, 7, `invalid number "-": expected a digit after '-'`},
		{`[a] == 99999999999999999999`, 7, `integer 99999999999999999999 out of range`},
		{`[a] == .5`, 7, `expected a value, a field reference, '!' or '(', found ".5"`},
		{`[a] == [b] in [c]`, 11, `expected 'and', 'or', 'xor' or 'nand' after [a] == [b], found "in"`},
		{strings.Repeat("(", 101) + "[a]" + strings.Repeat(")", 101), 100, `condition nested too deeply (more than 100 levels)`},
		{`1 < "a"`, 0, `type error in condition: 1 < "a": "<" cannot compare integer 1 with string "a" (it needs two numbers, two strings or two timestamps)`},
		{`[a] == "x" or [b] == 'y' or`, 27, `expected a condition after "or", found end of condition`},
		{"[a] ==\n \"x\" [b]", 12, `expected 'and', 'or', 'xor' or 'nand' after [a] == "x", found "[b]"`},
		{`[a] == "héllo" é`, 16, `expected 'and', 'or', 'xor' or 'nand' after [a] == "héllo", found "é"`},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			c, err := ParseCondition(tc.src)
			if err == nil {
				t.Fatalf("ParseCondition(%q) = %v, want an error", tc.src, c)
			}
			var ce *ConditionError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCondition(%q) error %T %v, want *ConditionError", tc.src, err, err)
			}
			if ce.Offset != tc.offset || ce.Message != tc.msg {
				t.Errorf("ParseCondition(%q) error\n got  offset %d: %s\n want offset %d: %s", tc.src, ce.Offset, ce.Message, tc.offset, tc.msg)
			}
			if want := "at offset " + condItoa(tc.offset) + ": " + tc.msg; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func condItoa(n int) string { return string(AppendValueString(nil, int64(n))) }

func TestConditionFieldReferenceOrList(t *testing.T) {
	// A bracket group is a field reference unless it holds a quote, a comma
	// or a bracket, or is empty or blank.
	e := condEvent(t, condKV{"a", "x"}, condKV{"x", "x"}, condKV{`"x"`, "quoted"}, condKV{"1", "one"})
	cases := []struct {
		cond string
		want bool
	}{
		{`[a] in [x]`, true},           // field [x] holds "x": equality
		{`[a] in ["x"]`, true},         // list literal (Logstash reads a field named "x" with quotes)
		{`[a] in ['x']`, true},         // list literal
		{`[a] in [ "x" ]`, true},       // list literal
		{`[1] == "one"`, true},         // field named 1
		{`[a] in [1, "x"]`, true},      // list literal
		{`[a] in []`, false},           // empty list
		{`[a] in [ ]`, false},          // blank: empty list
		{`[a] in [[1], ["x"]]`, false}, // list of lists
	}
	for _, tc := range cases {
		t.Run(tc.cond, func(t *testing.T) {
			c, err := ParseCondition(tc.cond)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Eval(e)
			if err != nil || got != tc.want {
				t.Errorf("Eval(%q) = %v, %v; want %v", tc.cond, got, err, tc.want)
			}
		})
	}
}

func TestConditionString(t *testing.T) {
	for _, src := range []string{`[a] == 1`, "  [type] == \"x\" # c\n", `!([a])`} {
		c, err := ParseCondition(src)
		if err != nil {
			t.Fatal(err)
		}
		if c.String() != src {
			t.Errorf("String() = %q, want %q", c.String(), src)
		}
	}
}

func TestConditionRegexEngines(t *testing.T) {
	// RE2 first; the backtracking engine only for what RE2 cannot compile.
	for _, tc := range []struct {
		src string
		re2 bool
	}{
		{`[m] =~ /timeout\s+\d+/`, true},
		{`[m] =~ "^a.*b$"`, true},
		{`[m] =~ /(?<=a)b/`, false},
		{`[m] =~ /(a)\1/`, false},
		{`[m] !~ /a{2000}/`, false}, // beyond RE2's repeat limit
	} {
		c, err := ParseCondition(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		m, ok := c.root.(*matchNode)
		if !ok {
			t.Fatalf("%s: root is %T", tc.src, c.root)
		}
		if (m.re != nil) != tc.re2 || (m.re == nil) == (m.bt == nil) {
			t.Errorf("%s: RE2 %v, backtracking %v; want RE2 %v", tc.src, m.re != nil, m.bt != nil, tc.re2)
		}
	}
}

func TestConditionConcurrentEval(t *testing.T) {
	c, err := ParseCondition(`[type] == "syslog" and ([level] in ["ERROR", "CRITICAL"] or "_grokparsefailure" in [tags]) and [message] =~ /(?<=user=)root/`)
	if err != nil {
		t.Fatal(err)
	}
	yes := condEvent(t, condKV{"type", "syslog"}, condKV{"level", "ERROR"}, condKV{"message", "user=root"})
	no := condEvent(t, condKV{"type", "syslog"}, condKV{"level", "INFO"}, condKV{"message", "user=root"})
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if ok, err := c.Eval(yes); !ok || err != nil {
					errs <- "yes event evaluated false"
					return
				}
				if ok, err := c.Eval(no); ok || err != nil {
					errs <- "no event evaluated true"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestConditionEvalAllocs(t *testing.T) {
	e := condBenchEvent(t)
	for _, src := range []string{
		`[type] == "syslog"`,
		`"_grokparsefailure" in [tags]`,
		`[level] in ["ERROR", "CRITICAL"]`,
		`[status] in [200, 404]`,
		`[status] >= 500`,
		`[message] =~ /timeout\s+\d+/`,
		`[type] == "syslog" and ([level] in ["ERROR", "CRITICAL"] or "_grokparsefailure" in [tags])`,
		`![missing] and [duration] in ["2.25"] and [status] in [503]`,
		`[duration] > 1.5 xor [status] != 200`,
	} {
		c, err := ParseCondition(src)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(200, func() { _, _ = c.Eval(e) }); n != 0 {
			t.Errorf("Eval(%q): %v allocations, want 0", src, n)
		}
	}
}

func condBenchEvent(t testing.TB) *Event {
	return condEvent(t,
		condKV{"host", "web-01"},
		condKV{"type", "syslog"},
		condKV{"level", "ERROR"},
		condKV{"status", int64(503)},
		condKV{"duration", 2.25},
		condKV{"message", "upstream request timeout 30 s while reading response header"},
		condKV{"tags", []any{"beats_input", "nginx", "_grokparsefailure"}},
		condKV{"[log][file][path]", "/var/log/nginx/error.log"},
		condKV{"@timestamp", NewTimestamp(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC))},
	)
}

// FuzzConditionParse checks that any input either parses into a condition
// that evaluates without panicking or fails with a *ConditionError whose
// offset lies within the source.
func FuzzConditionParse(f *testing.F) {
	for _, s := range []string{
		`[type] == "syslog" and ([level] in ["ERROR", "CRITICAL"] or "_grokparsefailure" in [tags])`,
		`[status] >= 500`, `[message] =~ /timeout\s+\d+/`, `![foo]`, `"x" not in [list]`,
		`[a][b] != 'single quoted'`, `[n] > 1.5`, `[loglevel] nand [x]`, `[a] xor [b]`, `!([a] == 1)`,
		`[a] in "substring haystack"`, `[a] =~ /(?<=x)y\/z/`, `[a] in [1, [2, "x"], b]`, "[a] # c\n or [b]",
		`[a] and [b] and [c] or [d]`, `[a`, `"x`, `[a] => 1`,
	} {
		f.Add(s)
	}
	e := condBenchEvent(f)
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseCondition(src)
		if err != nil {
			var ce *ConditionError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCondition(%q): error %T, want *ConditionError", src, err)
			}
			if ce.Offset < 0 || ce.Offset > len(src) || ce.Message == "" {
				t.Fatalf("ParseCondition(%q): bad error %+v", src, ce)
			}
			return
		}
		if c.String() != src {
			t.Fatalf("String() = %q, want %q", c.String(), src)
		}
		if ok, err := c.Eval(e); err != nil && (ok || !errors.Is(err, ErrConditionType)) {
			t.Fatalf("Eval(%q) = %v, %v", src, ok, err)
		}
	})
}
