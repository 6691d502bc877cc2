// Package json is Logstash's json filter: it parses the JSON text held in a
// field and stores the result at the top of the event or under a target.
package json

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "json"

// TagOnFailure is the default failure tag.
const TagOnFailure = "_jsonparsefailure"

// Config is the json filter's configuration.
type Config struct {
	// Source is the field holding the JSON text.
	Source string `hcl:"source"`
	// Target is where the parsed value goes; empty means the top level of
	// the event (the value must then be an object).
	Target string `hcl:"target,optional"`
	// SkipOnInvalidJSON leaves events with invalid JSON untagged.
	SkipOnInvalidJSON bool `hcl:"skip_on_invalid_json,optional"`
	// TagOnFailure are the tags added when parsing fails.
	TagOnFailure []string `hcl:"tag_on_failure,optional"`
	// ECSCompatibility is disabled, v1 or v8 (empty: the pipeline's).
	// Its only effect is a warning when target is unset.
	ECSCompatibility string `hcl:"ecs_compatibility,optional"`
}

func defaults() *Config { return &Config{TagOnFailure: []string{TagOnFailure}} }

var _ pipeline.Validator = (*Config)(nil)

// Validate checks the options.
func (c *Config) Validate() error {
	var errs []error
	if _, err := pipeline.ParseFieldRef(c.Source); err != nil {
		errs = append(errs, &pipeline.ConfigError{Attr: "source", Summary: "not a field reference",
			Detail: fmt.Sprintf("%v; write a top-level name (\"message\") or brackets (\"[a][b]\")", err)})
	}
	if c.Target != "" {
		if _, err := pipeline.ParseFieldRef(c.Target); err != nil {
			errs = append(errs, &pipeline.ConfigError{Attr: "target", Summary: "not a field reference",
				Detail: fmt.Sprintf("%v; write a top-level name (\"doc\") or brackets (\"[a][b]\")", err)})
		}
	}
	switch c.ECSCompatibility {
	case "", "disabled", "v1", "v8":
	default:
		errs = append(errs, &pipeline.ConfigError{Attr: "ecs_compatibility",
			Summary: fmt.Sprintf("unknown value %q", c.ECSCompatibility), Detail: "use disabled, v1 or v8"})
	}
	return errors.Join(errs...)
}

// Plugin describes the json filter for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewFilterPlugin(Name, "parses JSON text in a field", defaults, build)
}

// Filter parses JSON. It is safe for concurrent use: each call takes a
// decoder from a pool.
type Filter struct {
	source    pipeline.FieldRef
	target    pipeline.FieldRef
	hasTarget bool
	skip      bool
	tags      []string
	log       *slog.Logger

	decoders sync.Pool // of *pipeline.JSONDecoder

	matches, failures, invalid *atomic.Int64
	warnedTarget, warnedParse  atomic.Bool
	warnedKey                  atomic.Bool
}

var _ pipeline.Filter = (*Filter)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Filter, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("json filter: %w", err)
	}
	f := &Filter{skip: c.SkipOnInvalidJSON, tags: c.TagOnFailure}
	f.source, _ = pipeline.ParseFieldRef(c.Source)
	if c.Target != "" {
		f.target, _ = pipeline.ParseFieldRef(c.Target)
		f.hasTarget = true
	}
	f.decoders.New = func() any { return new(pipeline.JSONDecoder) }
	m := d.Metrics
	if m == nil {
		m = &pipeline.Metrics{}
	}
	f.matches, f.failures, f.invalid = m.Counter("matches"), m.Counter("failures"), m.Counter("invalid_json")
	f.log = d.Logger
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	ecs := c.ECSCompatibility
	if ecs == "" {
		ecs = d.Settings.ECSCompatibility
	}
	if !f.hasTarget && ecs != "" && ecs != "disabled" {
		f.log.Warn("ECS compatibility is enabled but target is not set; parsed fields go to the top level of the event, " +
			"where they may clash with ECS fields: consider setting target")
	}
	return f, nil
}

