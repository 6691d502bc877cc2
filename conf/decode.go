package conf

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"

	"github.com/pipeproject/pipe/pipeline"
)

var (
	kvType         = reflect.TypeFor[[]pipeline.KV]()
	stringListType = reflect.TypeFor[[]string]()
)

type schemaKey struct {
	kind pipeline.Kind
	name string
}

// pluginSchema is what the loader needs to know of a plugin's options; it
// is built once per plugin and Load.
type pluginSchema struct {
	attrs    map[string]bool // the plugin's own attributes
	blocks   map[string]bool // the plugin's own block types
	required []string        // required attributes, in declaration order
	// kvFields are the attributes decoded into []pipeline.KV fields (by
	// field index): objects whose order is kept, which gohcl cannot do.
	kvFields map[string]int
	// kvMulti marks the kvFields tagged `pipe:"multi"`: a value may be a
	// string or a list of strings, one KV per element (keys repeat).
	kvMulti map[string]bool
	// lists are the attributes decoded into []string fields: a single
	// string is taken as a list of one, as Logstash does.
	lists  map[string]bool
	common []string // the kind's common options not shadowed by the plugin's
	// merged is the plugin's options then the common ones, all optional:
	// checking a body against it finds every misspelt name, with
	// suggestions across both.
	merged *hcl.BodySchema
}

func (l *loader) schema(p pipeline.Plugin) *pluginSchema {
	key := schemaKey{p.Kind, p.Name}
	if s, ok := l.schemas[key]; ok {
		return s
	}
	s := &pluginSchema{attrs: map[string]bool{}, blocks: map[string]bool{}, merged: &hcl.BodySchema{}}
	if cfg := newConfig(p); cfg != nil {
		if t := reflect.TypeOf(cfg); t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
			for i := range t.Elem().NumField() {
				f := t.Elem().Field(i)
				if name, _, _ := strings.Cut(f.Tag.Get("hcl"), ","); name != "" && f.Type == stringListType {
					if s.lists == nil {
						s.lists = map[string]bool{}
					}
					s.lists[name] = true
				}
				if name, _, _ := strings.Cut(f.Tag.Get("hcl"), ","); name != "" && f.Type == kvType {
					if s.kvFields == nil {
						s.kvFields = map[string]int{}
					}
					s.kvFields[name] = i
					if f.Tag.Get("pipe") == "multi" {
						if s.kvMulti == nil {
							s.kvMulti = map[string]bool{}
						}
						s.kvMulti[name] = true
					}
				}
			}
		}
		own, _ := gohcl.ImpliedBodySchema(cfg)
		for _, a := range own.Attributes {
			s.attrs[a.Name] = true
			if a.Required {
				s.required = append(s.required, a.Name)
			}
			s.merged.Attributes = append(s.merged.Attributes, hcl.AttributeSchema{Name: a.Name})
		}
		for _, b := range own.Blocks {
			s.blocks[b.Type] = true
		}
		s.merged.Blocks = own.Blocks
	}
	if int(p.Kind) < len(commonOptions) {
		for _, name := range commonOptions[p.Kind] {
			if !s.attrs[name] {
				s.common = append(s.common, name)
				s.merged.Attributes = append(s.merged.Attributes, hcl.AttributeSchema{Name: name})
			}
		}
	}
	l.schemas[key] = s
	return s
}

