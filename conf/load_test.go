package conf

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/pipeline/dlq"
)

var testEnv = map[string]string{"USER": "alice", "HOME": "/home/alice"}

func load(t *testing.T, name, src string) (*pipeline.Spec, Diagnostics) {
	t.Helper()
	return Load([]Source{{Name: name, Data: []byte(src)}}, testRegistry(), Options{Env: testEnv})
}

// mustLoad loads src and fails on any diagnostic.
func mustLoad(t *testing.T, src string) *pipeline.Spec {
	t.Helper()
	spec, diags := load(t, "test.hcl", src)
	if len(diags) > 0 || spec == nil {
		var b strings.Builder
		_ = diags.Write(&b, []Source{{Name: "test.hcl", Data: []byte(src)}}, true)
		t.Fatalf("unexpected diagnostics:\n%s", b.String())
	}
	return spec
}

// TestErrorFixtures loads each testdata/errors/*.hcl: every line carrying
// "# ERROR: text" must get a diagnostic containing text, and no other line
// may get one.
func TestErrorFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".hcl"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int]string{}
			for i, line := range strings.Split(string(data), "\n") {
				if _, text, ok := strings.Cut(line, "# ERROR: "); ok {
					want[i+1] = strings.TrimSpace(text)
				}
			}
			if len(want) == 0 {
				t.Fatal("fixture has no # ERROR: line")
			}
			srcs := []Source{{Name: name, Data: data}}
			spec, diags := Load(srcs, testRegistry(), Options{Env: testEnv})
			var out strings.Builder
			_ = diags.Write(&out, srcs, true)
			if spec != nil || !diags.HasErrors() {
				t.Fatalf("loaded without error; diagnostics:\n%s", out.String())
			}
			for line, text := range want {
				found := false
				for _, d := range diags {
					if d.File == name && d.Line == line && strings.Contains(d.String(), text) {
						found = true
					}
				}
				if !found {
					t.Errorf("no diagnostic on line %d containing %q; got:\n%s", line, text, out.String())
				}
			}
			for _, d := range diags {
				if _, ok := want[d.Line]; !ok {
					t.Errorf("unexpected diagnostic: %s", d)
				}
			}
		})
	}
}

// shape renders a spec compactly: plugin names with their codec, ifs with
// their conditions.
func shape(spec *pipeline.Spec) string {
	var b strings.Builder
	b.WriteString("input:")
	for _, in := range spec.Inputs {
		b.WriteString(" ")
		plugin(&b, in)
	}
	b.WriteString(" | filter:")
	nodes(&b, spec.Filters)
	b.WriteString(" | output:")
	nodes(&b, spec.Outputs)
	return b.String()
}

func plugin(b *strings.Builder, ps *pipeline.PluginSpec) {
	b.WriteString(ps.Plugin.Name)
	if ps.Codec != nil {
		fmt.Fprintf(b, "(%s)", ps.Codec.Plugin.Name)
	}
}

func nodes(b *strings.Builder, ns []pipeline.Node) {
	for _, n := range ns {
		b.WriteString(" ")
		switch n := n.(type) {
		case *pipeline.PluginSpec:
			plugin(b, n)
		case *pipeline.If:
			for i, br := range n.Branches {
				if i > 0 {
					b.WriteString(" else ")
				}
				fmt.Fprintf(b, "if %q {", br.Cond.String())
				nodes(b, br.Body)
				b.WriteString(" }")
			}
			if n.Else != nil {
				b.WriteString(" else {")
				nodes(b, n.Else)
				b.WriteString(" }")
			}
		}
	}
}

