package conf

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/pipeproject/pipe/pipeline"
)

// IsLogstash reports whether a source is written in Logstash's config
// language rather than HCL: by its extension (.conf is Logstash, .hcl is
// HCL), and otherwise (no extension, -e's config.string) by its text: a
// "=>" outside strings and comments, or an if whose condition is not
// quoted, is Logstash.
func IsLogstash(s Source) bool {
	switch strings.ToLower(filepath.Ext(s.Name)) {
	case ".conf":
		return true
	case ".hcl":
		return false
	}
	return sniffLogstash(s.Data)
}

// sniffLogstash looks for Logstash syntax in a text of unknown language.
func sniffLogstash(src []byte) bool {
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '#' || c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			for i++; i < len(src) && src[i] != c && src[i] != '\n'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case c == '=' && i+1 < len(src) && src[i+1] == '>':
			return true
		case c == 'i' && i+2 < len(src) && src[i+1] == 'f' && (i == 0 || !isNameByte(src[i-1])):
			j := i + 2
			if j < len(src) && (src[j] == '[' || src[j] == '(' || src[j] == '!') {
				return true
			}
			if j < len(src) && (src[j] == ' ' || src[j] == '\t') {
				j = skipHSpace(src, j)
				if j < len(src) && src[j] != '"' && src[j] != '\n' {
					return true
				}
			}
		}
	}
	return false
}

// lsSource is a .conf source being loaded.
type lsSource struct {
	file *srcFile
	// raw holds the offsets where an unquoted text starts (a condition),
	// whose value offsets are text offsets.
	raw map[int]bool
}

// valueOffset maps byte off of the value of a string, bare word or
// condition written from start to the user's text: a Logstash string's value
// is its text between the quotes, unchanged.
func (s *lsSource) valueOffset(start, off int) int {
	src := s.file.orig
	if !s.raw[start] && start < len(src) && (src[start] == '"' || src[start] == '\'') {
		start++
	}
	return min(start+off, len(src))
}

// lsShape is what a plugin option takes, for Logstash's loose typing.
type lsShape int

const (
	shapeAny lsShape = iota
	shapeString
	shapeNumber
	shapeBool
	shapeList
	shapeStrings // a list of strings
	shapeHash    // []pipeline.KV or a map: a hash, or an array of pairs
	shapeHashMul // []pipeline.KV tagged pipe:"multi": values may be lists
)

// lsShapes returns the shapes of a plugin's options: its own, and the
// common options of its kind.
func lsShapes(p pipeline.Plugin) map[string]lsShape {
	m := map[string]lsShape{}
	if int(p.Kind) < len(commonOptions) {
		for _, name := range commonOptions[p.Kind] {
			switch name {
			case "id", "type":
				m[name] = shapeString
			case "enable_metric", "periodic_flush":
				m[name] = shapeBool
			case "add_field":
				m[name] = shapeHash
			default:
				m[name] = shapeStrings
			}
		}
	}
	cfg := newConfig(p)
	if cfg == nil {
		return m
	}
	t := reflect.TypeOf(cfg)
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return m
	}
	t = t.Elem()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("hcl"), ",")
		if name == "" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft == kvType && f.Tag.Get("pipe") == "multi":
			m[name] = shapeHashMul
		case ft == kvType || ft.Kind() == reflect.Map:
			m[name] = shapeHash
		case (ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array) && ft.Elem().Kind() == reflect.String:
			m[name] = shapeStrings
		case ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array:
			m[name] = shapeList
		case ft.Kind() == reflect.String:
			m[name] = shapeString
		case ft.Kind() == reflect.Bool:
			m[name] = shapeBool
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Float64:
			m[name] = shapeNumber
		default:
			m[name] = shapeAny
		}
	}
	return m
}

// lsNormalizer applies Logstash's rules for repeated options and loose
// types to a parsed file, with the plugin schemas of a registry. The
// loader and the converter both work on its result.
type lsNormalizer struct {
	reg    *pipeline.Registry
	shapes map[schemaKey]map[string]lsShape
	errs   []*lsSyntaxError
}

