package conf

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestPreprocess(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain HCL is unchanged",
			"a {\n  x = \"v\" # c\n  y = [1, 2]\n  z = { k = \"v\", l = 2 }\n}\n", ""},
		{"sprintf in strings",
			`x = "%{a} %{[b][c]} %{+YYYY}"`, `x = "%%{a} %%{[b][c]} %%{+YYYY}"`},
		{"sprintf outside strings and in comments is left alone",
			"# %{a}\n// %{b}\n/* %{c} */ x = 1 % 2\n", ""},
		{"interpolation kept, strings inside it rewritten",
			`x = "${env.HOME}/%{a} ${ "%{b}" }"`, `x = "${env.HOME}/%%{a} ${ "%%{b}" }"`},
		{"HCL escapes for $ and % stay",
			`x = "$${a} %%{b}"`, `x = "$${a} %%%{b}"`},
		{"unknown escapes are doubled, known ones kept",
			`x = "\d \[ \. \/ \w \n \t \" \\ \u00e9 \U0001F600 \u12"`, `x = "\\d \\[ \\. \\/ \\w \n \t \" \\ \u00e9 \U0001F600 \\u12"`},
		{"heredoc: sprintf rewritten, backslashes left",
			"x = <<EOT\n%{a} \\d\nEOT\ny = \"%{b}\"\n", "x = <<EOT\n%%{a} \\d\nEOT\ny = \"%%{b}\"\n"},
		{"indented heredoc",
			"a {\n  x = <<-EOT\n    %{a}\n    EOT\n}\n", "a {\n  x = <<-EOT\n    %%{a}\n    EOT\n}\n"},
		{"else on the closing brace's line",
			"if \"a\" {\n} else if \"b\" {\n} else {\n}\n", "if \"a\" {\n} \nelse if \"b\" {\n} \nelse {\n}\n"},
		{"one-line blocks",
			`a { b { x = 1 y = "s" } c {} }`, "a { \nb { \nx = 1 \ny = \"s\" \n} \nc {} \n}"},
		{"single attribute block on one line",
			`a { x = 1 }`, "a { \nx = 1 \n}"},
		{"empty block",
			"a {}\nb { }\n", ""},
		{"block after an attribute on one line",
			`a { x = 1 codec "line" { f = 2 } }`, "a { \nx = 1 \ncodec \"line\" { \nf = 2 \n} \n}"},
		{"object items without commas",
			`x = { "a" = "1" "b" = "2" c = 3 }`, "x = { \"a\" = \"1\" \n\"b\" = \"2\" \nc = 3 }"},
		{"object items with commas or newlines",
			"x = { a = 1, b = 2 }\ny = {\n  a = 1\n  b = 2\n}\n", ""},
		{"expressions are not split",
			`x = a ? b : c y = f(a, b) == g z = env.X`, "x = a ? b : c \ny = f(a, b) == g \nz = env.X"},
		{"ternary with strings in an object",
			`x = { a = b ? "c" : "d" }`, ""},
		{"for expressions",
			`x = [for k, v in m : "%{k}" if v] y = {for k, v in m : k => v}`, "x = [for k, v in m : \"%%{k}\" if v] \ny = {for k, v in m : k => v}"},
		{"brace on its own line",
			"if \"a\"\n{\n}\nelse\n  {\n}\n", "if \"a\" {\n}\nelse   {\n}\n"},
		{"not a heredoc",
			`x = a << b`, ""},
		{"unterminated string stops at the line end",
			"x = \"abc\ny = \"%{a}\"\n", "x = \"abc\ny = \"%%{a}\"\n"},
		{"hash rocket left for hclsyntax to report",
			`a { x => "%{a}" }`, "a { \nx => \"%%{a}\" }"},
		{"stray closing brace",
			"}\na {}\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == "" {
				want = tc.in
			}
			out, ins := preprocess([]byte(tc.in))
			if string(out) != want {
				t.Errorf("got\n%s\nwant\n%s", out, want)
			}
			checkMap(t, []byte(tc.in), out, ins)
		})
	}
}

