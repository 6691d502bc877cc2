// Package dots is the dots codec: each event encodes as a single "." (no
// newline), a progress display for benchmarks and smoke tests.
//
// Logstash's dots codec has no decoder; here decoding behaves as the plain
// codec (one event per block, the text in message).
package dots

import (
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/codecs/internal/codecutil"
)

// Name is the codec's name in configs.
const Name = "dots"

// Config holds the dots codec's options: it has none.
type Config struct{}

func defaults() *Config { return &Config{} }

// Validate checks the options (there are none).
func (c *Config) Validate() error { return nil }

// Plugin describes the dots codec for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewCodecPlugin(Name, `one "." per event`, defaults, build)
}

func build(_ *Config, d pipeline.Deps) (pipeline.Codec, error) {
	return &Codec{original: codecutil.ECSEnabled("", d.Settings)}, nil
}

// Codec is the dots codec. It is immutable and safe for concurrent use.
type Codec struct {
	original bool
}

var _ pipeline.Codec = (*Codec)(nil)

// NewDecoder returns a plain decoder (Logstash has no dots decoder): one
// event per Decode call with the data as message.
func (c *Codec) NewDecoder() pipeline.Decoder {
	return codecutil.PlainDecoder{Original: c.original}
}

// Encode appends ".".
func (c *Codec) Encode(dst []byte, _ *pipeline.Event) []byte {
	return append(dst, '.')
}
