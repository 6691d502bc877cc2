// Package plain is the plain codec: text with no framing of its own. Each
// block handed to the decoder (a datagram, a Kafka record) becomes one
// event whose message is the text, converted from the charset option's
// character set to UTF-8; events encode as the format option or
// Logstash's "<@timestamp> <host> <message>", with no delimiter.
package plain

import (
	"errors"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/codecs/internal/codecutil"
)

// Name is the codec's name in configs.
const Name = "plain"

// Config holds the plain codec's options.
type Config struct {
	// Format is a sprintf format ("%{message}") each event is encoded as;
	// without it an event encodes as "<@timestamp> <host> <message>".
	Format string `hcl:"format,optional"`
	// ECSCompatibility is disabled, v1 or v8; in v1 and v8 decoding also
	// copies the text to [event][original]. Empty: the pipeline's setting.
	ECSCompatibility string `hcl:"ecs_compatibility,optional"`
	// Charset is the character set of the decoded text ("UTF-8"); other
	// sets are converted to UTF-8. Ruby's and Java's names are accepted,
	// in any case.
	Charset string `hcl:"charset,optional"`
}

func defaults() *Config { return &Config{Charset: codecutil.DefaultCharset} }

var _ pipeline.CharsetConfig = (*Config)(nil)

// CodecCharset implements pipeline.CharsetConfig.
func (c *Config) CodecCharset() string { return c.Charset }

// SetCodecCharset implements pipeline.CharsetConfig.
func (c *Config) SetCodecCharset(v string) { c.Charset = v }

// Validate checks the options.
func (c *Config) Validate() error {
	return errors.Join(
		codecutil.ValidateFormat(c.Format),
		codecutil.ValidateECS(c.ECSCompatibility),
		codecutil.ValidateCharset(c.Charset),
	)
}

// Plugin describes the plain codec for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewCodecPlugin(Name, "plain text, one event per datagram or record", defaults, build)
}

func build(cfg *Config, d pipeline.Deps) (pipeline.Codec, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	format, _ := codecutil.ParseFormat(cfg.Format)
	return &Codec{
		format:   format,
		original: codecutil.ECSEnabled(cfg.ECSCompatibility, d.Settings),
		charset:  codecutil.NewCharset(cfg.Charset, d),
		metrics:  codecutil.Metrics(d),
	}, nil
}

// Codec is the plain codec. It is immutable and safe for concurrent use.
type Codec struct {
	format   *pipeline.Template
	original bool
	charset  *codecutil.Charset
	metrics  *pipeline.Metrics
}

var _ pipeline.Codec = (*Codec)(nil)

// NewDecoder returns a decoder that makes one event per Decode call.
func (c *Codec) NewDecoder() pipeline.Decoder {
	c.metrics.Counter(codecutil.CounterInvalidUTF8) // listed by plugins that decode
	return codecutil.PlainDecoder{Original: c.original, Charset: c.charset}
}

// Encode appends the event as its format, or as Logstash's Event#to_s.
func (c *Codec) Encode(dst []byte, e *pipeline.Event) []byte {
	if c.format != nil {
		return c.format.Append(dst, e)
	}
	return codecutil.AppendToS(dst, e)
}
