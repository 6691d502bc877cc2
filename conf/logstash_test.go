package conf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
)

// lsRegistry is every built-in plugin.
func lsRegistry() *pipeline.Registry { return all.Registry() }

var update = flag.Bool("update", false, "rewrite the golden files of testdata/logstash")

// lsEnv is the environment of the Logstash fixtures.
var lsEnv = map[string]string{"USER": "alice", "ES_HOST": "es.example.com:9200", "LS_PORT": "5044"}

// renderSpec renders a spec as text: every plugin with its id, common
// options, decoded config and codec, conditionals with their conditions,
// nested. With quotes, a condition's double-quoted strings are written
// single-quoted (what Convert does), to compare the two front ends.
func renderSpec(spec *pipeline.Spec, quotes bool) string {
	var b strings.Builder
	for _, in := range spec.Inputs {
		b.WriteString("input ")
		renderPlugin(&b, in, 1)
	}
	renderNodes(&b, "filter", spec.Filters, 0, quotes)
	renderNodes(&b, "output", spec.Outputs, 0, quotes)
	return b.String()
}

func indentOf(depth int) string { return strings.Repeat("  ", depth) }

func renderNodes(b *strings.Builder, kind string, ns []pipeline.Node, depth int, quotes bool) {
	for _, n := range ns {
		switch n := n.(type) {
		case *pipeline.PluginSpec:
			b.WriteString(indentOf(depth) + kind + " ")
			renderPlugin(b, n, depth+1)
		case *pipeline.If:
			for i, br := range n.Branches {
				cond := br.Cond.String()
				if quotes {
					cond = swapQuotes(cond)
				}
				word := "if"
				if i > 0 {
					word = "else if"
				}
				fmt.Fprintf(b, "%s%s %s\n", indentOf(depth), word, cond)
				renderNodes(b, kind, br.Body, depth+1, quotes)
			}
			if n.Else != nil {
				b.WriteString(indentOf(depth) + "else\n")
				renderNodes(b, kind, n.Else, depth+1, quotes)
			}
			b.WriteString(indentOf(depth) + "end\n")
		}
	}
}

func renderPlugin(b *strings.Builder, ps *pipeline.PluginSpec, depth int) {
	fmt.Fprintf(b, "%s id=%s", ps.Plugin.Name, ps.Common.ID)
	c := ps.Common
	c.ID = ""
	if s := renderValue(reflect.ValueOf(c)); s != "{EnableMetric: true}" {
		fmt.Fprintf(b, " common=%s", s)
	}
	b.WriteString("\n")
	fmt.Fprintf(b, "%sconfig %s\n", indentOf(depth), renderValue(reflect.ValueOf(ps.Config)))
	if ps.Codec != nil {
		fmt.Fprintf(b, "%scodec %s %s\n", indentOf(depth), ps.Codec.Plugin.Name, renderValue(reflect.ValueOf(ps.Codec.Config)))
	}
}

var attrType = reflect.TypeFor[*hcl.Attribute]()

// renderValue renders a decoded config: exported fields that are not zero,
// pointers followed, an *hcl.Attribute as its value.
func renderValue(v reflect.Value) string {
	if !v.IsValid() {
		return "nil"
	}
	if v.Type() == attrType {
		if v.IsNil() {
			return "nil"
		}
		val, diags := v.Interface().(*hcl.Attribute).Expr.Value(nil)
		if diags.HasErrors() {
			return "attr(?)"
		}
		return "attr(" + val.GoString() + ")"
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "nil"
		}
		return renderValue(v.Elem())
	case reflect.Struct:
		var parts []string
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || v.Field(i).IsZero() || f.Type.Kind() == reflect.Func || f.Type.Kind() == reflect.Chan {
				continue
			}
			parts = append(parts, f.Name+": "+renderValue(v.Field(i)))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.Slice, reflect.Array:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = renderValue(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = renderValue(k) + ": " + renderValue(v.MapIndex(k))
		}
		return "map[" + strings.Join(parts, ", ") + "]"
	case reflect.String:
		return fmt.Sprintf("%q", v.String())
	}
	return fmt.Sprint(v.Interface())
}