// decodeConfig checks a plugin body against the plugin's and the common
// options, decodes the plugin's own options into a fresh config (which
// holds the defaults, kept for absent options) and validates it. content
// holds the common options found. header locates errors about the block as
// a whole.
func (l *loader) decodeConfig(body *hclsyntax.Body, p pipeline.Plugin, what string, header hcl.Range) (cfg any, content *hcl.BodyContent) {
	s := l.schema(p)
	content, diags := body.Content(s.merged)
	for _, d := range diags {
		if (d.Summary == "Unsupported argument" || d.Summary == "Unsupported block type") && !strings.Contains(d.Detail, "Did you mean") {
			d.Detail += " " + optionList(what, s)
		}
	}
	l.addHCL(diags)

	cfg = newConfig(p)
	if cfg == nil {
		return nil, content
	}
	own := &hclsyntax.Body{Attributes: make(hclsyntax.Attributes, len(body.Attributes)), SrcRange: body.SrcRange, EndRange: body.EndRange}
	bad := false
	for name, a := range body.Attributes {
		if i, ok := s.kvFields[name]; ok {
			var kvs []pipeline.KV
			if s.kvMulti[name] {
				kvs, ok = l.kvsMulti(name, a.Expr)
			} else {
				kvs, ok = l.kvs(name, a.Expr, false, false)
			}
			bad = bad || !ok
			reflect.ValueOf(cfg).Elem().Field(i).Set(reflect.ValueOf(kvs))
		} else if s.attrs[name] {
			own.Attributes[name] = l.oneAsList(a, s.lists[name])
		}
	}
	for _, b := range body.Blocks {
		if s.blocks[b.Type] {
			own.Blocks = append(own.Blocks, b)
		}
	}
	for _, name := range s.required {
		if _, ok := body.Attributes[name]; !ok {
			l.errorf(header, fmt.Sprintf("Missing required option %q", name),
				fmt.Sprintf("The %s needs %s: add %s = ... to the block.", what, name, name))
			bad = true
		}
	}
	diags = gohcl.DecodeBody(own, l.ctx, cfg)
	diags = slices.DeleteFunc(diags, func(d *hcl.Diagnostic) bool { return d.Summary == "Missing required argument" })
	diags = dropFollowUps(diags)
	for _, d := range diags {
		if d.Subject == nil {
			continue
		}
		for name, a := range own.Attributes {
			if a.Expr.Range().Overlaps(*d.Subject) {
				l.retype(d, name, a.Expr)
			}
		}
	}
	l.addHCL(diags)
	if bad || diags.HasErrors() {
		return cfg, content
	}
	if v, ok := cfg.(pipeline.Validator); ok {
		l.validate(v.Validate(), body, header, what)
	}
	return cfg, content
}

// oneAsList returns a with a single string value wrapped in a one-element
// list when the option is a list of strings (Logstash's `tags => "x"`).
func (l *loader) oneAsList(a *hclsyntax.Attribute, list bool) *hclsyntax.Attribute {
	if !list {
		return a
	}
	v, diags := a.Expr.Value(l.ctx)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return a
	}
	wrapped := *a
	wrapped.Expr = &hclsyntax.TupleConsExpr{Exprs: []hclsyntax.Expression{a.Expr}, SrcRange: a.Expr.Range(), OpenRange: a.Expr.Range()}
	return &wrapped
}

// optionList names the options a block takes, for an unknown option.
func optionList(what string, s *pluginSchema) string {
	own := make([]string, 0, len(s.attrs))
	for name := range s.attrs {
		own = append(own, name)
	}
	slices.Sort(own)
	var b strings.Builder
	if len(own) == 0 {
		fmt.Fprintf(&b, "The %s has no options of its own", what)
	} else {
		fmt.Fprintf(&b, "The %s takes %s", what, strings.Join(own, ", "))
	}
	if len(s.common) > 0 {
		fmt.Fprintf(&b, "; the common options are %s", strings.Join(s.common, ", "))
	}
	b.WriteString(".")
	return b.String()
}

// dropFollowUps removes the "value must be known" errors gohcl adds after
// an expression that already failed (an unknown env variable, say).
func dropFollowUps(diags hcl.Diagnostics) hcl.Diagnostics {
	if !diags.HasErrors() {
		return diags
	}
	return slices.DeleteFunc(diags, func(d *hcl.Diagnostic) bool {
		return d.Summary == "Unsuitable value type" && strings.Contains(d.Detail, "must be known")
	})
}

// validate turns a Validate error into diagnostics at the options they
// name, or at the block's header.
func (l *loader) validate(err error, body *hclsyntax.Body, header hcl.Range, what string) {
	for _, ce := range pipeline.ConfigErrors(err) {
		rng := header
		summary := what + ": " + ce.Summary
		if ce.Attr != "" {
			summary = fmt.Sprintf("%s option %s: %s", what, ce.Attr, ce.Summary)
			if body != nil {
				if a, ok := body.Attributes[ce.Attr]; ok {
					rng = a.Expr.Range()
				}
			}
		}
		l.errorf(rng, summary, ce.Detail)
	}
}

// decode evaluates the expression of option name into target (gohcl's
// conversions).
func (l *loader) decode(name string, expr hcl.Expression, target any) bool {
	diags := dropFollowUps(gohcl.DecodeExpression(expr, l.ctx, target))
	for _, d := range diags {
		l.retype(d, name, expr)
	}
	l.addHCL(diags)
	return !diags.HasErrors()
}