func (n *lsNormalizer) shapesOf(kind pipeline.Kind, name string) (map[string]lsShape, bool) {
	key := schemaKey{kind, name}
	if s, ok := n.shapes[key]; ok {
		return s, true
	}
	p, ok := n.reg.Lookup(kind, name)
	if !ok {
		return nil, false
	}
	if n.shapes == nil {
		n.shapes = map[schemaKey]map[string]lsShape{}
	}
	s := lsShapes(p)
	n.shapes[key] = s
	return s, true
}

func (n *lsNormalizer) file(f *lsFile) {
	for _, s := range f.sections {
		n.nodes(sectionKind(s.kind), s.body)
	}
}

func sectionKind(name string) pipeline.Kind {
	switch name {
	case "input":
		return pipeline.KindInput
	case "filter":
		return pipeline.KindFilter
	}
	return pipeline.KindOutput
}

func (n *lsNormalizer) nodes(kind pipeline.Kind, items []lsNode) {
	for _, it := range items {
		switch x := it.(type) {
		case *lsPlugin:
			n.plugin(kind, x)
		case *lsIf:
			for _, b := range x.branches {
				n.nodes(kind, b.body)
			}
			if x.els != nil {
				n.nodes(kind, x.els.body)
			}
		}
	}
}

// plugin merges repeated options (Logstash: hashes merge, arrays
// concatenate, two different scalars become an array) and fits each value
// to its option's shape.
func (n *lsNormalizer) plugin(kind pipeline.Kind, pl *lsPlugin) {
	var attrs []*lsAttr
	at := map[string]*lsAttr{}
	for _, a := range pl.attrs {
		if prev, ok := at[a.name]; ok {
			prev.value = mergeValues(prev.value, a.value)
			prev.trail = append(prev.trail, a.lead...)
			prev.trail = append(prev.trail, a.trail...)
			continue
		}
		at[a.name] = a
		attrs = append(attrs, a)
	}
	pl.attrs = attrs
	for _, a := range pl.attrs {
		n.duplicateKeys(a.value)
	}
	shapes, _ := n.shapesOf(kind, pl.name)
	for _, a := range pl.attrs {
		if a.name == "codec" && (kind == pipeline.KindInput || kind == pipeline.KindOutput) {
			if a.value.kind == lsPluginValue {
				n.plugin(pipeline.KindCodec, a.value.plugin)
			}
			continue
		}
		a.value = n.fit(a.name, shapes[a.name], a.value)
	}
	// An option whose value could not be fitted was reported: leave it
	// out rather than report it again.
	pl.attrs = slices.DeleteFunc(pl.attrs, func(a *lsAttr) bool { return a.value == nil })
}

// duplicateKeys reports a hash literal that names a key twice, an error in
// Logstash too.
func (n *lsNormalizer) duplicateKeys(v *lsValue) {
	seen := map[string]bool{}
	for _, e := range v.entries {
		if seen[e.key.text] {
			n.errs = append(n.errs, &lsSyntaxError{start: e.key.start, end: e.key.end, summary: fmt.Sprintf("Duplicate key %q", e.key.text),
				detail: "A hash names each key once; to give a key several values, use an array: \"key\" => [\"a\", \"b\"]."})
		}
		seen[e.key.text] = true
		n.duplicateKeys(e.value)
	}
	for _, it := range v.items {
		n.duplicateKeys(it)
	}
}

func isScalar(v *lsValue) bool { return v.kind == lsString || v.kind == lsBare || v.kind == lsNumber }

func sameScalar(a, b *lsValue) bool {
	return isScalar(a) && isScalar(b) && a.text == b.text && (a.kind == lsNumber) == (b.kind == lsNumber)
}

