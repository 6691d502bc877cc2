// Package generator is the generator input: a fixed set of lines emitted
// count times (or forever), for tests and benchmarks, as Logstash's.
package generator

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "generator"

// chunk is how many events are handed to the queue at once.
const chunk = 128

// Config is the generator input's configuration.
type Config struct {
	// Message is the line generated when lines is not set.
	Message string `hcl:"message,optional"`
	// Lines, when set, are generated in order, each count times.
	Lines []string `hcl:"lines,optional"`
	// Count is how many times the lines are generated; 0 means forever.
	Count int64 `hcl:"count,optional"`
	// Threads is the number of goroutines generating events.
	Threads int `hcl:"threads,optional"`
	// ECSCompatibility selects the field names: "disabled" uses host and
	// sequence, "v1"/"v8" use [host][name] and [event][sequence].
	ECSCompatibility string `hcl:"ecs_compatibility,optional"`
}

func defaults() *Config { return &Config{Message: "Hello world!", Threads: 1} }

// Validate checks the options.
func (c *Config) Validate() error {
	var errs []error
	if c.Count < 0 {
		errs = append(errs, &pipeline.ConfigError{Attr: "count", Summary: "must not be negative", Detail: "use 0 for no limit"})
	}
	if c.Threads < 1 {
		errs = append(errs, &pipeline.ConfigError{Attr: "threads", Summary: "must be at least 1"})
	}
	switch c.ECSCompatibility {
	case "", "disabled", "v1", "v8":
	default:
		errs = append(errs, &pipeline.ConfigError{Attr: "ecs_compatibility", Summary: fmt.Sprintf("unknown value %q", c.ECSCompatibility),
			Detail: `use "disabled", "v1" or "v8"`})
	}
	return errors.Join(errs...)
}

// Plugin describes the generator input for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewInputPlugin(Name, "generates events (tests and benchmarks)", "plain", defaults, build)
}

// Input generates events.
type Input struct {
	lines   [][]byte
	count   int64
	threads int
	codec   pipeline.Codec
	hostRef pipeline.FieldRef
	seqRef  pipeline.FieldRef
	host    string
}

var _ pipeline.Input = (*Input)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Input, error) {
	if d.Codec == nil {
		return nil, errors.New("generator needs a codec")
	}
	ecs := c.ECSCompatibility
	if ecs == "" {
		ecs = d.Settings.ECSCompatibility
	}
	in := &Input{count: c.Count, threads: c.Threads, codec: d.Codec}
	lines := c.Lines
	if len(lines) == 0 {
		lines = []string{c.Message}
	}
	for _, l := range lines {
		in.lines = append(in.lines, []byte(l))
	}
	if ecs == "disabled" {
		in.hostRef, in.seqRef = pipeline.MustFieldRef("host"), pipeline.MustFieldRef("sequence")
	} else {
		in.hostRef, in.seqRef = pipeline.MustFieldRef("[host][name]"), pipeline.MustFieldRef("[event][sequence]")
	}
	in.host, _ = os.Hostname()
	return in, nil
}

// Run implements pipeline.Input. With several threads each generates count
// rounds, as Logstash's generator does.
func (in *Input) Run(ctx context.Context, out pipeline.Emitter) error {
	done := make(chan struct{}, in.threads)
	for t := 0; t < in.threads; t++ {
		go func() {
			in.generate(ctx, out)
			done <- struct{}{}
		}()
	}
	for t := 0; t < in.threads; t++ {
		<-done
	}
	return nil
}

func (in *Input) generate(ctx context.Context, out pipeline.Emitter) {
	dec := in.codec.NewDecoder()
	evs := make([]*pipeline.Event, 0, chunk+len(in.lines))
	var seq int64
	emit := func(e *pipeline.Event) {
		e.SetIfAbsent(in.hostRef, in.host)
		_ = e.Set(in.seqRef, seq)
		evs = append(evs, e)
	}
	for ; in.count == 0 || seq < in.count; seq++ {
		for _, l := range in.lines {
			dec.Decode(l, emit)
			dec.Flush(emit)
		}
		if len(evs) >= chunk {
			if ctx.Err() != nil {
				return
			}
			out.EmitAll(evs) // the queue copies the pointers: the slice is ours again
			clear(evs)
			evs = evs[:0]
		}
	}
	out.EmitAll(evs)
}