func TestValidFixtures(t *testing.T) {
	for _, tc := range []struct {
		file  string
		shape string
		check func(t *testing.T, spec *pipeline.Spec)
	}{
		{"brief_example.hcl",
			`input: stdin(json_lines) generator(plain) | filter: json if "[logger_name] == 'example.tasks'" { drop } else if "[status_code] >= 500" { mutate } else { json } | output: stdout(line) if "'_jsonparsefailure' in [tags]" { null }`,
			func(t *testing.T, spec *pipeline.Spec) {
				want := pipeline.Settings{ID: "main", Workers: 2, BatchSize: 125, BatchDelayMillis: 50, QueueSize: 1000, ECSCompatibility: "v8"}
				if spec.Settings != want {
					t.Errorf("settings %+v, want %+v", spec.Settings, want)
				}
				gen := spec.Inputs[1]
				if c := gen.Config.(*generatorConfig); c.Count != 10 || c.Message != "Hello world!" {
					t.Errorf("generator config %+v (defaults must stay)", c)
				}
				wantCommon := pipeline.Common{ID: "generator_1", EnableMetric: true, Tags: []string{"gen"},
					AddField: []pipeline.KV{{Key: "[src][name]", Value: "gen-%{sequence}"}}}
				if !reflect.DeepEqual(gen.Common, wantCommon) {
					t.Errorf("generator common %+v, want %+v", gen.Common, wantCommon)
				}
				inner := spec.Filters[1].(*pipeline.If).Else[0].(*pipeline.PluginSpec)
				if inner.Common.ID != "json_2" || !reflect.DeepEqual(inner.Common.AddTag, []string{"x", "%{type}"}) {
					t.Errorf("inner json common %+v", inner.Common)
				}
				if c := inner.Config.(*jsonConfig); c.Source != "other" {
					t.Errorf("inner json config %+v", c)
				}
				if c := spec.Outputs[0].(*pipeline.PluginSpec).Codec.Config.(*lineConfig); c.Format != "%{message}" || c.Delimiter != "\n" {
					t.Errorf("line codec config %+v", c)
				}
				if c := spec.Inputs[0].Codec.Config.(*jsonLinesConfig); c.Delimiter != "\n" {
					t.Errorf("json_lines codec config %+v", c)
				}
				if p := spec.Filters[1].(*pipeline.If).Pos; p != "brief_example.hcl:15:3" {
					t.Errorf("if pos %q", p)
				}
				if p := spec.Inputs[1].Pos; p != "brief_example.hcl:11:3" {
					t.Errorf("generator pos %q", p)
				}
			}},
		{"logstash_strings.hcl",
			`input: generator(plain) | filter: if "[message] =~ /^\\d{3} \\/api\\/.*$/" { mutate } | output: stdout(line)`,
			func(t *testing.T, spec *pipeline.Spec) {
				gen := spec.Inputs[0]
				c := gen.Config.(*generatorConfig)
				wantLines := []string{
					`%{COMBINEDAPACHELOG} \d+ \[%{HTTPDATE:timestamp}\]`,
					"tab\there \"quoted\" back\\slash",
					"alice home=/home/alice literal=${env.USER} pct=%%{x}",
					"unicode \u00e9 \U0001F600",
				}
				if !reflect.DeepEqual(c.Lines, wantLines) {
					t.Errorf("lines\n%q\nwant\n%q", c.Lines, wantLines)
				}
				if want := "  first %{message} \\d\n  alice\n"; c.Message != want {
					t.Errorf("heredoc %q, want %q", c.Message, want)
				}
				if gen.Common.Type != "default-type" {
					t.Errorf("type %q", gen.Common.Type)
				}
				wantKV := []pipeline.KV{{Key: "[@metadata][index]", Value: "logstash-%{+YYYY.MM.dd}"},
					{Key: "plain_key", Value: "%{[host][name]}"}, {Key: "user", Value: "alice"}}
				if !reflect.DeepEqual(gen.Common.AddField, wantKV) {
					t.Errorf("add_field %q", gen.Common.AddField)
				}
				m := spec.Filters[0].(*pipeline.If).Branches[0].Body[0].(*pipeline.PluginSpec).Config.(*mutateConfig)
				if want := map[string]string{"[a][b]": "c", "d": "[e][f]"}; !reflect.DeepEqual(m.Rename, want) {
					t.Errorf("rename %v", m.Rename)
				}
			}},
		{"one_line.hcl",
			`input: generator(json) | filter: if "[a] == 1" { drop } else if "[b]" { mutate } else { drop } | output: null stdout(rubydebug)`,
			func(t *testing.T, spec *pipeline.Spec) {
				if c := spec.Inputs[0].Config.(*generatorConfig); c.Count != 1 || c.Message != "x" {
					t.Errorf("generator %+v", c)
				}
				if c := spec.Outputs[1].(*pipeline.PluginSpec).Codec.Config.(*rubydebugConfig); !c.Metadata {
					t.Errorf("rubydebug %+v", c)
				}
				if c := spec.Filters[0].(*pipeline.If).Else[0].(*pipeline.PluginSpec).Config.(*dropConfig); c.Percentage != 50 {
					t.Errorf("drop %+v", c)
				}
			}},
		{"nested.hcl",
			`input: stdin(line) | filter: if "[a]" { if "[b]" { drop } else if "[c]" { json } else { mutate } } else if "[d]" { drop } drop if "[e]" { } | output: if "[f]" { stdout(rubydebug) } else { null }`,
			func(t *testing.T, spec *pipeline.Spec) {
				ids := []string{}
				var walk func([]pipeline.Node)
				walk = func(ns []pipeline.Node) {
					for _, n := range ns {
						switch n := n.(type) {
						case *pipeline.PluginSpec:
							ids = append(ids, n.Common.ID)
						case *pipeline.If:
							for _, br := range n.Branches {
								walk(br.Body)
							}
							walk(n.Else)
						}
					}
				}
				walk(spec.Filters)
				if want := []string{"drop_1", "json_1", "mutate_1", "drop_2", "drop_3"}; !reflect.DeepEqual(ids, want) {
					t.Errorf("ids %v, want %v", ids, want)
				}
			}},
		{"dead_letter_queue.hcl",
			`input: stdin(line) | filter: | output: null`,
			func(t *testing.T, spec *pipeline.Spec) {
				want := dlq.Config{Enable: true, Path: "/var/lib/pipe/dead_letter_queue", MaxBytes: 512 << 20,
					StoragePolicy: "drop_older", FlushIntervalMillis: 1000}
				if got := spec.Settings.DeadLetterQueue; got != want || spec.Settings.ID != "orders" {
					t.Errorf("settings %+v, want %+v", spec.Settings, want)
				}
			}},
		{"comments.hcl",
			`input: stdin(line) generator(plain) | filter: | output: null`,
			func(t *testing.T, spec *pipeline.Spec) {
				if c := spec.Inputs[1].Config.(*generatorConfig); c.Count != 2 || c.Message != "a # not a comment" {
					t.Errorf("generator %+v", c)
				}
				if id := spec.Outputs[0].(*pipeline.PluginSpec).Common.ID; id != "out" {
					t.Errorf("id %q", id)
				}
			}},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".hcl"), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/valid", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			srcs := []Source{{Name: tc.file, Data: data}}
			spec, diags := Load(srcs, testRegistry(), Options{Env: testEnv})
			if len(diags) > 0 || spec == nil {
				var b strings.Builder
				_ = diags.Write(&b, srcs, true)
				t.Fatalf("diagnostics:\n%s", b.String())
			}
			if got := shape(spec); got != tc.shape {
				t.Errorf("shape\n got %s\nwant %s", got, tc.shape)
			}
			tc.check(t, spec)
		})
	}
}

