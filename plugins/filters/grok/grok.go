// Package grok is Logstash's grok filter: it matches fields against grok
// patterns (regexes built from named, reusable pieces such as
// %{IPORHOST:clientip}) and stores what the named groups capture.
//
// Patterns run on github.com/dlclark/regexp2, a backtracker that reads the
// Oniguruma syntax of the original logstash-patterns-core files (atomic
// groups, look-behind, named groups), so captures are Logstash's. Each
// pattern is expanded and compiled once when the filter is built; a
// prefilter of required literals rejects most non-matching lines before
// the backtracker runs.
package grok

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "grok"

// Default tags.
const (
	TagOnFailure = "_grokparsefailure"
	TagOnTimeout = "_groktimeout"
)

// Config is the grok filter's configuration.
type Config struct {
	// Match maps fields to patterns, in the order written; a field given
	// a list has one entry per pattern.
	Match []pipeline.KV `hcl:"match,optional" pipe:"multi"`
	// BreakOnMatch stops at the first matching pattern (and field).
	BreakOnMatch bool `hcl:"break_on_match,optional"`
	// NamedCapturesOnly keeps only %{NAME:field} captures; false also
	// keeps %{NAME} under NAME.
	NamedCapturesOnly bool `hcl:"named_captures_only,optional"`
	// KeepEmptyCaptures keeps captures that matched nothing.
	KeepEmptyCaptures bool `hcl:"keep_empty_captures,optional"`
	// Overwrite lists the fields a capture replaces instead of adding to.
	Overwrite []string `hcl:"overwrite,optional"`
	// Target nests the captures under this field.
	Target string `hcl:"target,optional"`
	// PatternsDir lists folders (or files) of extra pattern files.
	PatternsDir []string `hcl:"patterns_dir,optional"`
	// PatternsFilesGlob selects the files inside each patterns_dir folder.
	PatternsFilesGlob string `hcl:"patterns_files_glob,optional"`
	// PatternDefinitions are extra patterns, NAME = regex, for this filter.
	PatternDefinitions []pipeline.KV `hcl:"pattern_definitions,optional"`
	// TagOnFailure are added when no pattern matched.
	TagOnFailure []string `hcl:"tag_on_failure,optional"`
	// TimeoutMillis bounds a match (0: no limit).
	TimeoutMillis int `hcl:"timeout_millis,optional"`
	// TimeoutScope is pattern (each attempt) or event (all attempts).
	TimeoutScope string `hcl:"timeout_scope,optional"`
	// TagOnTimeout is the only tag added when a match times out.
	TagOnTimeout string `hcl:"tag_on_timeout,optional"`
	// ECSCompatibility picks the pattern set: disabled (legacy), v1 or v8
	// (ecs-v1); empty means the pipeline's.
	ECSCompatibility string `hcl:"ecs_compatibility,optional"`

	// ecsDefault is the pipeline's ecs_compatibility, known at build.
	ecsDefault string
	// lib is the built-in pattern library of the plugin descriptor.
	lib fs.FS
}

func defaults(lib fs.FS) *Config {
	return &Config{
		lib:               lib,
		BreakOnMatch:      true,
		NamedCapturesOnly: true,
		PatternsFilesGlob: "*",
		TagOnFailure:      []string{TagOnFailure},
		TimeoutMillis:     30000,
		TimeoutScope:      "pattern",
		TagOnTimeout:      TagOnTimeout,
	}
}

var _ pipeline.Validator = (*Config)(nil)

// Validate checks the options and compiles every pattern against the
// built-in library (with patterns_dir and pattern_definitions), so that
// `pipe -t` reports bad regexes and unknown pattern names.
func (c *Config) Validate() error {
	_, err := c.compileAll(c.lib)
	return err
}

// patternSet names the library folder for an ecs_compatibility value.
func patternSet(ecs string) string {
	if ecs == "disabled" {
		return "legacy"
	}
	return "ecs-v1"
}

// group is the patterns of one match field.
type group struct {
	field    string
	ref      pipeline.FieldRef
	patterns []*compiled
}