// mergeValues is Logstash's rule for an option given twice.
func mergeValues(a, b *lsValue) *lsValue {
	switch {
	case a.kind == lsHash && b.kind == lsHash:
		out := *a
		out.entries = slices.Clone(a.entries)
		for _, e := range b.entries {
			i := slices.IndexFunc(out.entries, func(x *lsEntry) bool { return x.key.text == e.key.text })
			if i < 0 {
				out.entries = append(out.entries, e)
				continue
			}
			ne := *out.entries[i]
			ne.value = unionValues(ne.value, e.value)
			out.entries[i] = &ne
		}
		return &out
	case a.kind == lsArray:
		out := *a
		if b.kind == lsArray {
			out.items = append(slices.Clone(a.items), b.items...)
		} else {
			out.items = append(slices.Clone(a.items), b)
		}
		return &out
	case sameScalar(a, b):
		return a
	}
	return &lsValue{kind: lsArray, start: a.start, end: a.end, items: []*lsValue{a, b}}
}

// unionValues merges two values of one hash key (Logstash's hash_merge):
// hashes recursively, else a list without repeats.
func unionValues(a, b *lsValue) *lsValue {
	if a.kind == lsHash && b.kind == lsHash {
		return mergeValues(a, b)
	}
	items := func(v *lsValue) []*lsValue {
		if v.kind == lsArray {
			return v.items
		}
		return []*lsValue{v}
	}
	out := &lsValue{kind: lsArray, start: a.start, end: a.end}
	for _, v := range append(slices.Clone(items(a)), items(b)...) {
		if !slices.ContainsFunc(out.items, func(x *lsValue) bool { return sameScalar(x, v) }) {
			out.items = append(out.items, v)
		}
	}
	if len(out.items) == 1 {
		return out.items[0]
	}
	return out
}

// fit adapts a value to its option's shape as Logstash's validation does:
// a scalar for a list is a list of one; an array for a hash is key, value
// pairs (a key repeated gathers its values in a list); a number for a
// string is its text.
func (n *lsNormalizer) fit(name string, shape lsShape, v *lsValue) *lsValue {
	switch shape {
	case shapeList, shapeStrings:
		if isScalar(v) {
			v = &lsValue{kind: lsArray, start: v.start, end: v.end, items: []*lsValue{v}, lsComments: v.lsComments}
		}
		if shape == shapeStrings && v.kind == lsArray {
			// A number in a list of strings is its text, as written.
			out := *v
			out.items = slices.Clone(v.items)
			for i, it := range out.items {
				out.items[i] = n.fit(name, shapeString, it)
			}
			return &out
		}
	case shapeString:
		if v.kind == lsNumber {
			out := *v
			out.kind = lsString
			return &out
		}
	case shapeHash, shapeHashMul:
		if v.kind != lsArray {
			return v
		}
		if len(v.items)%2 == 1 {
			n.errs = append(n.errs, &lsSyntaxError{start: v.start, end: v.end, summary: fmt.Sprintf("Invalid value for %q", name),
				detail: fmt.Sprintf("%s takes a hash { \"key\" => value }; an array for it holds key, value pairs, so an even number of items, not %d.", name, len(v.items))})
			return nil
		}
		out := &lsValue{kind: lsHash, start: v.start, end: v.end, lsComments: v.lsComments, tail: v.tail}
		for i := 0; i < len(v.items); i += 2 {
			k, val := v.items[i], v.items[i+1]
			if !isScalar(k) {
				n.errs = append(n.errs, &lsSyntaxError{start: k.start, end: k.end, summary: fmt.Sprintf("Invalid value for %q", name),
					detail: fmt.Sprintf("%s takes a hash; in an array of key, value pairs each key is a string.", name)})
				return nil
			}
			if j := slices.IndexFunc(out.entries, func(e *lsEntry) bool { return e.key.text == k.text }); j >= 0 {
				e := out.entries[j]
				if e.value.kind == lsArray {
					nv := *e.value
					nv.items = append(slices.Clone(nv.items), val)
					e.value = &nv
				} else {
					e.value = &lsValue{kind: lsArray, start: e.value.start, end: e.value.end, items: []*lsValue{e.value, val}}
				}
				continue
			}
			out.entries = append(out.entries, &lsEntry{key: k, value: val, lsComments: k.lsComments})
		}
		return out
	}
	return v
}