func TestCRLF(t *testing.T) {
	data, err := os.ReadFile("testdata/valid/brief_example.hcl")
	if err != nil {
		t.Fatal(err)
	}
	want := shape(mustLoad(t, string(data)))
	if got := shape(mustLoad(t, strings.ReplaceAll(string(data), "\n", "\r\n"))); got != want {
		t.Errorf("with CRLF\n got %s\nwant %s", got, want)
	}
}

// Every valid fixture is covered by TestValidFixtures.
func TestValidFixturesAllChecked(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.hcl")
	if len(files) != 6 {
		t.Errorf("%d valid fixtures; add the new ones to TestValidFixtures", len(files))
	}
}

// TestPositions checks exact line and column of errors that sit after a
// rewrite of the text (a %{, an inserted newline) or inside a string.
func TestPositions(t *testing.T) {
	for _, tc := range []struct {
		name, src         string
		line, col         int
		summary           string
		endLine, endColum int
	}{
		{"after sprintf on the same line",
			"input {\n  generator { message = \"%{a} %{b}\" cuont = 1 }\n}\n", 2, 37, "Unsupported argument", 2, 42},
		{"after unknown escapes on the same line",
			"input {\n  generator { message = \"\\d\\[%{x}\\]\" cuont = 1 }\n}\n", 2, 38, "Unsupported argument", 2, 43},
		{"line after } else {",
			"filter {\n  if \"[a]\" { drop {} } else { drop {} }\n  jsno {}\n}\n", 3, 3, `Unknown filter plugin "jsno"`, 3, 7},
		{"after } else { on the same line",
			"filter {\n  if \"[a]\" {\n    drop {}\n  } else { jsno {} }\n}\n", 4, 12, `Unknown filter plugin "jsno"`, 4, 16},
		{"inside a condition",
			"filter {\n  if \"[a] == 1 andd [b]\" {\n    drop {}\n  }\n}\n", 2, 16, "Invalid condition", 2, 17},
		{"inside an else if condition after escapes",
			"filter {\n  if \"[a]\" { drop {} } else if \"[m] =~ /\\d\\\"/ &&\" { drop {} }\n}\n", 2, 47, "Invalid condition", 2, 48},
		{"inside a sprintf format",
			"filter {\n  drop { add_tag = [\"ok\", \"%{a} %{[b}\"] }\n}\n", 2, 35, "Invalid sprintf format", 2, 36},
		{"inside an add_field key with a %{ before",
			"filter {\n  drop {\n    add_field = { \"%{x}-%{[y}\" = \"v\" }\n  }\n}\n", 3, 27, "Invalid sprintf format", 3, 28},
		{"inside a string with HCL escapes",
			"filter {\n  drop { add_tag = [\"\\t\\u00e9\\\"%{}\"] }\n}\n", 2, 32, "Invalid sprintf format", 2, 33},
		{"in a value with an interpolation: at its start",
			"filter {\n  drop { add_tag = [\"${env.USER} %{}\"] }\n}\n", 2, 21, "Invalid sprintf format", 2, 22},
		{"after a brace moved up from its own line",
			"filter {\n  if \"[a]\"\n  {\n    jsno {}\n  }\n}\n", 4, 5, `Unknown filter plugin "jsno"`, 4, 9},
		{"with CRLF line ends",
			"filter {\r\n  if \"[a]\" { drop {} } else {\r\n    jsno {} }\r\n}\r\n", 3, 5, `Unknown filter plugin "jsno"`, 3, 9},
		{"type error",
			"pipeline {\n  workers = \"two\"\n}\n", 2, 13, `Invalid value for "workers"`, 2, 18},
		{"tabs and unicode count as one column",
			"filter {\n\tdrop { add_tag = [\"é\"] cuont = 1 }\n}\n", 2, 25, "Unsupported argument", 2, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := load(t, "p.hcl", tc.src)
			if len(diags) != 1 {
				t.Fatalf("want 1 diagnostic, got %d: %v", len(diags), diags)
			}
			d := diags[0]
			if d.Line != tc.line || d.Column != tc.col || !strings.Contains(d.Summary, tc.summary) ||
				d.EndLine != tc.endLine || d.EndColumn != tc.endColum {
				t.Errorf("got %s (end %d:%d), want %d:%d-%d:%d %q", d, d.EndLine, d.EndColumn, tc.line, tc.col, tc.endLine, tc.endColum, tc.summary)
			}
		})
	}
}

