// Package mutate is Logstash's mutate filter (logstash-filter-mutate
// 3.5.x): it renames, replaces, converts, rewrites, splits, joins, merges
// and copies fields. The operations of one block always run in Logstash's
// fixed order (coerce, rename, update, replace, convert, gsub, uppercase,
// capitalize, lowercase, strip, split, join, merge, copy), whatever the
// order in which they are written; the first one that fails tags the event
// with tag_on_failure and the others are skipped.
package mutate

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "mutate"

// TagOnFailure is the default failure tag.
const TagOnFailure = "_mutate_error"

// Config is the mutate filter's configuration. Hash options keep the order
// in which their keys are written; each runs its keys in that order.
type Config struct {
	// Coerce sets a field that exists with a null value to a default
	// (field => default, a sprintf format).
	Coerce []pipeline.KV `hcl:"coerce,optional"`
	// Rename moves fields (old => new; both sides are sprintf formats).
	Rename []pipeline.KV `hcl:"rename,optional"`
	// Update sets fields that exist (field => value, a sprintf format).
	Update []pipeline.KV `hcl:"update,optional"`
	// Replace sets fields, creating them (field => value, a sprintf format).
	Replace []pipeline.KV `hcl:"replace,optional"`
	// Convert changes value types (field => integer, integer_eu, float,
	// float_eu, string or boolean).
	Convert []pipeline.KV `hcl:"convert,optional"`
	// Gsub is a flat list of field, regex, replacement triples.
	Gsub []string `hcl:"gsub,optional"`
	// Uppercase lists fields to upper-case.
	Uppercase []string `hcl:"uppercase,optional"`
	// Capitalize lists fields to capitalize.
	Capitalize []string `hcl:"capitalize,optional"`
	// Lowercase lists fields to lower-case.
	Lowercase []string `hcl:"lowercase,optional"`
	// Strip lists fields whose leading and trailing whitespace is removed.
	Strip []string `hcl:"strip,optional"`
	// Split turns strings into lists (field => separator).
	Split []pipeline.KV `hcl:"split,optional"`
	// Join turns lists into strings (field => separator).
	Join []pipeline.KV `hcl:"join,optional"`
	// Merge appends fields to others (dest => added, or dest => [added,
	// ...]).
	Merge []pipeline.KV `hcl:"merge,optional" pipe:"multi"`
	// Copy deep-copies fields (source => destination).
	Copy []pipeline.KV `hcl:"copy,optional"`
	// TagOnFailure is the tag added when an operation fails.
	TagOnFailure string `hcl:"tag_on_failure,optional"`
}

func defaults() *Config { return &Config{TagOnFailure: TagOnFailure} }

var _ pipeline.Validator = (*Config)(nil)

// Validate checks the options: field references, sprintf formats,
// conversion types, gsub triples and their regexes.
func (c *Config) Validate() error {
	_, err := compile(c)
	return err
}

// Plugin describes the mutate filter for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewFilterPlugin(Name, "renames, replaces, converts and rewrites fields", defaults, build)
}

// Filter applies the mutations of one block. It is safe for concurrent use.
type Filter struct {
	ops *ops
	tag string
	log *slog.Logger

	matches, failures *atomic.Int64
	warnedFail        atomic.Bool
	warnedMerge       atomic.Bool
	warnedBool        atomic.Bool
	warnedGsub        atomic.Bool
}

var _ pipeline.Filter = (*Filter)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Filter, error) {
	o, err := compile(c)
	if err != nil {
		return nil, fmt.Errorf("mutate filter: %w", err)
	}
	f := &Filter{ops: o, tag: c.TagOnFailure, log: d.Logger}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	m := d.Metrics
	if m == nil {
		m = &pipeline.Metrics{}
	}
	f.matches, f.failures = m.Counter("matches"), m.Counter("failures")
	return f, nil
}

// Filter implements pipeline.Filter. Like Logstash's, it succeeds (and the
// engine applies add_field and the other common options) whenever no
// operation failed, even if none had anything to do.
func (f *Filter) Filter(e *pipeline.Event) pipeline.FilterResult {
	if err := f.apply(e); err != nil {
		f.failures.Add(1)
		e.AddTag(f.tag)
		if f.warnedFail.CompareAndSwap(false, true) {
			f.log.Warn("Exception caught while applying mutate filter (logged once per plugin; counted as failures)",
				"event_id", e.ID(), "error", err)
		}
		return pipeline.FilterSkipped
	}
	f.matches.Add(1)
	return pipeline.FilterMatched
}