// lsEnvRef matches Logstash's ${VAR} and ${VAR:default}.
var lsEnvRef = regexp.MustCompile(`\$\{([a-zA-Z_.][a-zA-Z0-9_.]*)(?::([^}]*))?\}`)

// lsPart is a piece of a string value: literal text, or an environment
// reference.
type lsPart struct {
	text       string // the literal, or the variable's name
	env        bool
	def        string
	hasDef     bool
	start, end int // offsets in the value
}

// lsParts splits a string value at its ${VAR} references.
func lsParts(s string) []lsPart {
	var parts []lsPart
	last := 0
	for _, m := range lsEnvRef.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > last {
			parts = append(parts, lsPart{text: s[last:m[0]], start: last, end: m[0]})
		}
		p := lsPart{text: s[m[2]:m[3]], env: true, start: m[0], end: m[1]}
		if m[4] >= 0 {
			p.def, p.hasDef = s[m[4]:m[5]], true
		}
		parts = append(parts, p)
		last = m[1]
	}
	if last < len(s) || len(parts) == 0 {
		parts = append(parts, lsPart{text: s[last:], start: last, end: len(s)})
	}
	return parts
}

// logstash parses a .conf source and lowers it to the hclsyntax body the
// loader walks; nil after a syntax error (reported).
func (l *loader) logstash(key string, s Source) *hclsyntax.Body {
	f := &srcFile{name: s.Name, orig: s.Data, text: s.Data, lines: lineStarts(s.Data)}
	l.files[key] = f
	src := &lsSource{file: f, raw: map[int]bool{}}
	if l.ls == nil {
		l.ls = map[string]*lsSource{}
	}
	l.ls[key] = src
	c := &lsLower{l: l, key: key, src: src}
	file, err := parseLogstash(s.Data, c.kindOf)
	if err != nil {
		l.errorf(c.rng(err.start, err.end), err.summary, err.detail)
		return nil
	}
	norm := &lsNormalizer{reg: l.reg}
	norm.file(file)
	for _, e := range norm.errs {
		l.errorf(c.rng(e.start, e.end), e.summary, e.detail)
	}
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: c.rng(0, len(s.Data)), EndRange: c.rng(len(s.Data), len(s.Data))}
	for _, sec := range file.sections {
		kind := sectionKind(sec.kind)
		body.Blocks = append(body.Blocks, &hclsyntax.Block{
			Type: sec.kind, TypeRange: c.rng(sec.start, sec.end),
			OpenBraceRange: c.rng(sec.open, sec.open+1),
			Body:           c.body(kind, sec.body, sec.open),
		})
	}
	return body
}

// lsLower lowers one parsed .conf source into hclsyntax nodes whose ranges
// point into its text.
type lsLower struct {
	l   *loader
	key string
	src *lsSource
}

func (c *lsLower) kindOf(name string) string {
	if k, ok := c.l.kindOf(name, -1); ok {
		return k.String()
	}
	return ""
}

func (c *lsLower) pos(o int) hcl.Pos {
	line, col := c.src.file.lineCol(o)
	return hcl.Pos{Line: line, Column: col, Byte: o}
}

func (c *lsLower) rng(start, end int) hcl.Range {
	n := len(c.src.file.orig)
	start, end = min(max(start, 0), n), min(max(end, start), n)
	return hcl.Range{Filename: c.key, Start: c.pos(start), End: c.pos(end)}
}

