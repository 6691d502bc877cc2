package mutate_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
	"github.com/pipeproject/pipe/plugins/filters/mutate"
)

var fixed = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func registry() *pipeline.Registry { return pipeline.NewRegistry(mutate.Plugin()) }

func build(t testing.TB, body string, d pipeline.Deps) pipeline.Filter {
	t.Helper()
	return plugintest.Build(t, registry(), "filter {\n  mutate {\n"+body+"\n  }\n}\n", pipeline.KindFilter, d).(pipeline.Filter)
}

// event decodes a JSON object into an event whose @timestamp is fixed.
func event(t testing.TB, doc string) *pipeline.Event {
	t.Helper()
	var e *pipeline.Event
	var d pipeline.JSONDecoder
	if err := d.DecodeEvents([]byte(doc), func(x *pipeline.Event) { e = x }); err != nil {
		t.Fatalf("bad test event %s: %v", doc, err)
	}
	e.SetTimestamp(pipeline.NewTimestamp(fixed))
	return e
}

// fields shows the event's fields as JSON without @timestamp and @version.
func fields(e *pipeline.Event) string {
	m := e.ToMap(false)
	m.Delete(pipeline.TimestampField)
	m.Delete(pipeline.VersionField)
	return string(pipeline.AppendJSONValue(nil, m))
}

type tcase struct {
	name   string
	config string // the body of the mutate block
	in     string // the event's fields as JSON
	want   string // its fields afterwards, without @timestamp and @version
	failed bool   // the filter failed (tagged, FilterSkipped)
}

func run(t *testing.T, cases []tcase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := build(t, tc.config, pipeline.Deps{})
			e := event(t, tc.in)
			res := f.Filter(e)
			if got := fields(e); got != tc.want {
				t.Errorf("fields\n got: %s\nwant: %s", got, tc.want)
			}
			want := pipeline.FilterMatched
			if tc.failed {
				want = pipeline.FilterSkipped
			}
			if res != want {
				t.Errorf("result = %v, want %v", res, want)
			}
			if tc.failed != e.HasTag(mutate.TagOnFailure) {
				t.Errorf("tagged %s = %v, want %v", mutate.TagOnFailure, !tc.failed, tc.failed)
			}
		})
	}
}

func TestConvertInteger(t *testing.T) {
	run(t, []tcase{
		{"strings, numbers and booleans",
			`convert = { a = "integer", b = "integer", c = "integer", d = "integer", e = "integer", f = "integer",
			             g = "integer", h = "integer", i = "integer", j = "integer", k = "integer", l = "integer", m = "integer" }`,
			`{"a":"1234","b":"7890.4","c":" 7.9 ","d":"1,000.5","e":"-0x1A","f":"017","g":"1_000",
			  "h":1.9,"i":true,"j":false,"k":5,"l":"1.5e2","m":"-3.99"}`,
			`{"a":1234,"b":7890,"c":7,"d":1000,"e":-26,"f":15,"g":1000,"h":1,"i":1,"j":0,"k":5,"l":150,"m":-3}`, false},
		{"arrays element by element, nulls kept",
			`convert = { a = "integer" }`,
			`{"a":["1","2.5",null,3,true]}`,
			`{"a":[1,2,null,3,1]}`, false},
		{"null, hash and missing fields are left alone",
			`convert = { a = "integer", b = "integer", c = "integer" }`,
			`{"a":null,"b":{"x":"1"}}`,
			`{"a":null,"b":{"x":"1"}}`, false},
		{"nested field and list element",
			`convert = { "[foo][bar]" = "integer", "[list][0]" = "integer" }`,
			`{"foo":{"bar":"1000"},"list":["100","200"]}`,
			`{"foo":{"bar":1000},"list":[100,"200"]}`, false},
		{"unparsable string fails the filter",
			`convert = { a = "integer" }`,
			`{"a":"abc"}`,
			`{"a":"abc","tags":["_mutate_error"]}`, true},
		{"exponent without a point is not an Integer",
			`convert = { a = "integer" }`,
			`{"a":"1e3"}`,
			`{"a":"1e3","tags":["_mutate_error"]}`, true},
		{"empty string fails",
			`convert = { a = "integer" }`,
			`{"a":""}`,
			`{"a":"","tags":["_mutate_error"]}`, true},
		{"invalid octal fails",
			`convert = { a = "integer" }`,
			`{"a":"08"}`,
			`{"a":"08","tags":["_mutate_error"]}`, true},
		{"a bad element fails the whole array, unchanged",
			`convert = { a = "integer" }`,
			`{"a":["1","x"]}`,
			`{"a":["1","x"],"tags":["_mutate_error"]}`, true},
		{"a hash inside an array fails",
			`convert = { a = "integer" }`,
			`{"a":[{"b":1}]}`,
			`{"a":[{"b":1}],"tags":["_mutate_error"]}`, true},
		{"integer_eu",
			`convert = { a = "integer_eu", b = "integer_eu", c = "integer_eu", d = "integer_eu" }`,
			`{"a":"1.000,5","b":"2.340","c":"1,5","d":7}`,
			`{"a":1000,"b":2340,"c":1,"d":7}`, false},
	})
}

