package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/pipeproject/pipe/pipeline/dlq"
)

// Kind is the section a plugin belongs to.
type Kind int

// The plugin kinds.
const (
	KindInput Kind = iota
	KindFilter
	KindOutput
	KindCodec
)

// String returns the kind's name as used in configs ("input", ...).
func (k Kind) String() string {
	switch k {
	case KindInput:
		return "input"
	case KindFilter:
		return "filter"
	case KindOutput:
		return "output"
	case KindCodec:
		return "codec"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Emitter takes events from an input into the pipeline's queue. Emit and
// EmitAll block while the queue is full (back-pressure). They apply the
// input's common options (type, tags, add_field) and count events. Safe for
// concurrent use.
type Emitter interface {
	Emit(e *Event)
	EmitAll(events []*Event)
}

// Input produces events. Run returns when ctx is done or when the input has
// nothing more to read (stdin at EOF, generator at its count); the pipeline
// stops once every input has returned and the queue has drained.
type Input interface {
	Run(ctx context.Context, out Emitter) error
}

// FilterResult says what a filter did with an event.
type FilterResult uint8

// Filter results.
const (
	// FilterMatched: the filter succeeded; the engine applies add_field,
	// remove_field, add_tag and remove_tag (Logstash's filter_matched).
	FilterMatched FilterResult = iota
	// FilterSkipped: the filter did not apply or failed (and tagged the
	// event itself); no add_*/remove_* are applied.
	FilterSkipped
	// FilterDropped: the event leaves the pipeline (drop filter).
	FilterDropped
)

// Filter changes events one at a time. It never returns data errors: a
// failure tags the event and returns FilterSkipped. Filters are called from
// every worker at once and must be safe for concurrent use.
type Filter interface {
	Filter(e *Event) FilterResult
}

// Output accepts batches. Write returns nil when every event was accepted
// (or dead-lettered); an error makes the engine retry the whole batch with
// backoff until shutdown. Write is called from every worker at once and must
// be safe for concurrent use.
type Output interface {
	Write(ctx context.Context, events []*Event) error
}

// Closer is implemented by plugins that flush or release resources at
// shutdown. Close is called once, after the last Write or Filter call.
type Closer interface {
	Close(ctx context.Context) error
}

// Decoder turns bytes into events. Stream inputs call Decode with each
// block read and Flush at end of stream; datagram inputs call Decode then
// Flush for each datagram. A decoder belongs to one goroutine.
type Decoder interface {
	Decode(data []byte, emit func(*Event))
	Flush(emit func(*Event))
}

// Codec decodes input bytes and encodes events for outputs. Encode must be
// safe for concurrent use; NewDecoder returns a decoder for one stream.
type Codec interface {
	NewDecoder() Decoder
	Encode(dst []byte, e *Event) []byte
}

// Settings are the pipeline {} block and the command-line overrides.
type Settings struct {
	// ID names the pipeline in logs ("main").
	ID string
	// Workers is the number of filter+output workers (default: cores).
	Workers int
	// BatchSize is the largest batch a worker takes (125).
	BatchSize int
	// BatchDelayMillis is how long a worker waits for a batch to fill (50).
	// 0 means no wait; BatchDelayUnset (negative) means the default.
	BatchDelayMillis int
	// QueueSize bounds the events between inputs and workers (default:
	// workers × batch_size × 4).
	QueueSize int
	// ECSCompatibility is the default for ECS-aware plugins: disabled, v1 or
	// v8 (Logstash 8's default).
	ECSCompatibility string
	// DeadLetterQueue is the dead_letter_queue block (Logstash's
	// dead_letter_queue.* settings); off by default.
	DeadLetterQueue dlq.Config
}

// Deps is everything a plugin gets from the engine: no plugin reaches for
// global state.
type Deps struct {
	// ID is the plugin's id (the id option, or name_N).
	ID string
	// Logger logs with the plugin id attached.
	Logger *slog.Logger
	// Metrics are the plugin's counters.
	Metrics *Metrics
	// Codec is the input's or output's codec (nil for filters and codecs).
	Codec Codec
	// Settings are the pipeline's settings.
	Settings Settings
	// Stdin and Stdout are the process's standard streams (tests swap them).
	Stdin  io.Reader
	Stdout io.Writer
	// IsTerminal reports whether Stdout is a terminal (colours).
	IsTerminal bool
	// DLQ is the pipeline's dead-letter queue, nil when it is disabled.
	// Outputs write there the events they will never deliver.
	DLQ *dlq.Writer
}

// Validator is implemented by plugin configs that check themselves after
// decoding. Return ConfigErrors (joined with errors.Join) so that the
// message points at the offending option.
type Validator interface {
	Validate() error
}

// ConfigError is an error in one option of a plugin's config.
type ConfigError struct {
	// Attr is the option's name ("" for the plugin block as a whole).
	Attr string
	// Summary is a short statement of the problem.
	Summary string
	// Detail says how to fix it.
	Detail string
}

// Error implements error.
func (e *ConfigError) Error() string {
	s := e.Summary
	if e.Attr != "" {
		s = e.Attr + ": " + s
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// ConfigErrors returns the ConfigErrors inside err (joined or wrapped); an
// error of another kind becomes one ConfigError without an option name.
func ConfigErrors(err error) []*ConfigError {
	if err == nil {
		return nil
	}
	var out []*ConfigError
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var ce *ConfigError
		if errors.As(err, &ce) {
			out = append(out, ce)
			return
		}
		out = append(out, &ConfigError{Summary: err.Error()})
	}
	walk(err)
	return out
}

// Plugin describes one plugin for the registry: its config type and how to
// build it.
type Plugin struct {
	// Kind and Name place the plugin ("filter", "grok").
	Kind Kind
	Name string
	// Summary is a one-line description for help output.
	Summary string
	// DefaultCodec is the codec of an input or output without a codec option.
	DefaultCodec string
	// StreamCodec marks an input that reads a byte stream: as Logstash's
	// fix_streaming_codecs, its codec plain becomes line and json becomes
	// json_lines.
	StreamCodec bool
	// NewConfig returns a pointer to a fresh config struct holding the
	// defaults. Its fields carry hcl tags; conf decodes the block into it.
	NewConfig func() any
	// Build constructs the plugin (an Input, Filter, Output or Codec) from a
	// decoded and validated config. It does no I/O.
	Build func(cfg any, d Deps) (any, error)
}

// NewInputPlugin describes an input with a typed config.
func NewInputPlugin[C any](name, summary, defaultCodec string, defaults func() *C, build func(*C, Deps) (Input, error)) Plugin {
	return Plugin{Kind: KindInput, Name: name, Summary: summary, DefaultCodec: defaultCodec,
		NewConfig: func() any { return defaults() },
		Build:     func(cfg any, d Deps) (any, error) { return build(cfg.(*C), d) }}
}

// NewFilterPlugin describes a filter with a typed config.
func NewFilterPlugin[C any](name, summary string, defaults func() *C, build func(*C, Deps) (Filter, error)) Plugin {
	return Plugin{Kind: KindFilter, Name: name, Summary: summary,
		NewConfig: func() any { return defaults() },
		Build:     func(cfg any, d Deps) (any, error) { return build(cfg.(*C), d) }}
}

// NewOutputPlugin describes an output with a typed config.
func NewOutputPlugin[C any](name, summary, defaultCodec string, defaults func() *C, build func(*C, Deps) (Output, error)) Plugin {
	return Plugin{Kind: KindOutput, Name: name, Summary: summary, DefaultCodec: defaultCodec,
		NewConfig: func() any { return defaults() },
		Build:     func(cfg any, d Deps) (any, error) { return build(cfg.(*C), d) }}
}

// NewCodecPlugin describes a codec with a typed config.
func NewCodecPlugin[C any](name, summary string, defaults func() *C, build func(*C, Deps) (Codec, error)) Plugin {
	return Plugin{Kind: KindCodec, Name: name, Summary: summary,
		NewConfig: func() any { return defaults() },
		Build:     func(cfg any, d Deps) (any, error) { return build(cfg.(*C), d) }}
}

// Registry holds the plugins a build of pipe knows. It is filled once at
// start (plugins/all.Registry) and read-only afterwards.
type Registry struct {
	plugins map[Kind]map[string]Plugin
}

// NewRegistry returns a registry holding the given plugins. It panics on a
// duplicate, which is a programming error.
func NewRegistry(plugins ...Plugin) *Registry {
	r := &Registry{plugins: map[Kind]map[string]Plugin{}}
	for _, p := range plugins {
		m := r.plugins[p.Kind]
		if m == nil {
			m = map[string]Plugin{}
			r.plugins[p.Kind] = m
		}
		if _, dup := m[p.Name]; dup {
			panic(fmt.Sprintf("pipeline: %s plugin %q registered twice", p.Kind, p.Name))
		}
		m[p.Name] = p
	}
	return r
}

// Lookup returns the plugin of that kind and name.
func (r *Registry) Lookup(k Kind, name string) (Plugin, bool) {
	p, ok := r.plugins[k][name]
	return p, ok
}

// Names returns the names of the plugins of a kind, sorted.
func (r *Registry) Names(k Kind) []string {
	names := make([]string, 0, len(r.plugins[k]))
	for n := range r.plugins[k] {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// BuildCodec builds a codec from its config (nil config = defaults).
func (r *Registry) BuildCodec(name string, cfg any, d Deps) (Codec, error) {
	p, ok := r.Lookup(KindCodec, name)
	if !ok {
		return nil, fmt.Errorf("unknown codec %q (known: %s)", name, strings.Join(r.Names(KindCodec), ", "))
	}
	return (&CodecSpec{Plugin: p, Config: cfg}).Build(d)
}

// Build constructs the codec (a nil Config means the defaults).
func (cs *CodecSpec) Build(d Deps) (Codec, error) {
	cfg := cs.Config
	if cfg == nil {
		cfg = cs.Plugin.NewConfig()
	}
	c, err := cs.Plugin.Build(cfg, d)
	if err != nil {
		return nil, fmt.Errorf("codec %s: %w", cs.Plugin.Name, err)
	}
	codec, ok := c.(Codec)
	if !ok {
		return nil, fmt.Errorf("%s is not a codec", cs.Plugin.Name)
	}
	return codec, nil
}

// StreamingCodec applies Logstash's fix_streaming_codecs: an input that
// reads a byte stream (Plugin.StreamCodec) gets line instead of plain and
// json_lines instead of json, with default options but the charset. It returns the codec to
// use and whether it was switched. A nil registry switches nothing.
func (r *Registry) StreamingCodec(input Plugin, c *CodecSpec) (*CodecSpec, bool) {
	if r == nil || c == nil || !input.StreamCodec {
		return c, false
	}
	var to string
	switch c.Plugin.Name {
	case "plain":
		to = "line"
	case "json":
		to = "json_lines"
	default:
		return c, false
	}
	p, ok := r.Lookup(KindCodec, to)
	if !ok {
		return c, false
	}
	spec := &CodecSpec{Plugin: p}
	// Logstash keeps the charset across the switch.
	if from, ok := c.Config.(CharsetConfig); ok && p.NewConfig != nil {
		if cfg, ok := p.NewConfig().(CharsetConfig); ok {
			cfg.SetCodecCharset(from.CodecCharset())
			spec.Config = cfg
		}
	}
	return spec, true
}

// CharsetConfig is implemented by the configs of codecs with Logstash's
// charset option (plain, line, json, json_lines), so that StreamingCodec
// keeps the option when it switches codecs.
type CharsetConfig interface {
	// CodecCharset returns the charset option.
	CodecCharset() string
	// SetCodecCharset sets it.
	SetCodecCharset(string)
}
