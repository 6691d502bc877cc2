package conf

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/pipeproject/pipe/pipeline"
)

// Convert returns the HCL pipeline equivalent to the sources: Logstash
// sources (IsLogstash) are translated, HCL ones copied as they are, in
// order, each under a comment naming it when there are several. The
// registry gives the option types that Logstash's loose typing needs (a
// string for a list option is a list of one, an array of pairs for a hash
// option is a hash). Comments are kept before the block, option or hash
// entry they precede and at the end of the line they end; the output is
// formatted by hclwrite. Loading the output gives the same pipeline as
// loading the sources. The diagnostics are the syntax errors of the
// sources; the output is nil when there are any.
func Convert(srcs []Source, reg *pipeline.Registry) ([]byte, Diagnostics) {
	var diags Diagnostics
	w := &hclWriter{norm: &lsNormalizer{reg: reg}}
	for i, s := range srcs {
		if len(srcs) > 1 {
			if i > 0 {
				w.b.WriteString("\n")
			}
			fmt.Fprintf(&w.b, "# %s\n\n", strings.ReplaceAll(s.Name, "\n", " "))
		}
		if !IsLogstash(s) {
			w.b.Write(s.Data)
			if len(s.Data) > 0 && s.Data[len(s.Data)-1] != '\n' {
				w.b.WriteByte('\n')
			}
			continue
		}
		lines := lineStarts(s.Data)
		diag := func(e *lsSyntaxError) Diagnostic {
			d := Diagnostic{File: s.Name, Summary: e.summary, Detail: e.detail}
			d.Line, d.Column = lineCol(s.Data, lines, e.start)
			d.EndLine, d.EndColumn = lineCol(s.Data, lines, e.end)
			return d
		}
		kindOf := func(name string) string {
			for _, k := range []pipeline.Kind{pipeline.KindInput, pipeline.KindFilter, pipeline.KindOutput, pipeline.KindCodec} {
				if _, ok := reg.Lookup(k, name); ok {
					return k.String()
				}
			}
			return ""
		}
		f, err := parseLogstash(s.Data, kindOf)
		if err != nil {
			diags = append(diags, diag(err))
			continue
		}
		w.norm.errs = nil
		w.norm.file(f)
		w.errs = nil
		w.file(f)
		for _, e := range append(w.norm.errs, w.errs...) {
			diags = append(diags, diag(e))
		}
	}
	if diags.HasErrors() {
		return nil, diags.sorted()
	}
	return formatHCL([]byte(w.b.String())), nil
}

// strMark delimits the placeholders of strings while formatHCL formats.
const (
	strMark = "\uE000"
	strEnd  = "\uE001"
	strPad  = "\uE002"
)

var placeholder = regexp.MustCompile(`"\x{E000}([0-9]+)\x{E001}\x{E002}*"`)

// elseLine matches a closing brace followed by an else on the next line.
var elseLine = regexp.MustCompile(`(?m)^([ \t]*)\}\n[ \t]*else `)

// formatHCL formats HCL text of the HCL front end with hclwrite.Format,
// leaving its quoted strings untouched (hclwrite would space out
// Logstash's %{+YYYY.MM.dd}, which it takes for a template directive) and
// keeping "} else" on one line (which hclwrite would indent as a nested
// block).
func formatHCL(src []byte) []byte {
	var masked []byte
	var strs []string
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '#' || c == '/' && i+1 < len(src) && src[i+1] == '/':
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			masked = append(masked, src[i:i+j]...)
			i += j
		case c == '"':
			j := hclQuotedEnd(src, i)
			str := src[i:j]
			if !bytes.Contains(str, []byte("%{")) && !bytes.Contains(str, []byte("${")) {
				masked = append(masked, str...)
				i = j
				continue
			}
			// A placeholder as wide as the string, so that alignment holds.
			ph := fmt.Sprintf(`"%s%d%s`, strMark, len(strs), strEnd)
			pad := utf8.RuneCount(str) - utf8.RuneCountInString(ph) - 1
			ph += strings.Repeat(strPad, max(pad, 0)) + `"`
			masked = append(masked, ph...)
			strs = append(strs, string(str))
			i = j
		case c == '}':
			masked = append(masked, c)
			i++
			j := skipHSpace(src, i)
			if bytes.HasPrefix(src[j:], []byte("else")) && !isIdentByte(byteAt(src, j+4)) {
				masked = append(masked, '\n')
				i = j
			}
		default:
			masked = append(masked, c)
			i++
		}
	}
	out := string(hclwrite.Format(masked))
	out = elseLine.ReplaceAllString(out, "$1} else ")
	out = placeholder.ReplaceAllStringFunc(out, func(ph string) string {
		n, err := strconv.Atoi(placeholder.FindStringSubmatch(ph)[1])
		if err != nil || n >= len(strs) {
			return ph
		}
		return strs[n]
	})
	return []byte(out)
}

