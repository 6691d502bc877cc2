package conf

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pipeproject/pipe/pipeline"
)

// quoteCases are strings whose HCL form needs care.
var quoteCases = []string{
	"", "plain", `\d+\.\d+`, `a\`, `\\`, `\n`, `\"`, `"`, `'`, "tab\there", "line\nend", "cr\r",
	"${", "$${", "$$${", "a ${b} c", "%{field}", "%%{", "%%%{x}", "%{+YYYY.MM.dd}", `\u00e9`, `\U0001F600`,
	"é ☃ 😀", "\x01", "$", "%", "{}", `\${x}`, `C:\path\`, "\\\x7f", "\\\t",
}

// TestHCLQuoteRoundTrip checks that a string written by hclQuote reads back
// as itself through the HCL front end, as an option and as a condition.
func TestHCLQuoteRoundTrip(t *testing.T) {
	for _, s := range quoteCases {
		t.Run(s, func(t *testing.T) {
			checkQuote(t, s)
		})
	}
}

func checkQuote(t *testing.T, s string) {
	t.Helper()
	src := "input {\n  generator {\n    message = " + hclQuote(s) + "\n  }\n}\n"
	spec, diags := Load([]Source{{Name: "q.hcl", Data: []byte(src)}}, testRegistry(), Options{})
	if diags.HasErrors() {
		t.Fatalf("%q written as %s does not load: %v", s, hclQuote(s), diags)
	}
	if got := spec.Inputs[0].Config.(*generatorConfig).Message; got != s {
		t.Fatalf("%q written as %s reads back as %q", s, hclQuote(s), got)
	}
	cond := "[a] == '" + strings.NewReplacer("'", "", "\\", "", "\n", " ", "\r", " ").Replace(s) + "'"
	src = "output {\n  if " + hclQuote(cond) + " {\n    stdout {}\n  }\n}\n"
	spec, diags = Load([]Source{{Name: "c.hcl", Data: []byte(src)}}, testRegistry(), Options{})
	if diags.HasErrors() {
		t.Fatalf("condition %q written as %s does not load: %v", cond, hclQuote(cond), diags)
	}
	if got := spec.Outputs[0].(*pipeline.If).Branches[0].Cond.String(); got != cond {
		t.Fatalf("condition %q written as %s reads back as %q", cond, hclQuote(cond), got)
	}
}

func FuzzHCLQuote(f *testing.F) {
	for _, s := range quoteCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// HCL normalizes its strings to Unicode NFC, so a string with
		// combining marks may read back composed: the property holds for
		// text without them (below U+0300).
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.ContainsFunc(s, func(r rune) bool { return r >= 0x300 }) {
			return
		}
		checkQuote(t, s)
	})
}

func TestSwapQuotes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`[a] == "x"`, `[a] == 'x'`},
		{`"x" in [tags]`, `'x' in [tags]`},
		{`[a] == "it's"`, `[a] == "it's"`},
		{`[a] == "a\"b"`, `[a] == "a\"b"`},
		{`[a] =~ /"x"/ and [b] == "y"`, `[a] =~ /"x"/ and [b] == 'y'`},
		{`[a] == 'z'`, `[a] == 'z'`},
		{`[a] == "unterminated`, `[a] == "unterminated`},
	} {
		if got := swapQuotes(tc.in); got != tc.want {
			t.Errorf("swapQuotes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzParseLogstash checks that the parser never panics, that its errors
// lie inside the text, and that a text it accepts converts and loads
// without a panic.
func FuzzParseLogstash(f *testing.F) {
	for _, s := range []string{
		"input { stdin {} }",
		`filter { if [a] == "x" { drop {} } else if [b] =~ /y\/z/ { json { source => "m" } } else { drop { } } }`,
		`input { generator { lines => ["a", 'b', c, 1, -2.5] add_field => { "a" => "b" 7 => x } codec => line { format => "%{m}" } } }`,
		"# c\ninput { # d\n stdin { type => \"${T:x}\" } # e\n}",
		`output { stdout { codec => rubydebug } }`,
		"filter { grok { match => [\"message\", \"\\d+\"] } }",
		"input { stdin { port = 1 } }",
		"filter { if { } }",
		`input { tcp { port => "5000 } }`,
	} {
		f.Add(s)
	}
	reg := lsRegistry()
	f.Fuzz(func(t *testing.T, s string) {
		file, err := parseLogstash([]byte(s), nil)
		if err != nil {
			if err.start < 0 || err.start > len(s) || err.end < err.start {
				t.Fatalf("error range %d-%d outside the text (%d bytes)", err.start, err.end, len(s))
			}
			return
		}
		if file == nil {
			t.Fatal("nil file without error")
		}
		srcs := []Source{{Name: "f.conf", Data: []byte(s)}}
		out, diags := Convert(srcs, reg)
		Load(srcs, reg, Options{})
		if !diags.HasErrors() {
			Load([]Source{{Name: "f.hcl", Data: out}}, reg, Options{})
		}
	})
}

func TestIsLogstash(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       bool
	}{
		{"a.conf", "", true},
		{"a.CONF", "", true},
		{"a.hcl", "input { stdin { codec => json } }", false},
		{"config.string", "input { stdin { codec => json } }", true},
		{"config.string", "input { stdin { codec = \"json\" } }", false},
		{"config.string", `filter { if [a] { drop {} } }`, true},
		{"config.string", `filter { if "[a]" { drop {} } }`, false},
		{"config.string", "filter { json { source = \"=>\" } } # =>", false},
		{"pipeline", "output { stdout {} }", false},
	} {
		if got := IsLogstash(Source{Name: tc.name, Data: []byte(tc.text)}); got != tc.want {
			t.Errorf("IsLogstash(%s, %q) = %v, want %v", tc.name, tc.text, got, tc.want)
		}
	}
}