func TestConvertFloat(t *testing.T) {
	run(t, []tcase{
		{"strings, numbers and booleans",
			`convert = { a = "float", b = "float", c = "float", d = "float", e = "float", f = "float", g = "float", h = "float" }`,
			`{"a":"1234.455","b":"1,000.5","c":"-0x1A","d":"1e3","e":3,"f":true,"g":".5","h":" 2 "}`,
			`{"a":1234.455,"b":1000.5,"c":-26.0,"d":1000.0,"e":3.0,"f":1.0,"g":0.5,"h":2.0}`, false},
		{"arrays",
			`convert = { a = "float" }`,
			`{"a":["1.5",2,null]}`,
			`{"a":[1.5,2.0,null]}`, false},
		{"unparsable string fails",
			`convert = { a = "float" }`,
			`{"a":"abc"}`,
			`{"a":"abc","tags":["_mutate_error"]}`, true},
		{"trailing point fails",
			`convert = { a = "float" }`,
			`{"a":"1."}`,
			`{"a":"1.","tags":["_mutate_error"]}`, true},
		{"float_eu",
			`convert = { a = "float_eu", b = "float_eu", c = "float_eu" }`,
			`{"a":"1.234,56","b":"2.340","c":"0,5"}`,
			`{"a":1234.56,"b":2340.0,"c":0.5}`, false},
	})
}

func TestConvertStringAndBoolean(t *testing.T) {
	run(t, []tcase{
		{"string",
			`convert = { a = "string", b = "string", c = "string", d = "string", e = "string", f = "string", g = "string" }`,
			`{"a":1234,"b":1.5,"c":1e20,"d":true,"e":100.0,"f":[1,2.0,null],"g":"x"}`,
			`{"a":"1234","b":"1.5","c":"1.0e+20","d":"true","e":"100.0","f":["1","2.0",null],"g":"x"}`, false},
		{"boolean",
			`convert = { a = "boolean", b = "boolean", c = "boolean", d = "boolean", e = "boolean", f = "boolean", g = "boolean",
			             h = "boolean", i = "boolean", j = "boolean", k = "boolean", l = "boolean", m = "boolean", n = "boolean" }`,
			`{"a":"true","b":"False","c":"1","d":"0","e":"yes","f":"N","g":"none of the above","h":"",
			  "i":1,"j":0,"k":1.0,"l":2,"m":"1x0","n":["t","f","maybe"]}`,
			`{"a":true,"b":false,"c":true,"d":false,"e":true,"f":false,"g":"none of the above","h":false,` +
				`"i":true,"j":false,"k":true,"l":2,"m":true,"n":[true,false,"maybe"]}`, false},
	})
}

