// Package jsonlines is the json_lines codec: a stream of JSON documents,
// one per line (newline-delimited JSON, what python-logstash's TCP handler
// sends). Each line that holds an object makes an event, an array of
// objects one event per element; anything else makes an event holding the
// raw line in message, tagged _jsonparsefailure. Blank lines make nothing.
// Events encode as one JSON object and the delimiter.
//
// Decoding keeps at most decode_size_limit_bytes of a partial line between
// reads: a longer line becomes an event holding its first bytes in message,
// tagged _linetoolong and not parsed, and the rest of it is dropped as it
// arrives.
package jsonlines

import (
	"errors"
	"sync/atomic"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/codecs/internal/codecutil"
	"github.com/pipeproject/pipe/plugins/codecs/lines"
)

// Name is the codec's name in configs.
const Name = "json_lines"

// Config holds the json_lines codec's options.
type Config struct {
	// Delimiter ends each JSON document, in decoding and encoding ("\n").
	Delimiter string `hcl:"delimiter,optional"`
	// DecodeSizeLimitBytes is the longest line parsed, in bytes (16 MiB;
	// Logstash's default is 512 MiB). A longer line gives an event with its
	// first bytes in message and the tag _linetoolong.
	DecodeSizeLimitBytes int `hcl:"decode_size_limit_bytes,optional"`
	// Target is a field reference the decoded object is put under; without
	// it the object's fields make the event's top level.
	Target string `hcl:"target,optional"`
	// ECSCompatibility is disabled, v1 or v8 (no effect on this codec's
	// events, as in Logstash). Empty: the pipeline's setting.
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
		codecutil.ValidateSizeLimit(c.DecodeSizeLimitBytes),
		codecutil.ValidateTarget(c.Target),
		codecutil.ValidateECS(c.ECSCompatibility),
		codecutil.ValidateCharset(c.Charset),
	)
}

// Plugin describes the json_lines codec for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewCodecPlugin(Name, "newline-delimited JSON, one event per line", defaults, build)
}

func build(cfg *Config, d pipeline.Deps) (pipeline.Codec, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	target, _ := codecutil.ParseTarget(cfg.Target)
	return &Codec{
		delim:   cfg.Delimiter,
		limit:   cfg.DecodeSizeLimitBytes,
		target:  target,
		metrics: codecutil.Metrics(d),
		charset: codecutil.NewCharset(cfg.Charset, d),
	}, nil
}

// Codec is the json_lines codec. It is immutable and safe for concurrent
// use; each stream gets its own decoder.
type Codec struct {
	delim   string
	limit   int
	target  pipeline.FieldRef
	metrics *pipeline.Metrics
	charset *codecutil.Charset
}

var _ pipeline.Codec = (*Codec)(nil)

// NewDecoder returns a decoder for one stream.
func (c *Codec) NewDecoder() pipeline.Decoder {
	return &decoder{
		c:       c,
		split:   lines.New(c.delim, c.limit),
		parser:  codecutil.JSONParser{Target: c.target, Failures: codecutil.DecodeCounter(c.metrics, codecutil.CounterJSONParseFailure)},
		tooLong: codecutil.DecodeCounter(c.metrics, codecutil.CounterLineTooLong),
	}
}

// Encode appends the event as one JSON object (@timestamp first, no
// @metadata) and the delimiter.
func (c *Codec) Encode(dst []byte, e *pipeline.Event) []byte {
	dst = pipeline.AppendEventJSON(dst, e)
	return append(dst, c.delim...)
}

// decoder splits one stream into lines and parses each.
type decoder struct {
	c       *Codec
	split   *lines.Splitter
	parser  codecutil.JSONParser
	tooLong *atomic.Int64
}

var _ pipeline.Decoder = (*decoder)(nil)

// Decode emits the events of each line that data completes.
func (d *decoder) Decode(data []byte, emit func(*pipeline.Event)) {
	d.split.Split(data, func(line []byte, truncated bool) { d.line(line, truncated, emit) })
}

// Flush parses the partial last line, if any.
func (d *decoder) Flush(emit func(*pipeline.Event)) {
	d.split.Flush(func(line []byte, truncated bool) { d.line(line, truncated, emit) })
}

func (d *decoder) line(line []byte, truncated bool, emit func(*pipeline.Event)) {
	if truncated {
		e := pipeline.NewMessageEvent(d.c.charset.String(line))
		e.AddTag(codecutil.TagLineTooLong)
		d.tooLong.Add(1)
		emit(e)
		return
	}
	d.parser.ParseEach(d.c.charset.Bytes(line), emit)
}