// lsFixture is one valid Logstash fixture: a .conf file, or a folder of
// them read as one pipeline.
type lsFixture struct {
	name string // file or folder name under testdata/logstash/valid
	srcs []Source
}

func lsFixtures(t *testing.T) []lsFixture {
	t.Helper()
	entries, err := os.ReadDir("testdata/logstash/valid")
	if err != nil {
		t.Fatal(err)
	}
	var out []lsFixture
	for _, e := range entries {
		path := filepath.Join("testdata/logstash/valid", e.Name())
		if !e.IsDir() && filepath.Ext(e.Name()) != ".conf" {
			continue
		}
		srcs, err := ReadSources([]string{path})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, lsFixture{e.Name(), srcs})
	}
	if len(out) == 0 {
		t.Fatal("no fixtures")
	}
	return out
}

func diagText(diags Diagnostics, srcs []Source) string {
	var b strings.Builder
	_ = diags.Write(&b, srcs, true)
	return b.String()
}

// golden compares got with the file, or rewrites it with -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./conf -run Logstash -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}

// TestLogstashFixtures loads every valid fixture and compares its plugin
// graph with the golden .spec file; converts it, compares the HCL with the
// golden .hcl file, checks that hclwrite leaves it as it is, and that the
// HCL loads into the same graph (round trip).
func TestLogstashFixtures(t *testing.T) {
	reg := lsRegistry()
	for _, fx := range lsFixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			base := filepath.Join("testdata/logstash/golden", strings.TrimSuffix(fx.name, ".conf"))
			spec, diags := Load(fx.srcs, reg, Options{Env: lsEnv})
			if len(diags) > 0 || spec == nil {
				t.Fatalf("diagnostics:\n%s", diagText(diags, fx.srcs))
			}
			golden(t, base+".spec", renderSpec(spec, false))

			out, cdiags := Convert(fx.srcs, reg)
			if len(cdiags) > 0 {
				t.Fatalf("convert diagnostics:\n%s", diagText(cdiags, fx.srcs))
			}
			golden(t, base+".hcl", string(out))
			if f := formatHCL(out); !bytes.Equal(f, out) {
				t.Errorf("convert output is not stable under formatting:\n%s", f)
			}

			hsrcs := []Source{{Name: "converted.hcl", Data: out}}
			hspec, hdiags := Load(hsrcs, reg, Options{Env: lsEnv})
			if len(hdiags) > 0 || hspec == nil {
				t.Fatalf("the converted HCL does not load:\n%s\n%s", diagText(hdiags, hsrcs), out)
			}
			if got, want := renderSpec(hspec, true), renderSpec(spec, true); got != want {
				t.Errorf("round trip differs:\n--- from HCL\n%s\n--- from .conf\n%s\n--- HCL\n%s", got, want, out)
			}
		})
	}
}