// gohcl leaves the defaults of absent options in place, and decodes the
// given ones over them.
func TestDefaultsKept(t *testing.T) {
	spec := mustLoad(t, "input {\n  generator { count = 3 }\n  generator { message = \"m\" }\n}\n")
	a := spec.Inputs[0].Config.(*generatorConfig)
	b := spec.Inputs[1].Config.(*generatorConfig)
	if a.Count != 3 || a.Message != "Hello world!" || b.Count != 0 || b.Message != "m" {
		t.Errorf("got %+v and %+v", a, b)
	}
	if a == b {
		t.Error("configs are shared")
	}
}

func TestCommonOptions(t *testing.T) {
	spec := mustLoad(t, `
input {
  stdin {
    id            = "in"
    enable_metric = false
    type          = "app"
    tags          = "single"
    add_field     = { b = "1", "a" = 2, b = "3" }
  }
}
filter {
  drop {
    add_field      = { "[x]" = "%{y}" }
    add_tag        = ["t1", "t-%{type}"]
    remove_field   = ["[a][b]", "c", "%{f}"]
    remove_tag     = "old"
    periodic_flush = true
  }
}
output {
  null { id = "out" enable_metric = true }
}
`)
	want := pipeline.Common{ID: "in", EnableMetric: false, Type: "app", Tags: []string{"single"},
		AddField: []pipeline.KV{{Key: "b", Value: "3"}, {Key: "a", Value: "2"}}}
	if got := spec.Inputs[0].Common; !reflect.DeepEqual(got, want) {
		t.Errorf("input common\n got %+v\nwant %+v", got, want)
	}
	want = pipeline.Common{ID: "drop_1", EnableMetric: true, AddField: []pipeline.KV{{Key: "[x]", Value: "%{y}"}},
		AddTag: []string{"t1", "t-%{type}"}, RemoveField: []string{"[a][b]", "c", "%{f}"}, RemoveTag: []string{"old"}, PeriodicFlush: true}
	if got := spec.Filters[0].(*pipeline.PluginSpec).Common; !reflect.DeepEqual(got, want) {
		t.Errorf("filter common\n got %+v\nwant %+v", got, want)
	}
	if got := spec.Outputs[0].(*pipeline.PluginSpec); got.Common.ID != "out" || got.Codec != nil {
		t.Errorf("output %+v", got)
	}
}