// body lowers the items of a section or branch.
func (c *lsLower) body(kind pipeline.Kind, items []lsNode, open int) *hclsyntax.Body {
	b := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: c.rng(open, open+1)}
	for _, it := range items {
		switch x := it.(type) {
		case *lsPlugin:
			if blk := c.plugin(kind, x); blk != nil {
				b.Blocks = append(b.Blocks, blk)
			}
		case *lsIf:
			for i, br := range x.branches {
				c.src.raw[br.condStart] = true
				cond := c.rng(br.condStart, br.condEnd)
				blk := &hclsyntax.Block{Type: "if", Labels: []string{br.cond}, LabelRanges: []hcl.Range{cond},
					TypeRange: c.rng(br.start, br.end), OpenBraceRange: c.rng(br.open, br.open+1),
					CloseBraceRange: c.rng(br.close, br.close+1), Body: c.body(kind, br.body, br.open)}
				if i > 0 {
					blk.Type = "else"
					blk.Labels = []string{"if", br.cond}
					blk.LabelRanges = []hcl.Range{c.rng(br.end-2, br.end), cond}
				}
				b.Blocks = append(b.Blocks, blk)
			}
			if e := x.els; e != nil {
				b.Blocks = append(b.Blocks, &hclsyntax.Block{Type: "else", TypeRange: c.rng(e.start, e.end),
					OpenBraceRange: c.rng(e.open, e.open+1), CloseBraceRange: c.rng(e.close, e.close+1),
					Body: c.body(kind, e.body, e.open)})
			}
		}
	}
	return b
}

// plugin lowers a plugin block. An option that the plugin does not have
// and that is not a near miss of one (which the loader reports with "Did
// you mean") is reported here as not supported, and left out.
func (c *lsLower) plugin(kind pipeline.Kind, pl *lsPlugin) *hclsyntax.Block {
	blk := &hclsyntax.Block{Type: pl.name, TypeRange: c.rng(pl.start, pl.end),
		OpenBraceRange: c.rng(pl.open, pl.open+1), CloseBraceRange: c.rng(pl.close, pl.close+1)}
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, SrcRange: c.rng(pl.open, pl.close+1), EndRange: c.rng(pl.close, pl.close+1)}
	blk.Body = body
	p, known := c.l.reg.Lookup(kind, pl.name)
	var names []string
	var s *pluginSchema
	if known {
		s = c.l.schema(p)
		for n := range s.attrs {
			names = append(names, n)
		}
		names = append(names, s.common...)
		if kind == pipeline.KindInput || kind == pipeline.KindOutput {
			names = append(names, "codec")
		}
	}
	for _, a := range pl.attrs {
		if known && !slices.Contains(names, a.name) && suggest(a.name, names) == "" {
			what := pl.name + " " + kind.String()
			c.l.errorf(c.rng(a.start, a.end), fmt.Sprintf("Option %q not supported by pipe", a.name),
				fmt.Sprintf("pipe's %s has no option %q; if it is one of Logstash's, pipe does not support it yet: remove it. %s", what, a.name, optionList(what, s)))
			continue
		}
		if a.name == "codec" && a.value.kind == lsPluginValue && (kind == pipeline.KindInput || kind == pipeline.KindOutput) {
			cp := a.value.plugin
			cb := c.plugin(pipeline.KindCodec, cp)
			cb.Type = "codec"
			cb.TypeRange = c.rng(a.start, a.end)
			cb.Labels = []string{cp.name}
			cb.LabelRanges = []hcl.Range{c.rng(cp.start, cp.end)}
			body.Blocks = append(body.Blocks, cb)
			continue
		}
		body.Attributes[a.name] = &hclsyntax.Attribute{Name: a.name, Expr: c.expr(a.value),
			SrcRange: c.rng(a.start, a.value.end), NameRange: c.rng(a.start, a.end)}
	}
	return blk
}