// TestLogstashErrorFixtures loads each testdata/logstash/errors/*.conf:
// every line carrying "# ERROR: text" must get a diagnostic containing
// text, and no other line may get one.
func TestLogstashErrorFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/logstash/errors/*.conf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	reg := lsRegistry()
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".conf"), func(t *testing.T) {
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
			spec, diags := Load(srcs, reg, Options{Env: lsEnv})
			out := diagText(diags, srcs)
			if spec != nil || !diags.HasErrors() {
				t.Fatalf("loaded without error; diagnostics:\n%s", out)
			}
			if strings.Contains(out, "Expected one of") {
				t.Errorf("Logstash's classic message:\n%s", out)
			}
			for line, text := range want {
				if !slices.ContainsFunc(diags, func(d Diagnostic) bool {
					return d.File == name && d.Line == line && strings.Contains(d.String(), text)
				}) {
					t.Errorf("no diagnostic on line %d containing %q; got:\n%s", line, text, out)
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

// TestLogstashRepeatedOptions checks Logstash's rule for an option written
// twice in one plugin, and the fitting of values to option types.
func TestLogstashRepeatedOptions(t *testing.T) {
	for _, tc := range []struct {
		name, conf, want string
	}{
		{"hashes merge, a key in both gathers its values",
			`filter { grok { match => { "message" => "a" } match => { "other" => "x" "message" => "b" } } }`,
			`Match: [{Key: "message", Value: "a"}, {Key: "message", Value: "b"}, {Key: "other", Value: "x"}]`},
		{"arrays concatenate",
			`filter { grok { match => {"m" => "x"} add_tag => ["a"] add_tag => ["b", "a"] } }`,
			`AddTag: ["a", "b", "a"]`},
		{"two scalars make an array",
			`filter { grok { match => {"m" => "x"} add_tag => "a" add_tag => "b" } }`,
			`AddTag: ["a", "b"]`},
		{"the same scalar twice is one",
			`filter { grok { match => {"m" => "x"} add_tag => "a" add_tag => "a" } }`,
			`AddTag: ["a"]`},
		{"an array of pairs with a key repeated",
			`filter { grok { match => ["message", "a", "message", "b", "x", "c"] } }`,
			`Match: [{Key: "message", Value: "a"}, {Key: "message", Value: "b"}, {Key: "x", Value: "c"}]`},
		{"a number for a string keeps its text",
			`filter { grok { match => {"m" => "x"} tag_on_timeout => 1.50 } }`,
			`TagOnTimeout: "1.50"`},
		{"a number in a list of strings keeps its text",
			`filter { grok { match => {"m" => "x"} add_tag => [1.0, -2, "x"] } }`,
			`AddTag: ["1.0", "-2", "x"]`},
		{"a string for a number and for a bool",
			`filter { grok { match => {"m" => "x"} timeout_millis => "250" break_on_match => "false" } }`,
			`TimeoutMillis: 250`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := []Source{{Name: "r.conf", Data: []byte("input { stdin {} }\n" + tc.conf + "\noutput { stdout {} }\n")}}
			spec, diags := Load(srcs, lsRegistry(), Options{})
			if diags.HasErrors() {
				t.Fatal(diagText(diags, srcs))
			}
			if got := renderSpec(spec, false); !strings.Contains(got, tc.want) {
				t.Errorf("spec lacks %s:\n%s", tc.want, got)
			}
			if tc.name == "a string for a number and for a bool" && strings.Contains(renderSpec(spec, false), "BreakOnMatch: true") {
				t.Errorf("break_on_match not false:\n%s", renderSpec(spec, false))
			}
		})
	}
}

// TestLogstashCRLF checks that Windows line ends change nothing: the same
// graph from the .conf, and from its conversion.
func TestLogstashCRLF(t *testing.T) {
	reg := lsRegistry()
	for _, f := range []string{"nested.conf", "comments.conf", "values.conf", "sections.conf"} {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/logstash/valid", f))
			if err != nil {
				t.Fatal(err)
			}
			crlf := []byte(strings.ReplaceAll(string(data), "\n", "\r\n"))
			want, diags := Load([]Source{{Name: "lf.conf", Data: data}}, reg, Options{Env: lsEnv})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			got, diags := Load([]Source{{Name: "crlf.conf", Data: crlf}}, reg, Options{Env: lsEnv})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if noCR(renderSpec(got, false)) != renderSpec(want, false) {
				t.Errorf("with CRLF:\n%s\nwith LF:\n%s", renderSpec(got, false), renderSpec(want, false))
			}
			out, diags := Convert([]Source{{Name: "crlf.conf", Data: crlf}}, reg)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			conv, diags := Load([]Source{{Name: "crlf.hcl", Data: out}}, reg, Options{Env: lsEnv})
			if diags.HasErrors() {
				t.Fatalf("%v\n%s", diags, out)
			}
			if noCR(renderSpec(conv, true)) != renderSpec(want, true) {
				t.Errorf("converted with CRLF:\n%s\nwith LF:\n%s", renderSpec(conv, true), renderSpec(want, true))
			}
		})
	}
}

// noCR drops the carriage returns that a condition written over several
// lines keeps in its text.
func noCR(s string) string { return strings.ReplaceAll(s, "\r", "") }