// hclQuotedEnd returns the offset after the HCL quoted string that starts
// at i ("$${" is literal text, "${...}" may hold strings), or the offset of
// the line end that cuts it.
func hclQuotedEnd(src []byte, i int) int {
	for i++; i < len(src); {
		switch {
		case src[i] == '"':
			return i + 1
		case src[i] == '\n':
			return i
		case src[i] == '\\':
			i += 2
		case bytes.HasPrefix(src[i:], []byte("$${")):
			i += 3
		case bytes.HasPrefix(src[i:], []byte("${")):
			depth := 0
			for i += 2; i < len(src) && src[i] != '\n'; {
				if src[i] == '"' {
					i = hclQuotedEnd(src, i)
					continue
				}
				if src[i] == '{' {
					depth++
				} else if src[i] == '}' {
					if depth == 0 {
						break
					}
					depth--
				}
				i++
			}
			i++
		default:
			i++
		}
	}
	return len(src)
}

func byteAt(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

// hclWriter writes a normalized Logstash tree as HCL text.
type hclWriter struct {
	b      strings.Builder
	norm   *lsNormalizer
	indent int
	errs   []*lsSyntaxError
}

func (w *hclWriter) line(s string) {
	w.b.WriteString(strings.Repeat("  ", w.indent))
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

func (w *hclWriter) comments(cs []string) {
	for _, c := range cs {
		w.line(c)
	}
}

func trailing(cs []string) string {
	if len(cs) == 0 {
		return ""
	}
	return "  " + strings.Join(cs, " ")
}

func (w *hclWriter) file(f *lsFile) {
	for i, s := range f.sections {
		if i > 0 {
			w.b.WriteByte('\n')
		}
		w.comments(s.lead)
		w.line(s.kind + " {")
		w.indent++
		w.nodes(sectionKind(s.kind), s.body)
		w.comments(s.tail)
		w.indent--
		w.line("}" + trailing(s.trail))
	}
	if len(f.tail) > 0 {
		w.b.WriteByte('\n')
		w.comments(f.tail)
	}
}

func (w *hclWriter) ident(name string, start, end int) string {
	if hclsyntax.ValidIdentifier(name) {
		return name
	}
	w.errs = append(w.errs, &lsSyntaxError{start: start, end: end, summary: fmt.Sprintf("Name %q cannot be written in HCL", name),
		detail: "An HCL name starts with a letter or _ and holds letters, digits, _ and -; rename it in the .conf, or run the .conf as it is."})
	return "_"
}

func (w *hclWriter) nodes(kind pipeline.Kind, items []lsNode) {
	for _, it := range items {
		switch x := it.(type) {
		case *lsPlugin:
			w.plugin(kind, x, "")
		case *lsIf:
			for i, br := range x.branches {
				head := "if " + hclQuote(swapQuotes(br.cond)) + " {"
				if i > 0 {
					head = "else " + head
				}
				w.branch(kind, i > 0, br, head)
			}
			last := x.branches[len(x.branches)-1]
			if x.els != nil {
				w.branch(kind, true, x.els, "else {")
				last = x.els
			}
			w.line("}" + trailing(last.trail))
		}
	}
}

// branch writes a branch's header and body, not its closing brace: an else
// or else if goes on the closing line of the branch before it, unless
// comments come between.
func (w *hclWriter) branch(kind pipeline.Kind, chained bool, br *lsBranch, head string) {
	switch {
	case chained:
		w.line("}")
		w.comments(br.lead)
		w.line(head)
	default:
		w.comments(br.lead)
		w.line(head)
	}
	w.indent++
	w.nodes(kind, br.body)
	w.comments(br.tail)
	w.indent--
}

// plugin writes a plugin block, or with prefix "codec " a codec block.
func (w *hclWriter) plugin(kind pipeline.Kind, pl *lsPlugin, prefix string) {
	w.comments(pl.lead)
	head := prefix + hclQuote(pl.name)
	if prefix == "" {
		head = w.ident(pl.name, pl.start, pl.end)
	}
	if len(pl.attrs) == 0 && len(pl.tail) == 0 {
		w.line(head + " {}" + trailing(pl.trail))
		return
	}
	w.line(head + " {")
	w.indent++
	shapes, _ := w.norm.shapesOf(kind, pl.name)
	for _, a := range pl.attrs {
		w.comments(a.lead)
		if a.name == "codec" && a.value.kind == lsPluginValue && (kind == pipeline.KindInput || kind == pipeline.KindOutput) {
			cp := *a.value.plugin
			cp.lead = nil
			cp.trail = append(slices.Clone(a.trail), cp.trail...)
			w.plugin(pipeline.KindCodec, &cp, "codec ")
			continue
		}
		n := w.ident(a.name, a.start, a.end)
		w.b.WriteString(strings.Repeat("  ", w.indent))
		w.b.WriteString(n + " = ")
		w.value(a.value, shapes[a.name])
		w.b.WriteString(trailing(a.trail))
		w.b.WriteByte('\n')
	}
	w.comments(pl.tail)
	w.indent--
	w.line("}" + trailing(pl.trail))
}

// value writes a value for an option of the given shape.
func (w *hclWriter) value(v *lsValue, shape lsShape) {
	switch v.kind {
	case lsNumber:
		w.b.WriteString(strings.TrimSuffix(v.text, "."))
	case lsBare, lsString:
		if shape == shapeBool && (v.text == "true" || v.text == "false") {
			w.b.WriteString(v.text)
			return
		}
		if shape == shapeNumber && isNumberText(v.text) {
			w.b.WriteString(strings.TrimSuffix(v.text, "."))
			return
		}
		if v.kind == lsBare {
			w.b.WriteString(hclQuote(v.text))
			return
		}
		w.b.WriteString(hclTemplate(v.text))
	case lsArray:
		elem := shapeAny
		if shape == shapeHashMul {
			elem = shapeString
		}
		multi := len(v.tail) > 0
		for _, it := range v.items {
			if len(it.lead) > 0 || len(it.trail) > 0 || it.kind == lsHash {
				multi = true
			}
		}
		if !multi {
			w.b.WriteByte('[')
			for i, it := range v.items {
				if i > 0 {
					w.b.WriteString(", ")
				}
				w.value(it, elem)
			}
			w.b.WriteByte(']')
			return
		}
		w.b.WriteString("[\n")
		w.indent++
		for _, it := range v.items {
			w.comments(it.lead)
			w.b.WriteString(strings.Repeat("  ", w.indent))
			w.value(it, elem)
			w.b.WriteString("," + trailing(it.trail) + "\n")
		}
		w.comments(v.tail)
		w.indent--
		w.b.WriteString(strings.Repeat("  ", w.indent) + "]")
	case lsHash:
		if len(v.entries) == 0 && len(v.tail) == 0 {
			w.b.WriteString("{}")
			return
		}
		elem := shapeAny
		if shape == shapeHash {
			elem = shapeString
		} else if shape == shapeHashMul {
			elem = shapeHashMul
		}
		w.b.WriteString("{\n")
		w.indent++
		for _, e := range v.entries {
			w.comments(e.lead)
			w.b.WriteString(strings.Repeat("  ", w.indent))
			w.b.WriteString(hclQuote(e.key.text) + " = ")
			w.value(e.value, elem)
			w.b.WriteString(trailing(e.trail) + "\n")
		}
		w.comments(v.tail)
		w.indent--
		w.b.WriteString(strings.Repeat("  ", w.indent) + "}")
	case lsPluginValue:
		w.errs = append(w.errs, &lsSyntaxError{start: v.start, end: v.end, summary: "Unexpected plugin block",
			detail: fmt.Sprintf("Only codec takes a plugin as its value (codec => %s { ... }).", v.plugin.name)})
		w.b.WriteString("null")
	}
}

func isNumberText(s string) bool {
	if s == "" || strings.ContainsAny(s, "eE+xX_ ") {
		return false
	}
	_, err := cty.ParseNumberVal(strings.TrimSuffix(s, "."))
	return err == nil && s != "." && s != "-"
}

// hclTemplate writes a Logstash string value as an HCL string whose value,
// read by the HCL front end, is the same, its ${VAR} and ${VAR:default}
// references becoming env.VAR and env("VAR", "default").
func hclTemplate(s string) string {
	parts := lsParts(s)
	if len(parts) == 1 && parts[0].env {
		return envHCL(parts[0])
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, p := range parts {
		if p.env {
			b.WriteString("${" + envHCL(p) + "}")
			continue
		}
		b.WriteString(hclEscape(p.text))
	}
	b.WriteByte('"')
	return b.String()
}

func envHCL(p lsPart) string {
	if !p.hasDef && hclsyntax.ValidIdentifier(p.text) {
		return "env." + p.text
	}
	if p.hasDef {
		return fmt.Sprintf("env(%s, %s)", hclQuote(p.text), hclQuote(p.def))
	}
	return fmt.Sprintf("env(%s)", hclQuote(p.text))
}

// hclQuote writes s as an HCL quoted string that the HCL front end reads
// back as s.
func hclQuote(s string) string { return `"` + hclEscape(s) + `"` }

// hclEscape escapes s for the inside of an HCL quoted string as the HCL
// front end reads it (preprocess.go): %{ is literal there, ${ is written
// $${, and a backslash is kept as written unless it would start one of
// HCL's escapes.
func hclEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			// A lone backslash reads as itself when what follows is
			// written as it is and does not make an HCL escape.
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if i+1 < len(s) && escapeLen([]byte(s[i:])) == 0 && next >= 0x20 && next != 0x7f && next != utf8.RuneError {
				b.WriteByte('\\')
			} else {
				b.WriteString(`\\`)
			}
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '$' && i+1 < len(s) && s[i+1] == '{':
			b.WriteString("$$")
		case r < 0x20 || r == 0x7f || r == utf8.RuneError && n == 1:
			if r == utf8.RuneError {
				r = rune(s[i])
			}
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// swapQuotes rewrites the double-quoted strings of a condition that hold
// no quote or backslash as single-quoted ones, so that the condition reads
// without escapes inside an HCL string.
func swapQuotes(cond string) string {
	var b strings.Builder
	for i := 0; i < len(cond); i++ {
		c := cond[i]
		switch c {
		case '\'', '"':
			j := i + 1
			for j < len(cond) && cond[j] != c {
				if cond[j] == '\\' && j+1 < len(cond) && cond[j+1] == c {
					j++
				}
				j++
			}
			if j >= len(cond) {
				b.WriteString(cond[i:])
				return b.String()
			}
			inner := cond[i+1 : j]
			if c == '"' && !strings.ContainsAny(inner, `'\`) {
				b.WriteString("'" + inner + "'")
			} else {
				b.WriteString(cond[i : j+1])
			}
			i = j
		case '/':
			j := i + 1
			for j < len(cond) && cond[j] != '/' {
				if cond[j] == '\\' && j+1 < len(cond) {
					j++
				}
				j++
			}
			b.WriteString(cond[i:min(j+1, len(cond))])
			i = j
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