// compileAll validates the options and compiles the patterns; lib is the
// built-in library (folders legacy/ and ecs-v1/), or nil for none.
func (c *Config) compileAll(lib fs.FS) ([]group, error) {
	var errs []error
	bad := func(attr, summary, detail string) {
		errs = append(errs, &pipeline.ConfigError{Attr: attr, Summary: summary, Detail: detail})
	}
	ecs := c.ECSCompatibility
	switch ecs {
	case "":
		ecs = c.ecsDefault
	case "disabled", "v1", "v8":
	default:
		bad("ecs_compatibility", fmt.Sprintf("unknown value %q", ecs), "use disabled, v1 or v8")
	}
	switch c.TimeoutScope {
	case "pattern", "event":
	default:
		bad("timeout_scope", fmt.Sprintf("unknown value %q", c.TimeoutScope), "use pattern or event")
	}
	if c.TimeoutMillis < 0 {
		bad("timeout_millis", "must not be negative", "use 0 to disable the timeout")
	}
	if c.Target != "" {
		if _, err := pipeline.ParseFieldRef(normaliseTarget(c.Target)); err != nil {
			bad("target", "not a field reference", err.Error())
		}
	}
	if _, err := filepath.Match(c.PatternsFilesGlob, "x"); err != nil {
		bad("patterns_files_glob", "invalid glob", err.Error())
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	l := library{}
	if lib != nil {
		if err := l.loadFS(lib, patternSet(ecs), "*"); err != nil {
			return nil, &pipeline.ConfigError{Attr: "ecs_compatibility", Summary: "cannot load the built-in patterns", Detail: err.Error()}
		}
	}
	for _, dir := range c.PatternsDir {
		if err := loadDir(l, dir, c.PatternsFilesGlob); err != nil {
			bad("patterns_dir", "cannot load patterns", err.Error())
		}
	}
	for _, kv := range c.PatternDefinitions {
		l[kv.Key] = strings.TrimRight(kv.Value, "\r\n")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	o := compileOptions{lib: l, namedCapturesOnly: c.NamedCapturesOnly, target: normaliseTarget(c.Target),
		timeout: time.Duration(c.TimeoutMillis) * time.Millisecond}
	var groups []group
	for _, kv := range c.Match {
		ref, err := pipeline.ParseFieldRef(kv.Key)
		if err != nil {
			bad("match", "not a field reference", fmt.Sprintf("%q: %v", kv.Key, err))
			continue
		}
		cp, err := compile(kv.Value, o)
		if err != nil {
			bad("match", "invalid pattern", fmt.Sprintf("%s: %v", kv.Key, err))
			continue
		}
		i := slices.IndexFunc(groups, func(g group) bool { return g.field == kv.Key })
		if i < 0 {
			groups = append(groups, group{field: kv.Key, ref: ref})
			i = len(groups) - 1
		}
		groups[i].patterns = append(groups[i].patterns, cp)
	}
	return groups, errors.Join(errs...)
}

// loadDir loads a patterns_dir entry: a folder (its files matching glob)
// or a single file, as Logstash.
func loadDir(l library, dir, glob string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("patterns_dir %s: %w", dir, err)
	}
	if !st.IsDir() {
		data, err := os.ReadFile(dir)
		if err != nil {
			return fmt.Errorf("patterns_dir: %w", err)
		}
		l.parse(string(data))
		return nil
	}
	return l.loadFS(os.DirFS(dir), ".", glob)
}

// Plugin describes the grok filter for the registry, with the embedded
// pattern library.
func Plugin() pipeline.Plugin { return PluginWithLibrary(builtinLibrary()) }

// PluginWithLibrary describes the grok filter with another built-in pattern
// library: an fs.FS holding the folders legacy/ and ecs-v1/ of pattern
// files in Logstash's format (nil: no built-in patterns).
func PluginWithLibrary(lib fs.FS) pipeline.Plugin {
	return pipeline.NewFilterPlugin(Name, "parses text with grok patterns",
		func() *Config { return defaults(lib) }, build)
}

// Filter runs grok patterns. It is safe for concurrent use.
type Filter struct {
	groups       []group
	breakOnMatch bool
	keepEmpty    bool
	overwrite    []string
	tags         []string
	tagTimeout   string
	eventScope   bool
	timeout      time.Duration
	log          *slog.Logger

	runes sync.Pool // of *[]rune, the input as regexp2 wants it

	matches, failures, timeouts *atomic.Int64
	warnedSet, warnedTimeout    atomic.Bool
}

var _ pipeline.Filter = (*Filter)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Filter, error) {
	cfg := *c
	cfg.ecsDefault = d.Settings.ECSCompatibility
	if cfg.ecsDefault == "" {
		cfg.ecsDefault = "v8"
	}
	groups, err := cfg.compileAll(cfg.lib)
	if err != nil {
		return nil, fmt.Errorf("grok filter: %w", err)
	}
	f := &Filter{groups: groups, breakOnMatch: c.BreakOnMatch, keepEmpty: c.KeepEmptyCaptures,
		overwrite: c.Overwrite, tags: c.TagOnFailure, tagTimeout: c.TagOnTimeout,
		eventScope: c.TimeoutScope == "event", timeout: time.Duration(c.TimeoutMillis) * time.Millisecond,
		log: d.Logger}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	for _, ow := range c.Overwrite {
		f.overwrite = append(f.overwrite, fieldPath(ow, normaliseTarget(c.Target)))
	}
	f.runes.New = func() any { b := make([]rune, 0, 512); return &b }
	m := d.Metrics
	if m == nil {
		m = &pipeline.Metrics{}
	}
	f.matches, f.failures, f.timeouts = m.Counter("matches"), m.Counter("failures"), m.Counter("timeouts")
	return f, nil
}

// errTimeout is a match that ran out of time.
var errTimeout = errors.New("grok timeout")

// state is one Filter call's scratch.
type state struct {
	f        *Filter
	e        *pipeline.Event
	deadline time.Time // event scope
}