// retype rewords gohcl's "Unsuitable value type: Unsuitable value: a
// number is required" to name the option and the type given, over the
// whole value.
func (l *loader) retype(d *hcl.Diagnostic, name string, expr hcl.Expression) {
	if d.Summary != "Unsuitable value type" {
		return
	}
	d.Summary = fmt.Sprintf("Invalid value for %q", name)
	d.Detail = strings.TrimPrefix(d.Detail, "Unsuitable value: ")
	if v, diags := expr.Value(l.ctx); strings.Contains(d.Detail, "required") && !strings.Contains(d.Detail, "have ") &&
		!diags.HasErrors() && v.IsKnown() && !v.IsNull() {
		d.Detail += ", not " + typeName(v.Type())
	}
	d.Detail += "."
	d.Subject = expr.Range().Ptr()
}

// common decodes the common options (names) found in a plugin block.
func (l *loader) common(c *pipeline.Common, content *hcl.BodyContent, names []string, id *idUse) {
	if content == nil {
		return
	}
	for _, name := range names {
		a := content.Attributes[name]
		if a == nil {
			continue
		}
		switch name {
		case "id":
			var s string
			if !l.decode(name, a.Expr, &s) {
				continue
			}
			if s == "" {
				l.errorf(a.Expr.Range(), "Empty id", "Give the plugin a name, or leave id out for the default "+id.id+".")
				continue
			}
			id.id, id.explicit, id.rng = s, true, a.Expr.Range()
		case "enable_metric":
			l.decode(name, a.Expr, &c.EnableMetric)
		case "periodic_flush":
			l.decode(name, a.Expr, &c.PeriodicFlush)
		case "type":
			l.decode(name, a.Expr, &c.Type)
		case "tags":
			c.Tags = l.stringList(name, a.Expr, false, false)
		case "add_tag":
			c.AddTag = l.stringList(name, a.Expr, true, false)
		case "remove_tag":
			c.RemoveTag = l.stringList(name, a.Expr, true, false)
		case "remove_field":
			c.RemoveField = l.stringList(name, a.Expr, true, true)
		case "add_field":
			c.AddField, _ = l.kvs(name, a.Expr, true, true)
		}
	}
}

// stringList decodes a list of strings (a single string is a list of one,
// as in Logstash). With sprintf each entry is checked as a sprintf format,
// with fieldRef a constant entry must be a field reference.
func (l *loader) stringList(name string, expr hcl.Expression, sprintf, fieldRef bool) []string {
	v, diags := expr.Value(l.ctx)
	if diags.HasErrors() {
		l.addHCL(diags)
		return nil
	}
	var vals []string
	exprs := []hcl.Expression{expr}
	if v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
		vals = []string{v.AsString()}
	} else {
		if !l.decode(name, expr, &vals) {
			return nil
		}
		if tc, ok := expr.(*hclsyntax.TupleConsExpr); ok && len(tc.Exprs) == len(vals) {
			exprs = make([]hcl.Expression, len(tc.Exprs))
			for i, e := range tc.Exprs {
				exprs[i] = e
			}
		}
	}
	if sprintf {
		for i, s := range vals {
			e := exprs[min(i, len(exprs)-1)]
			l.checkTemplate(s, e, fieldRef)
		}
	}
	return vals
}

// kvs decodes an object of strings such as add_field, keeping the order in
// which the keys are written (a key given twice keeps its first place and
// its last value, as a Ruby hash). With sprintf, keys and values are
// checked as sprintf formats; with fieldKeys a constant key must also be a
// field reference.
func (l *loader) kvs(name string, expr hcl.Expression, sprintf, fieldKeys bool) ([]pipeline.KV, bool) {
	var m map[string]string
	if !l.decode(name, expr, &m) {
		return nil, false
	}
	oc, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		kvs := make([]pipeline.KV, 0, len(keys))
		for _, k := range keys {
			if sprintf {
				l.checkTemplate(k, expr, fieldKeys)
				l.checkTemplate(m[k], expr, false)
			}
			kvs = append(kvs, pipeline.KV{Key: k, Value: m[k]})
		}
		return kvs, true
	}
	kvs := make([]pipeline.KV, 0, len(oc.Items))
	at := make(map[string]int, len(oc.Items))
	for _, it := range oc.Items {
		k, okK := l.stringValue(it.KeyExpr)
		v, okV := l.stringValue(it.ValueExpr)
		if !okK || !okV {
			continue
		}
		if sprintf {
			l.checkTemplate(k, it.KeyExpr, fieldKeys)
			l.checkTemplate(v, it.ValueExpr, false)
		}
		if i, dup := at[k]; dup {
			kvs[i].Value = v
			continue
		}
		at[k] = len(kvs)
		kvs = append(kvs, pipeline.KV{Key: k, Value: v})
	}
	return kvs, true
}