// apply runs the operations in Logstash's order and stops at the first
// error.
func (f *Filter) apply(e *pipeline.Event) error {
	o := f.ops
	if err := setFields(e, o.coerce, setIfNull); err != nil {
		return fmt.Errorf("coerce: %w", err)
	}
	if err := f.rename(e, o.rename); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	if err := setFields(e, o.update, setIfPresent); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if err := setFields(e, o.replace, setAlways); err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	if err := f.convert(e, o.convert); err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	if err := f.gsub(e, o.gsub); err != nil {
		return fmt.Errorf("gsub: %w", err)
	}
	if err := caseChange(e, o.uppercase, upcase); err != nil {
		return fmt.Errorf("uppercase: %w", err)
	}
	if err := caseChange(e, o.capitalize, capitalize); err != nil {
		return fmt.Errorf("capitalize: %w", err)
	}
	if err := caseChange(e, o.lowercase, downcase); err != nil {
		return fmt.Errorf("lowercase: %w", err)
	}
	if err := strip(e, o.strip); err != nil {
		return fmt.Errorf("strip: %w", err)
	}
	if err := split(e, o.split); err != nil {
		return fmt.Errorf("split: %w", err)
	}
	if err := join(e, o.join); err != nil {
		return fmt.Errorf("join: %w", err)
	}
	if err := f.merge(e, o.merge); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := copyFields(e, o.copy); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	return nil
}

// ops are the compiled operations, each in the order written.
type ops struct {
	coerce     []setOp
	rename     []renameOp
	update     []setOp
	replace    []setOp
	convert    []convertOp
	gsub       []gsubOp
	uppercase  []pipeline.FieldRef
	capitalize []pipeline.FieldRef
	lowercase  []pipeline.FieldRef
	strip      []pipeline.FieldRef
	split      []sepOp
	join       []sepOp
	merge      []pairOp
	copy       []pairOp
}

// setOp sets a field to a sprintf'd value (coerce, update, replace).
type setOp struct {
	ref   pipeline.FieldRef
	value *pipeline.Template
}

// name is a field name that is a sprintf format: ref is set when it holds
// no %{...} and is parsed once; otherwise tmpl is rendered and parsed per
// event.
type name struct {
	ref  pipeline.FieldRef
	tmpl *pipeline.Template
}

func (n *name) resolve(e *pipeline.Event) (pipeline.FieldRef, error) {
	if n.tmpl == nil {
		return n.ref, nil
	}
	s := n.tmpl.Render(e)
	r, err := pipeline.ParseFieldRef(s)
	if err != nil {
		return pipeline.FieldRef{}, fmt.Errorf("field name %q gives %q: %w", n.tmpl.String(), s, err)
	}
	return r, nil
}

type renameOp struct{ from, to name }

type sepOp struct {
	ref pipeline.FieldRef
	sep string
}

type pairOp struct{ from, to pipeline.FieldRef }

// compiler gathers config errors.
type compiler struct{ errs []error }

func (c *compiler) errorf(attr, summary, format string, args ...any) {
	c.errs = append(c.errs, &pipeline.ConfigError{Attr: attr, Summary: summary, Detail: fmt.Sprintf(format, args...)})
}

func (c *compiler) ref(attr, s string) pipeline.FieldRef {
	r, err := pipeline.ParseFieldRef(s)
	if err != nil {
		c.errorf(attr, "not a field reference", "%v; write a top-level name (\"message\") or brackets (\"[a][b]\")", err)
	}
	return r
}

func (c *compiler) template(attr, s string) *pipeline.Template {
	t, err := pipeline.ParseTemplate(s)
	if err != nil {
		c.errorf(attr, "invalid sprintf format", "%q: %v", s, err)
		return nil
	}
	return t
}

// name compiles a field name that may hold %{...}.
func (c *compiler) name(attr, s string) name {
	if !strings.Contains(s, "%{") {
		return name{ref: c.ref(attr, s)}
	}
	t := c.template(attr, s)
	if t != nil && t.IsConstant() {
		// "%{" without a closing brace is literal text.
		return name{ref: c.ref(attr, s)}
	}
	return name{tmpl: t}
}

func (c *compiler) refs(attr string, names []string) []pipeline.FieldRef {
	out := make([]pipeline.FieldRef, 0, len(names))
	for _, s := range names {
		out = append(out, c.ref(attr, s))
	}
	return out
}

func (c *compiler) sets(attr string, kvs []pipeline.KV) []setOp {
	out := make([]setOp, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, setOp{ref: c.ref(attr, kv.Key), value: c.template(attr, kv.Value)})
	}
	return out
}

func (c *compiler) seps(attr string, kvs []pipeline.KV) []sepOp {
	out := make([]sepOp, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, sepOp{ref: c.ref(attr, kv.Key), sep: kv.Value})
	}
	return out
}