func TestCoerceRenameUpdateReplace(t *testing.T) {
	run(t, []tcase{
		{"coerce sets null fields only",
			`coerce = { a = "def", b = "def", c = "def" }`,
			`{"a":null,"b":"x"}`,
			`{"a":"def","b":"x"}`, false},
		{"coerce default is a sprintf format",
			`coerce = { a = "%{b}-d" }`,
			`{"a":null,"b":"x"}`,
			`{"a":"x-d","b":"x"}`, false},
		{"rename",
			`rename = { a = "b", missing = "c", "[n][x]" = "[m][y]" }`,
			`{"a":1,"n":{"x":2}}`,
			`{"n":{},"b":1,"m":{"y":2}}`, false},
		{"rename names are sprintf formats",
			`rename = { "%{which}" = "[x][%{which}]" }`,
			`{"which":"a","a":"v"}`,
			`{"which":"a","x":{"a":"v"}}`, false},
		{"rename below a scalar fails and keeps the field",
			`rename = { a = "[s][x]" }`,
			`{"a":1,"s":"str"}`,
			`{"s":"str","a":1,"tags":["_mutate_error"]}`, true},
		{"rename into itself",
			`rename = { a = "[a][b]" }`,
			`{"a":1}`,
			`{"a":{"b":1}}`, false},
		{"update changes existing fields only",
			`update = { a = "new %{b}", missing = "x" }`,
			`{"a":"old","b":2}`,
			`{"a":"new 2","b":2}`, false},
		{"update of a null field",
			`update = { a = "x" }`,
			`{"a":null}`,
			`{"a":"x"}`, false},
		{"replace creates fields",
			`replace = { a = "%{b}: hello", "[c][d]" = "x", n = 5 }`,
			`{"a":"old","b":"B"}`,
			`{"a":"B: hello","b":"B","c":{"d":"x"},"n":"5"}`, false},
		{"replace leaves a missing reference as written",
			`replace = { a = "%{nope}" }`,
			`{}`,
			`{"a":"%{nope}"}`, false},
		{"replace below a scalar fails",
			`replace = { "[s][x]" = "v" }`,
			`{"s":1}`,
			`{"s":1,"tags":["_mutate_error"]}`, true},
	})
}

func TestGsub(t *testing.T) {
	run(t, []tcase{
		{"string",
			`gsub = ["unicorns", "but extinct", "and common"]`,
			`{"unicorns":"Magnificient, but extinct, animals"}`,
			`{"unicorns":"Magnificient, and common, animals"}`, false},
		{"array of strings, other elements left alone",
			`gsub = ["a", "extinct", "common"]`,
			`{"a":["extinct animals",5,"other extinct ideas",null]}`,
			`{"a":["common animals",5,"other common ideas",null]}`, false},
		{"several triples",
			`gsub = ["colors", "red", "blue", "shapes", "square", "circle"]`,
			`{"colors":"One red car","shapes":"Four red squares"}`,
			`{"colors":"One blue car","shapes":"Four red circles"}`, false},
		{"regex with an anchor per line",
			`gsub = ["a", "\d$", "X"]`,
			`{"a":"red3\nblue4"}`,
			`{"a":"redX\nblueX"}`, false},
		{"character class",
			`gsub = ["a", "[\\?#-]", "."]`,
			`{"a":"a?b#c-d"}`,
			`{"a":"a.b.c.d"}`, false},
		{"numbered and whole-match references",
			`gsub = ["a", "(\w+)@(\w+)", "\\2 at \\1 (\\0)"]`,
			`{"a":"joe@example, ann@host"}`,
			`{"a":"example at joe (joe@example), host at ann (ann@host)"}`, false},
		{"named group, pre- and post-match, last group, escaped backslash",
			`gsub = ["a", "(?<word>b)(x)?", "[\\k<word>|\\+|\\` + "`" + `|\\'|\\\\]"]`,
			`{"a":"abc"}`,
			`{"a":"a[b|b|a|c|\\]c"}`, false},
		{"a backreference in the regex falls back to the backtracking engine",
			`gsub = ["a", "(\w)\1", "<\\1\\1>"]`,
			`{"a":"aabcc"}`,
			`{"a":"<aa>b<cc>"}`, false},
		{"lookahead",
			`gsub = ["a", "foo(?=bar)", "X"]`,
			`{"a":"foobar foobaz"}`,
			`{"a":"Xbar foobaz"}`, false},
		{"non-ASCII text with the backtracking engine",
			`gsub = ["a", "(?<=é)t", "T"]`,
			`{"a":"été étude"}`,
			`{"a":"éTé éTude"}`, false},
		{"regex from the event",
			`gsub = ["unicorns", "of type %{color}", "%{color} and green"]`,
			`{"unicorns":"Unicorns of type blue are common","color":"blue"}`,
			`{"unicorns":"Unicorns blue and green are common","color":"blue"}`, false},
		{"regex from the event that does not compile fails",
			`gsub = ["a", "x%{re}", "y"]`,
			`{"a":"x(","re":"("}`,
			`{"a":"x(","re":"(","tags":["_mutate_error"]}`, true},
		{"numbers, hashes and missing fields are left alone",
			`gsub = ["n", "1", "2", "h", "1", "2", "missing", "1", "2"]`,
			`{"n":1,"h":{"a":"1"}}`,
			`{"n":1,"h":{"a":"1"}}`, false},
		{"Ruby's (?m) is dot-all",
			`gsub = ["a", "(?m)x.y", "-"]`,
			`{"a":"x\ny xy"}`,
			`{"a":"- xy"}`, false},
		{"HCL keeps a backslash it does not know",
			`gsub = ["a", "(\w+)-(\w+)", "\2-\1"]`,
			`{"a":"ab-cd"}`,
			`{"a":"cd-ab"}`, false},
		{"empty matches",
			`gsub = ["a", "x*", "-"]`,
			`{"a":"abc"}`,
			`{"a":"-a-b-c-"}`, false},
	})
}