func TestCommonOptionsPerKind(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"input { stdin { add_tag = [\"x\"] } }", `"add_tag" is not expected here`},
		{"filter { drop { tags = [\"x\"] } }", `"tags" is not expected here`},
		{"filter { drop { type = \"x\" } }", `"type" is not expected here`},
		{"output { null { add_field = {} } }", `"add_field" is not expected here`},
		{"output { null { codec \"line\" { id = \"x\" } } }", `"id" is not expected here`},
	} {
		t.Run(tc.src, func(t *testing.T) {
			_, diags := load(t, "k.hcl", tc.src)
			if len(diags) != 1 || !strings.Contains(diags[0].String(), tc.want) {
				t.Errorf("got %v, want one containing %q", diags, tc.want)
			}
		})
	}
}

// A plugin option of type []pipeline.KV keeps the order of the object's
// keys (gohcl's maps cannot).
func TestOrderedOption(t *testing.T) {
	spec := mustLoad(t, "filter {\n  mutate { replace = { z = \"1\", \"[a]\" = 2 m = env.USER } }\n}\n")
	c := spec.Filters[0].(*pipeline.PluginSpec).Config.(*mutateConfig)
	want := []pipeline.KV{{Key: "z", Value: "1"}, {Key: "[a]", Value: "2"}, {Key: "m", Value: "alice"}}
	if !reflect.DeepEqual(c.Replace, want) {
		t.Errorf("got %v, want %v", c.Replace, want)
	}
	_, diags := load(t, "o.hcl", "filter {\n  mutate {\n    replace = [\"x\"]\n  }\n}\n")
	if len(diags) != 1 || diags[0].Line != 3 || !strings.Contains(diags[0].String(), `Invalid value for "replace"`) {
		t.Errorf("got %v", diags)
	}
}