// Filter implements pipeline.Filter.
func (f *Filter) Filter(e *pipeline.Event) pipeline.FilterResult {
	st := state{f: f, e: e}
	if f.eventScope && f.timeout > 0 {
		st.deadline = time.Now().Add(f.timeout)
	}
	matched := false
	for i := range f.groups {
		g := &f.groups[i]
		ok, err := st.matchField(g)
		if err != nil {
			f.timeouts.Add(1)
			if f.warnedTimeout.CompareAndSwap(false, true) {
				f.log.Warn("Timeout executing grok against field (logged once per plugin; counted as timeouts)",
					"field", g.field, "event_id", e.ID(), "error", err)
			}
			e.AddTag(f.tagTimeout)
			return pipeline.FilterSkipped
		}
		if ok {
			matched = true
			if f.breakOnMatch {
				break
			}
		}
	}
	if matched {
		f.matches.Add(1)
		return pipeline.FilterMatched
	}
	f.failures.Add(1)
	for _, t := range f.tags {
		e.AddTag(t)
	}
	return pipeline.FilterSkipped
}

// matchField matches one field's value (each element of a list) against
// the field's patterns. A missing field is matched as "", as in Logstash.
func (st *state) matchField(g *group) (bool, error) {
	v, _ := st.e.Get(g.ref)
	if list, ok := v.([]any); ok {
		// The list may change under us (a capture into the same field):
		// match the values it held.
		list = slices.Clone(list)
		some := false
		for _, x := range list {
			ok, err := st.matchValue(g, x)
			if err != nil {
				return false, err
			}
			some = some || ok
		}
		return some, nil
	}
	return st.matchValue(g, v)
}

func (st *state) matchValue(g *group, v any) (bool, error) {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case nil:
	default:
		s = pipeline.ValueString(t)
	}
	// As Logstash: the field's result is that of the last pattern tried.
	matched := false
	for _, p := range g.patterns {
		ok, err := st.run(p, s)
		if err != nil {
			return false, err
		}
		matched = ok
		if ok && st.f.breakOnMatch {
			break
		}
	}
	return matched, nil
}

// run matches one pattern and stores its captures.
func (st *state) run(p *compiled, s string) (bool, error) {
	if p.pre != nil && !p.pre.match(s) {
		return false, nil
	}
	if !st.deadline.IsZero() && !time.Now().Before(st.deadline) {
		return false, fmt.Errorf("%w: pattern %q: event deadline passed", errTimeout, p.source)
	}
	f := st.f
	bp := f.runes.Get().(*[]rune)
	runes := (*bp)[:0]
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		for i := 0; i < len(s); i++ {
			runes = append(runes, rune(s[i]))
		}
	} else {
		for _, r := range s {
			runes = append(runes, r)
		}
	}
	m, err := p.re.FindRunesMatch(runes)
	defer func() {
		if cap(runes) <= 64*1024 {
			*bp = runes[:0]
			f.runes.Put(bp)
		}
	}()
	if err != nil {
		return false, fmt.Errorf("%w: pattern %q: %w", errTimeout, p.source, err)
	}
	if m == nil {
		return false, nil
	}
	var offsets []int // rune index -> byte offset, for non-ASCII input
	if !ascii {
		offsets = make([]int, 0, len(runes)+1)
		for i := range s {
			offsets = append(offsets, i)
		}
		offsets = append(offsets, len(s))
	}
	for i := range p.captures {
		c := &p.captures[i]
		if !c.first {
			continue
		}
		// The first capture of this name that took part in the match.
		var grp *regexp2.Group
		for j := i; j >= 0; j = p.captures[j].next {
			if g := m.GroupByNumber(p.captures[j].group); g != nil && len(g.Captures) > 0 {
				grp = g
				c = &p.captures[j]
				break
			}
		}
		if grp == nil {
			if f.keepEmpty {
				st.handle(c, nil)
			}
			continue
		}
		start, end := grp.Index, grp.Index+grp.Length
		if offsets != nil {
			start, end = offsets[start], offsets[end]
		}
		val := s[start:end]
		if val == "" && !f.keepEmpty {
			continue
		}
		switch c.conv {
		case convInt:
			st.handle(c, rubyToI(val))
		case convFloat:
			st.handle(c, rubyToF(val))
		default:
			st.handle(c, val)
		}
	}
	return true, nil
}

// handle stores a capture as Logstash's grok does: fields listed in
// overwrite are replaced; otherwise a missing (or null) field is set, a
// list is appended to, a string becomes [old, new], and any other value is
// left alone.
func (st *state) handle(c *capture, v any) {
	e := st.e
	var err error
	if slices.Contains(st.f.overwrite, c.ref.String()) {
		err = e.Set(c.ref, v)
	} else {
		old, _ := e.Get(c.ref)
		switch t := old.(type) {
		case nil:
			err = e.Set(c.ref, v)
		case []any:
			err = e.Set(c.ref, append(t, v))
		case string:
			err = e.Set(c.ref, []any{t, v})
		}
	}
	if err != nil && st.f.warnedSet.CompareAndSwap(false, true) {
		st.f.log.Warn("grok: cannot set a captured field (logged once per plugin)",
			"field", c.ref.String(), "event_id", e.ID(), "error", err)
	}
}