func TestCaseStripSplitJoin(t *testing.T) {
	run(t, []tcase{
		{"uppercase, lowercase, capitalize",
			`uppercase = ["u", "ul"]
			 lowercase = ["l", "ll"]
			 capitalize = ["c", "missing"]`,
			`{"u":"ExAmPlE","ul":["ExAmPlE",1],"l":"xYzółć","ll":["ABC",null],"c":"hELLO wORLD"}`,
			`{"u":"EXAMPLE","ul":["EXAMPLE",1],"l":"xyzółć","ll":["abc",null],"c":"Hello world"}`, false},
		{"non-ASCII letters change case",
			`uppercase = ["a"]`,
			`{"a":"xYzółć"}`,
			`{"a":"XYZÓŁĆ"}`, false},
		{"strip",
			`strip = ["a", "b", "c", "n"]`,
			`{"a":"  x y \t\n","b":[" p ","q "],"c":"\u00a0z","n":5}`,
			`{"a":"x y","b":["p","q"],"c":"` + "\u00a0" + `z","n":5}`, false},
		{"strip of an array holding a number fails",
			`strip = ["a"]`,
			`{"a":[" p ",5]}`,
			`{"a":[" p ",5],"tags":["_mutate_error"]}`, true},
		{"split",
			`split = { a = ",", b = " ", c = "", d = ",", e = ",", n = "," }`,
			`{"a":"x,y,,z,,","b":"  p  q r ","c":"héllo","d":"","e":",x","n":1}`,
			`{"a":["x","y","","z"],"b":["p","q","r"],"c":["h","é","l","l","o"],"d":[],"e":["","x"],"n":1}`, false},
		{"join",
			`join = { a = ", ", b = "-", s = "-" }`,
			`{"a":["x",1,2.0,null,true],"b":["p",["q","r"]],"s":"str"}`,
			`{"a":"x, 1, 2.0, , true","b":"p-q-r","s":"str"}`, false},
	})
}

func TestMergeCopy(t *testing.T) {
	run(t, []tcase{
		{"string into a missing field", `merge = { list = "foo" }`,
			`{"foo":"bar"}`, `{"foo":"bar","list":["bar"]}`, false},
		{"string into an empty array", `merge = { list = "foo" }`,
			`{"foo":"bar","list":[]}`, `{"foo":"bar","list":["bar"]}`, false},
		{"string into an array", `merge = { list = "foo" }`,
			`{"foo":"bar","list":["baz"]}`, `{"foo":"bar","list":["baz","bar"]}`, false},
		{"array into an array", `merge = { list = "foo" }`,
			`{"foo":["bar"],"list":["baz"]}`, `{"foo":["bar"],"list":["baz","bar"]}`, false},
		{"empty array into an array", `merge = { list = "foo" }`,
			`{"foo":[],"list":["baz"]}`, `{"foo":[],"list":["baz"]}`, false},
		{"array into a string", `merge = { list = "foo" }`,
			`{"foo":["bar"],"list":"baz"}`, `{"foo":["bar"],"list":["baz","bar"]}`, false},
		{"string into a string", `merge = { list = "foo" }`,
			`{"foo":"bar","list":"baz"}`, `{"foo":"bar","list":["baz","bar"]}`, false},
		{"number into a number", `merge = { a = "b" }`,
			`{"a":1,"b":2}`, `{"a":[1,2],"b":2}`, false},
		{"hash into a hash", `merge = { a = "b" }`,
			`{"a":{"x":1,"y":2},"b":{"y":3,"z":4}}`, `{"a":{"x":1,"y":3,"z":4},"b":{"y":3,"z":4}}`, false},
		{"hash into an array is skipped, not a failure", `merge = { a = "b" }`,
			`{"a":[1],"b":{"y":3}}`, `{"a":[1],"b":{"y":3}}`, false},
		{"both missing gives an empty list", `merge = { a = "b" }`,
			`{}`, `{"a":[]}`, false},
		{"several added fields", `merge = { list = ["a", "b"] }`,
			`{"a":"x","b":["y","z"]}`, `{"a":"x","b":["y","z"],"list":["x","y","z"]}`, false},
		{"merge below a scalar fails", `merge = { "[s][x]" = "b" }`,
			`{"s":"str","b":"v"}`, `{"s":"str","b":"v","tags":["_mutate_error"]}`, true},
		{"copy", `copy = { a = "b", "[n][x]" = "[m][y]", missing = "c", null = "d" }`,
			`{"a":{"k":[1,2]},"n":{"x":"v"},"null":null}`,
			`{"a":{"k":[1,2]},"n":{"x":"v"},"null":null,"b":{"k":[1,2]},"m":{"y":"v"}}`, false},
		{"copy overwrites", `copy = { a = "b" }`,
			`{"a":1,"b":2}`, `{"a":1,"b":1}`, false},
		{"copy below a scalar fails", `copy = { a = "[s][x]" }`,
			`{"a":1,"s":"str"}`, `{"a":1,"s":"str","tags":["_mutate_error"]}`, true},
	})
}