// kvsMulti decodes an object whose values are strings or lists of strings
// (grok's match) into KVs in the order written: a list gives one KV per
// element under the same key, and a key written twice keeps both entries.
func (l *loader) kvsMulti(name string, expr hcl.Expression) ([]pipeline.KV, bool) {
	v, diags := expr.Value(l.ctx)
	diags = dropFollowUps(diags)
	l.addHCL(diags)
	if diags.HasErrors() {
		return nil, false
	}
	if !v.IsKnown() || v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		l.errorf(expr.Range(), fmt.Sprintf("Invalid value for %q", name),
			"an object is required (field = pattern or field = [patterns]), not "+typeName(v.Type())+".")
		return nil, false
	}
	type item struct {
		key  string
		expr hcl.Expression
		val  cty.Value
	}
	var items []item
	if oc, ok := expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, it := range oc.Items {
			k, ok := l.stringValue(it.KeyExpr)
			if !ok {
				return nil, false
			}
			iv, _ := it.ValueExpr.Value(l.ctx)
			items = append(items, item{k, it.ValueExpr, iv})
		}
	} else {
		for k, iv := range v.AsValueMap() {
			items = append(items, item{k, expr, iv})
		}
		slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.key, b.key) })
	}
	var kvs []pipeline.KV
	ok := true
	for _, it := range items {
		var vals []string
		if sv, err := convert.Convert(it.val, cty.String); err == nil && sv.IsKnown() && !sv.IsNull() {
			vals = []string{sv.AsString()}
		} else if lv, err := convert.Convert(it.val, cty.List(cty.String)); err != nil || !lv.IsWhollyKnown() || gocty.FromCtyValue(lv, &vals) != nil {
			l.errorf(it.expr.Range(), fmt.Sprintf("Invalid value for %q", name),
				fmt.Sprintf("the value of %q must be a string or a list of strings, not %s.", it.key, typeName(it.val.Type())))
			ok = false
			continue
		}
		for _, s := range vals {
			kvs = append(kvs, pipeline.KV{Key: it.key, Value: s})
		}
	}
	return kvs, ok
}

// stringValue evaluates an expression already decoded without error as a
// string.
func (l *loader) stringValue(expr hcl.Expression) (string, bool) {
	v, diags := expr.Value(l.ctx)
	if diags.HasErrors() {
		return "", false
	}
	v, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", false
	}
	var s string
	if gocty.FromCtyValue(v, &s) != nil {
		return "", false
	}
	return s, true
}

// checkTemplate checks a sprintf format written by expr; with fieldRef, a
// format without references must also be a field reference.
func (l *loader) checkTemplate(s string, expr hcl.Expression, fieldRef bool) {
	rng, literal := literalRange(expr)
	t, err := pipeline.ParseTemplate(s)
	if err != nil {
		var te *pipeline.TemplateError
		if errors.As(err, &te) {
			l.errorInString(rng, literal, te.Offset, "Invalid sprintf format", te.Message)
		} else {
			l.errorf(expr.Range(), "Invalid sprintf format", err.Error())
		}
		return
	}
	if fieldRef && t.IsConstant() {
		if _, err := pipeline.ParseFieldRef(s); err != nil {
			l.errorf(expr.Range(), "Invalid field reference",
				err.Error()+`: write a top-level name ("message") or brackets ("[a][b]").`)
		}
	}
}

// typeName names a value's type for a user.
func typeName(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "a string"
	case ty == cty.Number:
		return "a number"
	case ty == cty.Bool:
		return "a bool"
	case ty.IsTupleType() || ty.IsListType() || ty.IsSetType():
		return "a list"
	case ty.IsObjectType() || ty.IsMapType():
		return "an object"
	}
	return ty.FriendlyName()
}

// literalRange returns the range of the string literal (quoted, or a bare
// word as an object key) that expr is, and whether it is one: a literal's
// value offsets map to the text, a template with interpolations' do not.
func literalRange(expr hcl.Expression) (hcl.Range, bool) {
	switch x := expr.(type) {
	case *hclsyntax.ObjectConsKeyExpr:
		return literalRange(x.Wrapped)
	case *hclsyntax.TemplateExpr:
		for _, p := range x.Parts {
			if _, ok := p.(*hclsyntax.LiteralValueExpr); !ok {
				return x.SrcRange, false
			}
		}
		return x.SrcRange, true
	case *hclsyntax.LiteralValueExpr:
		return x.SrcRange, true
	case *hclsyntax.ScopeTraversalExpr:
		return x.SrcRange, len(x.Traversal) == 1
	}
	return expr.Range(), false
}