func (c *compiler) pairs(attr string, kvs []pipeline.KV) []pairOp {
	out := make([]pairOp, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, pairOp{from: c.ref(attr, kv.Key), to: c.ref(attr, kv.Value)})
	}
	return out
}

// compile checks the config and builds the operations.
func compile(cfg *Config) (*ops, error) {
	var c compiler
	o := &ops{
		coerce:     c.sets("coerce", cfg.Coerce),
		update:     c.sets("update", cfg.Update),
		replace:    c.sets("replace", cfg.Replace),
		uppercase:  c.refs("uppercase", cfg.Uppercase),
		capitalize: c.refs("capitalize", cfg.Capitalize),
		lowercase:  c.refs("lowercase", cfg.Lowercase),
		strip:      c.refs("strip", cfg.Strip),
		split:      c.seps("split", cfg.Split),
		join:       c.seps("join", cfg.Join),
		copy:       c.pairs("copy", cfg.Copy),
	}
	for _, kv := range cfg.Rename {
		o.rename = append(o.rename, renameOp{from: c.name("rename", kv.Key), to: c.name("rename", kv.Value)})
	}
	// merge: dest => added.
	for _, kv := range cfg.Merge {
		o.merge = append(o.merge, pairOp{to: c.ref("merge", kv.Key), from: c.ref("merge", kv.Value)})
	}
	for _, kv := range cfg.Convert {
		kind, ok := convertKinds[kv.Value]
		if !ok {
			c.errorf("convert", fmt.Sprintf("invalid conversion type %q for %q", kv.Value, kv.Key),
				"expected one of %s", strings.Join(convertNames, ", "))
			continue
		}
		o.convert = append(o.convert, convertOp{ref: c.ref("convert", kv.Key), kind: kind})
	}
	o.gsub = c.gsubs(cfg.Gsub)
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	return o, nil
}

// setWhen says which fields a list of setOps writes.
type setWhen int

const (
	setAlways    setWhen = iota // replace: create or overwrite
	setIfPresent                // update: only fields that exist
	setIfNull                   // coerce: only fields that exist with a null value
)

// setFields sets each op's field to its rendered value, when allowed.
func setFields(e *pipeline.Event, list []setOp, when setWhen) error {
	for i := range list {
		op := &list[i]
		if when != setAlways {
			if v, ok := e.Get(op.ref); !ok || (when == setIfNull && v != nil) {
				continue
			}
		}
		if err := e.Set(op.ref, op.value.Render(e)); err != nil {
			return err
		}
	}
	return nil
}

func (f *Filter) rename(e *pipeline.Event, list []renameOp) error {
	for i := range list {
		op := &list[i]
		from, err := op.from.resolve(e)
		if err != nil {
			return err
		}
		to, err := op.to.resolve(e)
		if err != nil {
			return err
		}
		if !e.Includes(from) {
			continue
		}
		v, _ := e.Remove(from)
		if err := e.Set(to, v); err != nil {
			// Logstash loses the field here; put it back.
			_ = e.Set(from, v)
			return err
		}
	}
	return nil
}