// TestCopyIsDeep changes the copy and checks the original.
func TestCopyIsDeep(t *testing.T) {
	f := build(t, `copy = { a = "b" }`, pipeline.Deps{})
	e := event(t, `{"a":{"k":[1,{"x":2}]}}`)
	f.Filter(e)
	g := build(t, `replace = { "[b][k][1][x]" = "changed" }`, pipeline.Deps{})
	g.Filter(e)
	if got, want := fields(e), `{"a":{"k":[1,{"x":2}]},"b":{"k":[1,{"x":"changed"}]}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestFixedOrder writes the operations in reverse order: they still run in
// Logstash's (coerce, rename, update, replace, convert, gsub, uppercase,
// capitalize, lowercase, strip, split, join, merge, copy).
func TestFixedOrder(t *testing.T) {
	run(t, []tcase{{"reverse order in the config",
		`copy       = { b = "d" }
		 merge      = { m = "b" }
		 join       = { b = "-" }
		 split      = { b = ";" }
		 strip      = ["s"]
		 lowercase  = ["b"]
		 capitalize = ["c"]
		 uppercase  = ["b", "s"]
		 gsub       = ["b", ",", ";"]
		 convert    = { n = "integer" }
		 replace    = { c = "%{b}" }
		 update     = { b = "%{b},z" }
		 rename     = { a = "b" }
		 coerce     = { a = "x,y" }`,
		`{"a":null,"n":"5","s":" s ","m":"first"}`,
		`{"n":5,"s":"S","m":["first","x-y-z"],"b":"x-y-z","c":"X,y,z","d":"x-y-z"}`, false}})
}

func TestFailureStopsTheRest(t *testing.T) {
	// rename runs before the failing convert and stays done; uppercase,
	// which comes after, is skipped.
	f := build(t, `rename = { a = "b" }
		convert = { n = "integer" }
		uppercase = ["u"]
		tag_on_failure = "bad_mutate"
		add_tag = ["ok"]`, pipeline.Deps{})
	e := event(t, `{"a":1,"n":"x","u":"low"}`)
	if res := f.Filter(e); res != pipeline.FilterSkipped {
		t.Errorf("result %v, want FilterSkipped (no add_tag)", res)
	}
	if got, want := fields(e), `{"n":"x","u":"low","b":1,"tags":["bad_mutate"]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestMetrics(t *testing.T) {
	m := &pipeline.Metrics{}
	f := build(t, `convert = { n = "integer" }`, pipeline.Deps{Metrics: m})
	for _, doc := range []string{`{"n":"1"}`, `{"n":"x"}`, `{}`} {
		f.Filter(event(t, doc))
	}
	got := map[string]int64{}
	for _, c := range m.Snapshot() {
		got[c.Name] = c.Value
	}
	if got["matches"] != 2 || got["failures"] != 1 {
		t.Errorf("counters %v, want matches 2, failures 1", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	f := build(t, `convert = { n = "integer" }
		gsub = ["m", "a", "b"]`, pipeline.Deps{})
	done := make(chan string)
	for range 4 {
		go func() {
			var d pipeline.JSONDecoder
			var last string
			for range 200 {
				err := d.DecodeEvents([]byte(`{"n":"42","m":"aaa"}`), func(e *pipeline.Event) {
					f.Filter(e)
					last = fields(e)
				})
				if err != nil {
					last = err.Error()
				}
			}
			done <- last
		}()
	}
	for range 4 {
		if got := <-done; got != `{"n":42,"m":"bbb"}` {
			t.Errorf("got %s", got)
		}
	}
}

// load runs a config through conf and returns its diagnostics as text.
func load(t *testing.T, src string) []conf.Diagnostic {
	t.Helper()
	_, diags := conf.Load([]conf.Source{{Name: "bad.hcl", Data: []byte(src)}}, registry(), conf.Options{})
	return diags
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string // lines 3.. of the file
		line    int
		summary string // a part of the summary
		detail  string // a part of the detail
	}{
		{"unknown convert type", "    convert = { a = \"int\" }", 3,
			`option convert: invalid conversion type "int" for "a"`, "string, integer, float, boolean, integer_eu, float_eu"},
		{"gsub not in triples", "    rename = { a = \"b\" }\n    gsub = [\"message\", \"toreplace\"]", 4,
			"option gsub: needs field, regex, replacement triples", "it has 2 strings"},
		{"gsub bad regex", "    gsub = [\n      \"a\", \"(\", \"x\",\n    ]", 3,
			`option gsub: invalid regex "(" for field "a"`, "missing closing )"},
		{"bad field reference", "    uppercase = [\"a[b\"]", 3,
			"option uppercase: not a field reference", "a bare name cannot contain"},
		{"bad field reference in a hash", "\n    copy = { a = \"[b\" }", 4,
			"option copy: not a field reference", "missing ']'"},
		{"bad sprintf in a value", "    replace = { a = \"%{}\" }", 3,
			"option replace: invalid sprintf format", "empty reference"},
		{"bad sprintf in a rename", "    rename = { \"%{[a}\" = \"b\" }", 3,
			"option rename: invalid sprintf format", "missing ']'"},
		{"a number is not a list", "    lowercase = 5", 3,
			`Invalid value for "lowercase"`, "list of string required"},
		{"the deprecated array form of a hash", "    convert = [\"a\", \"integer\"]", 3,
			`Invalid value for "convert"`, "map of string required"},
		{"tag_on_failure is one string", "    tag_on_failure = [\"a\"]", 3,
			`Invalid value for "tag_on_failure"`, "string required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diags := load(t, "filter {\n  mutate {\n"+tc.body+"\n  }\n}\n")
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic, got %v", diags)
			}
			d := diags[0]
			if d.Line != tc.line || !strings.Contains(d.Summary, tc.summary) || !strings.Contains(d.Detail, tc.detail) {
				t.Errorf("got %s (line %d)\nwant line %d, summary with %q, detail with %q", d.String(), d.Line, tc.line, tc.summary, tc.detail)
			}
		})
	}
}

func TestValidConfigs(t *testing.T) {
	for _, body := range []string{
		`gsub = ["a", "(?<!x)y", "z"]`, // RE2 rejects lookbehind; regexp2 takes it
		`gsub = ["a", "%{re}", "z"]`,   // compiled per event
		`rename = { "%{" = "b" }`,      // an unterminated %{ is literal text
		`merge = { a = ["b", "c"] }`,
		`convert = { a = "integer_eu", b = "float_eu", c = "string", d = "boolean", e = "float", f = "integer" }`,
	} {
		if diags := load(t, "filter {\n  mutate {\n    "+body+"\n  }\n}\n"); len(diags) != 0 {
			t.Errorf("%s: %v", body, diags)
		}
	}
}

// TestREADMEExample loads and builds the README's first HCL block (the
// meta test in plugins/all does the same once the plugin is registered).
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no ```hcl example")
	}
	var plugins []pipeline.Plugin
	for _, p := range all.Plugins() {
		if p.Kind != pipeline.KindFilter || p.Name != mutate.Name {
			plugins = append(plugins, p)
		}
	}
	reg := pipeline.NewRegistry(append(plugins, mutate.Plugin())...)
	spec, diags := conf.Load([]conf.Source{{Name: "README.md", Data: m[1]}}, reg, conf.Options{DefaultIO: true})
	if diags.HasErrors() {
		var b strings.Builder
		_ = diags.Write(&b, nil, false)
		t.Fatalf("README example does not load:\n%s", b.String())
	}
	if _, err := pipeline.New(spec, pipeline.Options{Registry: reg}); err != nil {
		t.Fatalf("README example does not build: %v", err)
	}
}