// TestLogstashPositions checks the positions that the loader reports for
// .conf sources: plugin specs, conditions and string values.
func TestLogstashPositions(t *testing.T) {
	src := "input {\n  stdin {}\n}\nfilter {\n  if [a] == 'x' {\n    json { source => \"[bad\" }\n  }\n}\n"
	srcs := []Source{{Name: "p.conf", Data: []byte(src)}}
	_, diags := Load(srcs, lsRegistry(), Options{})
	if len(diags) != 1 || diags[0].Line != 6 || diags[0].Column != 22 {
		t.Fatalf("want one diagnostic at 6:22 (the value of source), got %v", diags)
	}
	srcs[0].Data = []byte(strings.Replace(src, `"[bad"`, `"ok"`, 1))
	spec, diags := Load(srcs, lsRegistry(), Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if p := spec.Inputs[0].Pos; p != "p.conf:2:3" {
		t.Errorf("stdin at %s, want p.conf:2:3", p)
	}
	n := spec.Filters[0].(*pipeline.If)
	if n.Pos != "p.conf:5:3" {
		t.Errorf("if at %s, want p.conf:5:3", n.Pos)
	}
	if p := n.Branches[0].Body[0].(*pipeline.PluginSpec).Pos; p != "p.conf:6:5" {
		t.Errorf("json at %s, want p.conf:6:5", p)
	}
}

func BenchmarkLoadLogstash(b *testing.B) {
	data := []byte(benchConf)
	reg := lsRegistry()
	srcs := []Source{{Name: "bench.conf", Data: data}}
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Load(srcs, reg, Options{}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

func BenchmarkConvertLogstash(b *testing.B) {
	srcs := []Source{{Name: "bench.conf", Data: []byte(benchConf)}}
	reg := lsRegistry()
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Convert(srcs, reg); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

func BenchmarkParseLogstash(b *testing.B) {
	data := []byte(benchConf)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parseLogstash(data, nil); err != nil {
			b.Fatal(err.summary)
		}
	}
}

const benchConf = `# A python-logstash pipeline
input {
  tcp { port => 5959 codec => json_lines }
  udp { port => 5959 codec => json }
}
filter {
  if [type] == "django" and "error" in [tags] {
    grok {
      match => { "message" => "%{IP:client} %{WORD:method} %{URIPATHPARAM:request}" }
      add_field => [ "received_at", "%{@timestamp}" ]
    }
  } else if [level] =~ /^(DEBUG|TRACE)$/ {
    drop { }
  } else {
    json { source => "payload" target => "doc" }
  }
}
output {
  elasticsearch { hosts => ["localhost:9200"] index => "logstash-%{+YYYY.MM.dd}" }
  stdout { codec => rubydebug }
}
`

// BenchmarkLoadLogstashAsHCL loads the HCL that Convert makes of benchConf:
// the same plugins as BenchmarkLoadLogstash, through the HCL front end.
func BenchmarkLoadLogstashAsHCL(b *testing.B) {
	reg := lsRegistry()
	out, diags := Convert([]Source{{Name: "bench.conf", Data: []byte(benchConf)}}, reg)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	srcs := []Source{{Name: "bench.hcl", Data: out}}
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Load(srcs, reg, Options{}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}