// checkMap checks the invariant the position mapping relies on: the
// output is the input with bytes inserted at ins (and line ends turned
// into spaces), and origOffset maps every output byte to its source.
func checkMap(t *testing.T, src, out []byte, ins []int) {
	t.Helper()
	if len(out) != len(src)+len(ins) {
		t.Fatalf("len(out) %d != len(src) %d + %d insertions", len(out), len(src), len(ins))
	}
	f := &srcFile{orig: src, text: out, ins: ins}
	k := 0
	for i := range out {
		if k < len(ins) && ins[k] == i {
			k++
			continue
		}
		o := f.origOffset(i)
		if o != i-k {
			t.Fatalf("origOffset(%d) = %d, want %d", i, o, i-k)
		}
		if out[i] != src[o] && !(src[o] == '\n' && out[i] == ' ') {
			t.Fatalf("out[%d] = %q, src[%d] = %q", i, out[i], o, src[o])
		}
	}
}

// The values HCL reads from rewritten strings are what the user wrote, as
// Logstash reads them.
func TestPreprocessValues(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"%{COMBINEDAPACHELOG}"`, `%{COMBINEDAPACHELOG}`},
		{`"\d+\.\d+ \[%{HTTPDATE}\]"`, `\d+\.\d+ \[%{HTTPDATE}\]`},
		{`"%%{x}"`, `%%{x}`},
		{`"$${x}"`, `${x}`},
		{`"a\"b\\c\td\n"`, "a\"b\\c\td\n"},
		{`"\\d"`, `\d`},
		{`"\u00e9\U0001F600"`, "é😀"},
		{`"\u12"`, `\u12`},
		{`"${"%{x}"}"`, `%{x}`},
		{"<<EOT\n%{a} \\d $${b}\nEOT\n", "%{a} \\d ${b}\n"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			src := "x = " + tc.in + "\n"
			out, _ := preprocess([]byte(src))
			f, diags := hclsyntax.ParseConfig(out, "v.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatalf("%s: %v", out, diags)
			}
			v, diags := f.Body.(*hclsyntax.Body).Attributes["x"].Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if v.AsString() != tc.want {
				t.Errorf("got %q, want %q", v.AsString(), tc.want)
			}
		})
	}
}

func TestValueOffset(t *testing.T) {
	for _, tc := range []struct {
		src       string
		off, want int
	}{
		{`"abc"`, 1, 2},
		{`"\tb"`, 1, 3},
		{`"\db"`, 1, 2}, // the backslash is a value byte
		{`"\db"`, 2, 3},
		{`"\u00e9x"`, 2, 7}, // é is two bytes
		{`"$${x}y"`, 2, 4},
		{`"%{x}"`, 2, 3},
		{`word`, 2, 2},
	} {
		if got := valueOffset([]byte(tc.src), 0, tc.off); got != tc.want {
			t.Errorf("valueOffset(%s, %d) = %d, want %d", tc.src, tc.off, got, tc.want)
		}
	}
}

func TestLineCol(t *testing.T) {
	f := newSrcFile("f", []byte("ab\n\tçd\n\nx"))
	for _, tc := range []struct{ off, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2}, {6, 2, 3}, {8, 3, 1}, {9, 4, 1}, {10, 4, 2}, {99, 4, 2},
	} {
		if l, c := f.lineCol(tc.off); l != tc.line || c != tc.col {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
}

func FuzzPreprocess(f *testing.F) {
	for _, s := range []string{
		"a { b { x = \"%{y}\" } } else { }",
		"x = <<EOT\n%{a}\nEOT\n",
		"x = { \"a\" = \"${ {b = \"%{c}\"}.b }\" d = [1, {e = 2 f = 3}] }",
		"if \"a\"\n\n{ /* } */ } # {",
		"x = \"\\",
		"x = <<-",
		"}}}{{{\"\"\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ins := preprocess([]byte(s))
		checkMap(t, []byte(s), out, ins)
		// Loading must not panic either.
		Load([]Source{{Name: "fuzz.hcl", Data: []byte(s)}}, testRegistry(), Options{})
	})
}

func TestPreprocessIsLinear(t *testing.T) {
	// Deep nesting and long lines stay cheap.
	src := strings.Repeat("a { ", 2000) + strings.Repeat("} ", 2000) + strings.Repeat(`x = "%{a}\d" `, 2000)
	out, ins := preprocess([]byte(src))
	checkMap(t, []byte(src), out, ins)
}