// Filter implements pipeline.Filter.
func (f *Filter) Filter(e *pipeline.Event) pipeline.FilterResult {
	v, ok := e.Get(f.source)
	if !ok || v == nil {
		return pipeline.FilterSkipped
	}
	text, ok := v.(string)
	if !ok {
		// Logstash hands the value to its JSON parser, which takes text
		// only.
		f.fail(e)
		f.invalid.Add(1)
		if !f.skip && f.warnedParse.CompareAndSwap(false, true) {
			f.log.Warn("Error parsing json: the source field does not hold a string (logged once per plugin; counted as invalid_json)",
				"source", f.source.String(), "type", pipeline.TypeName(v), "event_id", e.ID())
		}
		return pipeline.FilterSkipped
	}
	dec := f.decoders.Get().(*pipeline.JSONDecoder)
	parsed, err := dec.DecodeValue([]byte(text))
	f.decoders.Put(dec)
	if err != nil {
		f.invalid.Add(1)
		if f.skip {
			return pipeline.FilterSkipped
		}
		f.fail(e)
		if f.warnedParse.CompareAndSwap(false, true) {
			f.log.Warn("Error parsing json (logged once per plugin; counted as invalid_json)",
				"source", f.source.String(), "raw", text, "event_id", e.ID(), "error", err)
		}
		return pipeline.FilterSkipped
	}
	if f.hasTarget {
		if err := e.Set(f.target, parsed); err != nil {
			f.fail(e)
			f.warnKey(e, f.target.String(), err)
			return pipeline.FilterSkipped
		}
		f.matches.Add(1)
		return pipeline.FilterMatched
	}
	obj, ok := parsed.(*pipeline.Map)
	if !ok {
		f.fail(e)
		if f.warnedTarget.CompareAndSwap(false, true) {
			f.log.Warn("Parsed JSON object/hash requires a target configuration option (logged once per plugin)",
				"source", f.source.String(), "raw", text, "event_id", e.ID())
		}
		return pipeline.FilterSkipped
	}
	if !f.merge(e, obj) {
		return pipeline.FilterSkipped
	}
	f.matches.Add(1)
	return pipeline.FilterMatched
}

// merge sets every key of obj on the event as Logstash's event.set(key,
// value): keys are field references. @timestamp is coerced as the event
// model does. Every key is checked before the event is changed.
func (f *Filter) merge(e *pipeline.Event, obj *pipeline.Map) bool {
	var refs []pipeline.FieldRef // only when a key needs parsing
	n := obj.Len()
	for i := range n {
		k, _ := obj.At(i)
		if !plainKey(k) {
			if refs == nil {
				refs = make([]pipeline.FieldRef, n)
			}
			r, err := pipeline.ParseFieldRef(k)
			if err != nil {
				f.fail(e)
				f.warnKey(e, k, err)
				return false
			}
			refs[i] = r
		}
	}
	var ts any
	var hasTS bool
	fields := e.Fields()
	for i := range n {
		k, v := obj.At(i)
		if k == pipeline.TimestampField {
			ts, hasTS = v, true
			continue
		}
		if refs == nil || refs[i].IsZero() {
			fields.Set(k, v)
			continue
		}
		if refs[i].IsTimestamp() {
			ts, hasTS = v, true
			continue
		}
		if err := e.Set(refs[i], v); err != nil {
			f.fail(e)
			f.warnKey(e, k, err)
			return false
		}
	}
	if hasTS {
		e.CoerceTimestamp(ts)
	}
	return true
}

// plainKey reports whether k is a bare top-level name that needs no field
// reference parsing (and is not a special field).
func plainKey(k string) bool {
	return k != "" && k != pipeline.TimestampField && k != pipeline.MetadataField &&
		!strings.ContainsAny(k, "[]")
}

func (f *Filter) fail(e *pipeline.Event) {
	f.failures.Add(1)
	for _, t := range f.tags {
		e.AddTag(t)
	}
}

func (f *Filter) warnKey(e *pipeline.Event, key string, err error) {
	if f.warnedKey.CompareAndSwap(false, true) {
		f.log.Warn("Exception caught in json filter: cannot set a parsed key (logged once per plugin; counted as failures)",
			"source", f.source.String(), "key", key, "event_id", e.ID(), "error", err)
	}
}