func (f *Filter) convert(e *pipeline.Event, list []convertOp) error {
	for i := range list {
		op := &list[i]
		v, ok := e.Get(op.ref)
		if !ok {
			continue
		}
		switch t := v.(type) {
		case nil, *pipeline.Map:
			// Logstash: "I don't know how to type convert a hash, skipping".
			continue
		case []any:
			out := make([]any, len(t))
			for j, x := range t {
				if x == nil {
					continue
				}
				y, err := f.convertValue(e, op, x)
				if err != nil {
					return err
				}
				out[j] = y
			}
			if err := e.Set(op.ref, out); err != nil {
				return err
			}
		default:
			y, err := f.convertValue(e, op, v)
			if err != nil {
				return err
			}
			if err := e.Set(op.ref, y); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *Filter) convertValue(e *pipeline.Event, op *convertOp, v any) (any, error) {
	y, err := convertValue(op.kind, v)
	if err != nil {
		return nil, fmt.Errorf("%s to %s: %w", op.ref.String(), convertNames[op.kind], err)
	}
	if op.kind == convBoolean {
		if _, ok := y.(bool); !ok && f.warnedBool.CompareAndSwap(false, true) {
			f.log.Warn("Failed to convert a value into boolean; it is left as it is (logged once per plugin)",
				"field", op.ref.String(), "value", pipeline.ValueString(v), "event_id", e.ID())
		}
	}
	return y, nil
}

func (f *Filter) gsub(e *pipeline.Event, list []gsubOp) error {
	for i := range list {
		op := &list[i]
		v, ok := e.Get(op.ref)
		if !ok {
			continue
		}
		switch t := v.(type) {
		case string:
			s, changed, err := op.apply(e, t)
			if err != nil {
				return err
			}
			if changed {
				if err := e.Set(op.ref, s); err != nil {
					return err
				}
			}
		case []any:
			for j, x := range t {
				s, ok := x.(string)
				if !ok {
					if f.warnedGsub.CompareAndSwap(false, true) {
						f.log.Warn("gsub mutation is only applicable for strings and arrays of strings, skipping (logged once per plugin)",
							"field", op.ref.String(), "value", pipeline.ValueString(x), "event_id", e.ID())
					}
					continue
				}
				r, changed, err := op.apply(e, s)
				if err != nil {
					return err
				}
				if changed {
					t[j] = r
				}
			}
		}
	}
	return nil
}

// caseChange applies fn to a string field or to the strings of a list;
// other values are left alone.
func caseChange(e *pipeline.Event, refs []pipeline.FieldRef, fn func(string) string) error {
	for _, r := range refs {
		v, ok := e.Get(r)
		if !ok {
			continue
		}
		switch t := v.(type) {
		case string:
			if s := fn(t); s != t {
				if err := e.Set(r, s); err != nil {
					return err
				}
			}
		case []any:
			for i, x := range t {
				if s, ok := x.(string); ok {
					t[i] = fn(s)
				}
			}
		}
	}
	return nil
}

// strip trims strings; a list must hold only strings (Logstash calls strip
// on each element and fails on anything else).
func strip(e *pipeline.Event, refs []pipeline.FieldRef) error {
	for _, r := range refs {
		v, ok := e.Get(r)
		if !ok {
			continue
		}
		switch t := v.(type) {
		case string:
			if s := rubyStrip(t); len(s) != len(t) {
				if err := e.Set(r, s); err != nil {
					return err
				}
			}
		case []any:
			for _, x := range t {
				if _, ok := x.(string); !ok {
					return fmt.Errorf("%s: cannot strip %s %s: an array to strip must hold strings only",
						r.String(), pipeline.TypeName(x), pipeline.ValueString(x))
				}
			}
			for i, x := range t {
				t[i] = rubyStrip(x.(string))
			}
		}
	}
	return nil
}

func split(e *pipeline.Event, list []sepOp) error {
	for i := range list {
		op := &list[i]
		v, _ := e.Get(op.ref)
		s, ok := v.(string)
		if !ok {
			continue
		}
		if err := e.Set(op.ref, rubySplit(s, op.sep)); err != nil {
			return err
		}
	}
	return nil
}

func join(e *pipeline.Event, list []sepOp) error {
	for i := range list {
		op := &list[i]
		v, _ := e.Get(op.ref)
		l, ok := v.([]any)
		if !ok {
			continue
		}
		var buf [256]byte
		if err := e.Set(op.ref, string(appendJoin(buf[:0], l, op.sep))); err != nil {
			return err
		}
	}
	return nil
}

// merge follows Logstash: two hashes are merged (the added keys win); a
// hash and a non-hash are not merged (logged, not a failure); anything
// else is made a list (missing or null is an empty list, a scalar a list of
// one) and the added list is appended to the destination's.
func (f *Filter) merge(e *pipeline.Event, list []pairOp) error {
	for i := range list {
		op := &list[i]
		dv, _ := e.Get(op.to)
		av, _ := e.Get(op.from)
		dm, dIsMap := dv.(*pipeline.Map)
		am, aIsMap := av.(*pipeline.Map)
		if dIsMap != aIsMap {
			if f.warnedMerge.CompareAndSwap(false, true) {
				f.log.Error("Not possible to merge an array and a hash (logged once per plugin)",
					"dest_field", op.to.String(), "added_field", op.from.String(), "event_id", e.ID())
			}
			continue
		}
		if dIsMap {
			if am == dm {
				continue
			}
			for j := range am.Len() {
				k, v := am.At(j)
				dm.Set(k, pipeline.CloneValue(v))
			}
			continue
		}
		var out []any
		switch t := dv.(type) {
		case nil:
			out = []any{}
		case []any:
			out = t
		default:
			out = []any{t}
		}
		switch t := av.(type) {
		case nil:
		case []any:
			for _, x := range t[:len(t):len(t)] {
				out = append(out, pipeline.CloneValue(x))
			}
		default:
			out = append(out, t)
		}
		if err := e.Set(op.to, out); err != nil {
			return err
		}
	}
	return nil
}

func copyFields(e *pipeline.Event, list []pairOp) error {
	for i := range list {
		op := &list[i]
		v, ok := e.Get(op.from)
		if !ok || v == nil {
			continue
		}
		if err := e.Set(op.to, pipeline.CloneValue(v)); err != nil {
			return err
		}
	}
	return nil
}