// expr lowers a value.
func (c *lsLower) expr(v *lsValue) hclsyntax.Expression {
	rng := c.rng(v.start, v.end)
	switch v.kind {
	case lsNumber:
		n, err := cty.ParseNumberVal(strings.TrimSuffix(v.text, "."))
		if err != nil {
			return &hclsyntax.LiteralValueExpr{Val: cty.StringVal(v.text), SrcRange: rng}
		}
		return &hclsyntax.LiteralValueExpr{Val: n, SrcRange: rng}
	case lsBare:
		return &hclsyntax.TemplateExpr{Parts: []hclsyntax.Expression{&hclsyntax.LiteralValueExpr{Val: cty.StringVal(v.text), SrcRange: rng}}, SrcRange: rng}
	case lsString:
		return c.str(v, rng)
	case lsArray:
		t := &hclsyntax.TupleConsExpr{SrcRange: rng, OpenRange: c.rng(v.start, v.start+1)}
		for _, it := range v.items {
			t.Exprs = append(t.Exprs, c.expr(it))
		}
		return t
	case lsHash:
		o := &hclsyntax.ObjectConsExpr{SrcRange: rng, OpenRange: c.rng(v.start, v.start+1)}
		for _, e := range v.entries {
			kr := c.rng(e.key.start, e.key.end)
			key := &hclsyntax.TemplateExpr{Parts: []hclsyntax.Expression{&hclsyntax.LiteralValueExpr{Val: cty.StringVal(e.key.text), SrcRange: kr}}, SrcRange: kr}
			o.Items = append(o.Items, hclsyntax.ObjectConsItem{KeyExpr: &hclsyntax.ObjectConsKeyExpr{Wrapped: key}, ValueExpr: c.expr(e.value)})
		}
		return o
	case lsPluginValue:
		c.l.errorf(rng, "Unexpected plugin block",
			fmt.Sprintf("Only codec takes a plugin as its value (codec => %s { ... }).", v.plugin.name))
		return &hclsyntax.LiteralValueExpr{Val: cty.NullVal(cty.DynamicPseudoType), SrcRange: rng}
	}
	return &hclsyntax.LiteralValueExpr{Val: cty.NullVal(cty.DynamicPseudoType), SrcRange: rng}
}

// str lowers a string, its ${VAR} references becoming env.VAR or
// env("VAR", "default").
func (c *lsLower) str(v *lsValue, rng hcl.Range) hclsyntax.Expression {
	parts := lsParts(v.text)
	t := &hclsyntax.TemplateExpr{SrcRange: rng}
	base := v.start + 1 // the value starts after the quote
	for _, p := range parts {
		prng := c.rng(base+p.start, base+p.end)
		if !p.env {
			t.Parts = append(t.Parts, &hclsyntax.LiteralValueExpr{Val: cty.StringVal(p.text), SrcRange: prng})
			continue
		}
		if _, set := c.l.opts.Env[p.text]; !set && !p.hasDef {
			c.l.errorf(prng, fmt.Sprintf("Environment variable %q is not set", p.text),
				fmt.Sprintf("Set it, or give a default: ${%s:default}.", p.text))
			// Unknown: the loader's checks pass over it silently.
			return &hclsyntax.LiteralValueExpr{Val: cty.UnknownVal(cty.String), SrcRange: rng}
		}
		t.Parts = append(t.Parts, envExpr(p, prng))
	}
	return t
}

// envExpr is the HCL front end's form of ${VAR} or ${VAR:default}.
func envExpr(p lsPart, rng hcl.Range) hclsyntax.Expression {
	if !p.hasDef && hclsyntax.ValidIdentifier(p.text) {
		return &hclsyntax.ScopeTraversalExpr{SrcRange: rng, Traversal: hcl.Traversal{
			hcl.TraverseRoot{Name: "env", SrcRange: rng}, hcl.TraverseAttr{Name: p.text, SrcRange: rng}}}
	}
	lit := func(s string) hclsyntax.Expression {
		return &hclsyntax.TemplateExpr{Parts: []hclsyntax.Expression{&hclsyntax.LiteralValueExpr{Val: cty.StringVal(s), SrcRange: rng}}, SrcRange: rng}
	}
	args := []hclsyntax.Expression{lit(p.text)}
	if p.hasDef {
		args = append(args, lit(p.def))
	}
	return &hclsyntax.FunctionCallExpr{Name: "env", Args: args, NameRange: rng, OpenParenRange: rng, CloseParenRange: rng}
}