func TestCodecs(t *testing.T) {
	spec := mustLoad(t, `
input {
  stdin {}
  stdin { codec = "json" }
  generator { codec "line" { format = "%{message}!" } }
}
output {
  null {}
  stdout {}
}
`)
	got := shape(spec)
	if want := "input: stdin(line) stdin(json) generator(line) | filter: | output: null stdout(rubydebug)"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if c := spec.Inputs[2].Codec.Config.(*lineConfig); c.Format != "%{message}!" || c.Delimiter != "\n" {
		t.Errorf("line codec %+v", c)
	}
}

func TestIDs(t *testing.T) {
	spec := mustLoad(t, `
input { generator {} generator {} }
filter { json { source = "a" } }
output { stdout { id = "json_2" } stdout {} }
`)
	var ids []string
	for _, in := range spec.Inputs {
		ids = append(ids, in.Common.ID)
	}
	for _, ns := range [][]pipeline.Node{spec.Filters, spec.Outputs} {
		for _, n := range ns {
			ids = append(ids, n.(*pipeline.PluginSpec).Common.ID)
		}
	}
	if want := []string{"generator_1", "generator_2", "json_1", "json_2", "stdout_2"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids %v, want %v", ids, want)
	}
}

func TestMultipleSources(t *testing.T) {
	srcs, err := ReadSources([]string{"testdata/multi"})
	if err != nil {
		t.Fatal(err)
	}
	spec, diags := Load(srcs, testRegistry(), Options{})
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if got, want := shape(spec), "input: stdin(line) | filter: json drop | output: stdout(rubydebug)"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if p := spec.Filters[1].(*pipeline.PluginSpec).Pos; p != filepath.Join("testdata", "multi", "03-output.hcl")+":2:3" {
		t.Errorf("pos %q", p)
	}
}

func TestErrorsAcrossSources(t *testing.T) {
	srcs := []Source{
		{Name: "b.hcl", Data: []byte("filter {\n  json { id = \"x\" source = \"m\" }\n}\n")},
		{Name: "a.hcl", Data: []byte("filter {\n  drop {}\n  json { id = \"x\" source = \"m\" }\n}\n")},
		{Name: "c.hcl", Data: []byte("output {\n  null {\n}\n")},
	}
	_, diags := Load(srcs, testRegistry(), Options{})
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s:%d:%d %s", d.File, d.Line, d.Column, d.Summary))
	}
	want := []string{`a.hcl:3:15 Duplicate id`, `c.hcl:1:8 Unclosed configuration block`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if !strings.Contains(diags[0].Detail, "b.hcl:2:3") {
		t.Errorf("detail %q does not name the first use", diags[0].Detail)
	}
}

func TestDefaultIO(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"", "input: stdin(line) | filter: | output: stdout(rubydebug)"},
		{"filter { drop {} }", "input: stdin(line) | filter: drop | output: stdout(rubydebug)"},
		{"input { generator {} }", "input: generator(plain) | filter: | output: stdout(rubydebug)"},
		{"output { null {} }", "input: stdin(line) | filter: | output: null"},
	} {
		t.Run(tc.src, func(t *testing.T) {
			spec, diags := Load([]Source{{Name: "config.string", Data: []byte(tc.src)}}, testRegistry(), Options{DefaultIO: true})
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			if got := shape(spec); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if spec.Inputs[0].Common.ID == "" || !spec.Inputs[0].Common.EnableMetric {
				t.Errorf("default input common %+v", spec.Inputs[0].Common)
			}
		})
	}
	spec, _ := Load(nil, testRegistry(), Options{})
	if spec == nil || len(spec.Inputs) != 0 || len(spec.Outputs) != 0 {
		t.Errorf("without DefaultIO: %+v", spec)
	}
}

func TestEnv(t *testing.T) {
	spec := mustLoad(t, `
input {
  generator {
    message = "${env.USER}:${env["HOME"]}"
    lines   = [env("USER"), env("NOPE", "fallback"), env("HOME", "unused")]
  }
}
`)
	c := spec.Inputs[0].Config.(*generatorConfig)
	if c.Message != "alice:/home/alice" || !reflect.DeepEqual(c.Lines, []string{"alice", "fallback", "/home/alice"}) {
		t.Errorf("got %+v", c)
	}
}

