// Package stdout is the stdout output: events encoded by a codec (rubydebug
// by default) on the process's standard output.
package stdout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "stdout"

// flushSize is the buffered size above which a batch is written out, so a
// write carries many events but a huge batch is not held whole.
const flushSize = 256 << 10

// Config is the stdout output's configuration; codec is a common option.
type Config struct{}

func defaults() *Config { return &Config{} }

// Plugin describes the stdout output for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewOutputPlugin(Name, "writes events to standard output", "rubydebug", defaults, build)
}

// Output writes encoded events to standard output. Workers encode in
// parallel; the writes of one batch are kept together.
type Output struct {
	w     io.Writer
	codec pipeline.Codec
	mu    sync.Mutex
	bufs  sync.Pool
}

var _ pipeline.Output = (*Output)(nil)

func build(_ *Config, d pipeline.Deps) (pipeline.Output, error) {
	if d.Codec == nil {
		return nil, errors.New("stdout needs a codec")
	}
	w := d.Stdout
	if w == nil {
		w = os.Stdout
	}
	o := &Output{w: w, codec: d.Codec}
	o.bufs.New = func() any { b := make([]byte, 0, 64<<10); return &b }
	return o, nil
}

// Write implements pipeline.Output.
func (o *Output) Write(_ context.Context, events []*pipeline.Event) error {
	bp := o.bufs.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() {
		if cap(buf) <= 4*flushSize {
			*bp = buf[:0]
			o.bufs.Put(bp)
		}
	}()
	locked := false
	defer func() {
		if locked {
			o.mu.Unlock()
		}
	}()
	for _, e := range events {
		buf = o.codec.Encode(buf, e)
		if len(buf) >= flushSize {
			if !locked {
				o.mu.Lock()
				locked = true
			}
			if _, err := o.w.Write(buf); err != nil {
				return fmt.Errorf("write stdout: %w", err)
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		if !locked {
			o.mu.Lock()
			locked = true
		}
		if _, err := o.w.Write(buf); err != nil {
			return fmt.Errorf("write stdout: %w", err)
		}
	}
	return nil
}
