// Package line is the line codec: a stream of lines ended by a delimiter
// ("\n"), one event per line (converted from the charset option's
// character set to UTF-8), and events encoded as one line each.
//
// Decoding keeps at most decode_size_limit_bytes of a partial line between
// reads: a longer line becomes an event holding its first bytes, tagged
// _linetoolong, and the rest of it is dropped as it arrives.
package line

import (
	"errors"
	"sync/atomic"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/codecs/internal/codecutil"
	"github.com/pipeproject/pipe/plugins/codecs/lines"
)

// Name is the codec's name in configs.
const Name = "line"

// Config holds the line codec's options.
type Config struct {
	// Delimiter ends each line, in decoding and encoding ("\n").
	Delimiter string `hcl:"delimiter,optional"`
	// Format is a sprintf format ("%{message}") each event is encoded as;
	// without it an event encodes as "<@timestamp> <host> <message>".
	Format string `hcl:"format,optional"`
	// DecodeSizeLimitBytes is the longest line kept whole, in bytes (16 MiB).
	// A longer line gives an event with its first bytes and the tag
	// _linetoolong.
	DecodeSizeLimitBytes int `hcl:"decode_size_limit_bytes,optional"`
	// ECSCompatibility is disabled, v1 or v8; in v1 and v8 decoding also
	// copies each line to [event][original]. Empty: the pipeline's setting.
	ECSCompatibility string `hcl:"ecs_compatibility,optional"`
	// Charset is the character set of the decoded text ("UTF-8"); other
	// sets are converted to UTF-8. Ruby's and Java's names are accepted,
	// in any case.
	Charset string `hcl:"charset,optional"`
}

func defaults() *Config {
	return &Config{Delimiter: "\n", DecodeSizeLimitBytes: lines.DefaultLimit, Charset: codecutil.DefaultCharset}
}

var _ pipeline.CharsetConfig = (*Config)(nil)

// CodecCharset implements pipeline.CharsetConfig.
func (c *Config) CodecCharset() string { return c.Charset }

// SetCodecCharset implements pipeline.CharsetConfig.
func (c *Config) SetCodecCharset(v string) { c.Charset = v }

// Validate checks the options.
func (c *Config) Validate() error {
	return errors.Join(
		codecutil.ValidateDelimiter(c.Delimiter),
		codecutil.ValidateFormat(c.Format),
		codecutil.ValidateSizeLimit(c.DecodeSizeLimitBytes),
		codecutil.ValidateECS(c.ECSCompatibility),
		codecutil.ValidateCharset(c.Charset),
	)
}

// Plugin describes the line codec for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewCodecPlugin(Name, "lines of text, one event per line", defaults, build)
}

func build(cfg *Config, d pipeline.Deps) (pipeline.Codec, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	format, _ := codecutil.ParseFormat(cfg.Format)
	return &Codec{
		delim:    cfg.Delimiter,
		limit:    cfg.DecodeSizeLimitBytes,
		format:   format,
		original: codecutil.ECSEnabled(cfg.ECSCompatibility, d.Settings),
		metrics:  codecutil.Metrics(d),
		charset:  codecutil.NewCharset(cfg.Charset, d),
	}, nil
}

// Codec is the line codec. It is immutable and safe for concurrent use;
// each stream gets its own decoder.
type Codec struct {
	delim    string
	limit    int
	format   *pipeline.Template
	original bool
	metrics  *pipeline.Metrics
	charset  *codecutil.Charset
}

var _ pipeline.Codec = (*Codec)(nil)

// NewDecoder returns a decoder for one stream.
func (c *Codec) NewDecoder() pipeline.Decoder {
	return &decoder{c: c, split: lines.New(c.delim, c.limit), tooLong: codecutil.DecodeCounter(c.metrics, codecutil.CounterLineTooLong)}
}

// Encode appends the event as its format (or Logstash's Event#to_s) and
// the delimiter.
func (c *Codec) Encode(dst []byte, e *pipeline.Event) []byte {
	if c.format != nil {
		dst = c.format.Append(dst, e)
	} else {
		dst = codecutil.AppendToS(dst, e)
	}
	return append(dst, c.delim...)
}

// decoder splits one stream into line events.
type decoder struct {
	c       *Codec
	split   *lines.Splitter
	tooLong *atomic.Int64
}

var _ pipeline.Decoder = (*decoder)(nil)

// Decode emits an event for each line that data completes.
func (d *decoder) Decode(data []byte, emit func(*pipeline.Event)) {
	d.split.Split(data, func(line []byte, truncated bool) { emit(d.event(line, truncated)) })
}

// Flush emits the partial last line, if any.
func (d *decoder) Flush(emit func(*pipeline.Event)) {
	d.split.Flush(func(line []byte, truncated bool) { emit(d.event(line, truncated)) })
}

func (d *decoder) event(line []byte, truncated bool) *pipeline.Event {
	e := codecutil.TextEvent(d.c.charset.String(line), d.c.original)
	if truncated {
		e.AddTag(codecutil.TagLineTooLong)
		d.tooLong.Add(1)
	}
	return e
}