func TestWrite(t *testing.T) {
	src := "input {\n\tgenerator {\n\t\tcuont = 1  # typo\n\t}\n}\noutput {\n  stdot {}\n}\n"
	srcs := []Source{{Name: "w.hcl", Data: []byte(src)}}
	_, diags := Load(srcs, testRegistry(), Options{})
	var plain, snip strings.Builder
	if err := diags.Write(&plain, srcs, false); err != nil {
		t.Fatal(err)
	}
	want := `w.hcl:3:3: error: Unsupported argument: An argument named "cuont" is not expected here. Did you mean "count"?
w.hcl:7:3: error: Unknown output plugin "stdot": Did you mean "stdout"? The output plugins are: null, stdout.
`
	if plain.String() != want {
		t.Errorf("plain:\n%s\nwant:\n%s", plain.String(), want)
	}
	if err := diags.Write(&snip, srcs, true); err != nil {
		t.Fatal(err)
	}
	wantSnip := `w.hcl:3:3: error: Unsupported argument: An argument named "cuont" is not expected here. Did you mean "count"?
    3 | 		cuont = 1  # typo
      | 		^~~~~
w.hcl:7:3: error: Unknown output plugin "stdot": Did you mean "stdout"? The output plugins are: null, stdout.
    7 |   stdot {}
      |   ^~~~~
`
	if snip.String() != wantSnip {
		t.Errorf("snippets:\n%s\nwant:\n%s", snip.String(), wantSnip)
	}
	// Unsorted input comes out sorted; a diagnostic without a place prints
	// without one.
	d := Diagnostics{{File: "b", Line: 1, Column: 1, Summary: "B"}, {File: "a", Line: 2, Column: 5, Summary: "A2", Detail: "fix"},
		{File: "a", Line: 2, Column: 1, Summary: "A1", Severity: SeverityWarning}, {Summary: "nowhere"}}
	var out strings.Builder
	_ = d.Write(&out, nil, true)
	if want := "error: nowhere\na:2:1: warning: A1\na:2:5: error: A2: fix\nb:1:1: error: B\n"; out.String() != want {
		t.Errorf("sorted:\n%s\nwant:\n%s", out.String(), want)
	}
	if !d.HasErrors() || (Diagnostics{{Severity: SeverityWarning}}).HasErrors() {
		t.Error("HasErrors")
	}
}

func TestReadSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("b.hcl", "B")
	write("a.hcl", "A")
	write("c.conf", "C")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	write("sub/d.hcl", "D")
	names := func(srcs []Source) string {
		var s []string
		for _, src := range srcs {
			s = append(s, strings.TrimPrefix(src.Name, dir+string(filepath.Separator))+"="+string(src.Data))
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{dir}, "a.hcl=A b.hcl=B c.conf=C"},
		{[]string{filepath.Join(dir, "*.hcl")}, "a.hcl=A b.hcl=B"},
		{[]string{filepath.Join(dir, "*")}, "a.hcl=A b.hcl=B c.conf=C"},
		{[]string{filepath.Join(dir, "sub", "d.hcl"), filepath.Join(dir, "b.hcl"), filepath.Join(dir, "?.hcl")}, "a.hcl=A b.hcl=B sub/d.hcl=D"},
	} {
		t.Run(strings.Join(tc.args, ","), func(t *testing.T) {
			srcs, err := ReadSources(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(srcs); got != filepath.FromSlash(tc.want) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	for _, args := range [][]string{
		{filepath.Join(dir, "*.yml")},
		{filepath.Join(dir, "missing.hcl")},
		{filepath.Join(dir, "sub", "*")[:len(dir)] + "/nothing/*"},
	} {
		if _, err := ReadSources(args); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSources([]string{empty}); err == nil || !strings.Contains(err.Error(), "no file") {
		t.Errorf("empty folder: %v", err)
	}
}
