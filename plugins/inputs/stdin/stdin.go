// Package stdin is the stdin input: events from the process's standard
// input, decoded by a stream codec (line by default).
package stdin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "stdin"

// readSize is the size of one read from standard input.
const readSize = 64 << 10

// maxPending is the most decoded events held before they go to the queue.
const maxPending = 1024

// Config is the stdin input's configuration. The codec, type, tags and
// add_field options are common to every input.
type Config struct {
	// ECSCompatibility selects where the host name goes: "disabled" puts it
	// in host, "v1"/"v8" in [host][hostname]. Default: the pipeline's.
	ECSCompatibility string `hcl:"ecs_compatibility,optional"`
}

func defaults() *Config { return &Config{} }

// Validate checks the options.
func (c *Config) Validate() error {
	switch c.ECSCompatibility {
	case "", "disabled", "v1", "v8":
		return nil
	}
	return &pipeline.ConfigError{Attr: "ecs_compatibility", Summary: fmt.Sprintf("unknown value %q", c.ECSCompatibility),
		Detail: `use "disabled", "v1" or "v8"`}
}

// Plugin describes the stdin input for the registry.
func Plugin() pipeline.Plugin {
	p := pipeline.NewInputPlugin(Name, "reads events from standard input", "line", defaults, build)
	p.StreamCodec = true
	return p
}

// Input reads standard input until EOF or until the pipeline stops.
type Input struct {
	r       io.Reader
	codec   pipeline.Codec
	hostRef pipeline.FieldRef
	host    string
	log     interface{ Debug(string, ...any) }
}

var _ pipeline.Input = (*Input)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Input, error) {
	if d.Codec == nil {
		return nil, errors.New("stdin needs a codec")
	}
	ecs := c.ECSCompatibility
	if ecs == "" {
		ecs = d.Settings.ECSCompatibility
	}
	ref := pipeline.MustFieldRef("host")
	if ecs != "disabled" {
		ref = pipeline.MustFieldRef("[host][hostname]")
	}
	host, _ := os.Hostname()
	r := d.Stdin
	if r == nil {
		r = os.Stdin
	}
	return &Input{r: r, codec: d.Codec, hostRef: ref, host: host, log: d.Logger}, nil
}

type block struct {
	data []byte
	err  error
}

// Run implements pipeline.Input. Reads happen on their own goroutine so that
// a stop does not wait for a blocked read; every block read before the stop
// is decoded and emitted.
func (in *Input) Run(ctx context.Context, out pipeline.Emitter) error {
	blocks := make(chan block)
	free := make(chan []byte, 2)
	free <- make([]byte, readSize)
	free <- make([]byte, readSize)
	go func() {
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			n, err := in.r.Read(buf)
			select {
			case blocks <- block{data: buf[:n], err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	dec := in.codec.NewDecoder()
	var evs []*pipeline.Event
	flush := func() {
		out.EmitAll(evs)
		clear(evs)
		evs = evs[:0]
	}
	emit := func(e *pipeline.Event) {
		e.SetIfAbsent(in.hostRef, in.host)
		evs = append(evs, e)
		if len(evs) >= maxPending {
			// A block (or one line holding a long JSON array) can decode
			// into many events: hand them over as they come, so memory
			// stays bounded by the queue.
			flush()
		}
	}
	for {
		select {
		case <-ctx.Done():
			dec.Flush(emit)
			flush()
			return nil
		case b := <-blocks:
			if len(b.data) > 0 {
				dec.Decode(b.data, emit)
			}
			free <- b.data[:cap(b.data)]
			if b.err != nil {
				dec.Flush(emit)
				flush()
				if errors.Is(b.err, io.EOF) {
					return nil
				}
				return fmt.Errorf("read stdin: %w", b.err)
			}
			flush()
		}
	}
}
