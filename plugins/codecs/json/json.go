// Package json is the json codec: each block handed to the decoder (a UDP
// datagram, a Kafka record, an HTTP body) is one JSON document. An object
// makes an event, an array of objects one event per element; anything else
// makes an event holding the raw text in message, tagged _jsonparsefailure.
// Events encode as one JSON object with no newline after it, as in
// Logstash (consecutive events run together; use json_lines for a stream).
//
// Stream inputs (tcp, stdin) switch json to json_lines themselves, as
// Logstash does.
package json

import (
	"errors"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/codecs/internal/codecutil"
)

// Name is the codec's name in configs.
const Name = "json"

// Config holds the json codec's options.
type Config struct {
	// Target is a field reference the decoded object is put under; without
	// it the object's fields make the event's top level.
	Target string `hcl:"target,optional"`
	// ECSCompatibility is disabled, v1 or v8; in v1 and v8 a document that
	// makes exactly one event also has its text in [event][original] (unless
	// the document set that field). Empty: the pipeline's setting.
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
		codecutil.ValidateTarget(c.Target),
		codecutil.ValidateECS(c.ECSCompatibility),
		codecutil.ValidateCharset(c.Charset),
	)
}

// Plugin describes the json codec for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewCodecPlugin(Name, "one JSON document per datagram or record", defaults, build)
}

func build(cfg *Config, d pipeline.Deps) (pipeline.Codec, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	target, _ := codecutil.ParseTarget(cfg.Target)
	return &Codec{
		target:   target,
		original: codecutil.ECSEnabled(cfg.ECSCompatibility, d.Settings),
		origRef:  pipeline.MustFieldRef("[event][original]"),
		metrics:  codecutil.Metrics(d),
		charset:  codecutil.NewCharset(cfg.Charset, d),
	}, nil
}

// Codec is the json codec. It is immutable and safe for concurrent use.
type Codec struct {
	target   pipeline.FieldRef
	original bool
	origRef  pipeline.FieldRef
	metrics  *pipeline.Metrics
	charset  *codecutil.Charset
}

var _ pipeline.Codec = (*Codec)(nil)

// NewDecoder returns a decoder, which reuses its JSON parser.
func (c *Codec) NewDecoder() pipeline.Decoder {
	failures := codecutil.DecodeCounter(c.metrics, codecutil.CounterJSONParseFailure)
	return &decoder{c: c, parser: codecutil.JSONParser{Target: c.target, Failures: failures}}
}

// Encode appends the event as one JSON object (@timestamp first, no
// @metadata) with no delimiter.
func (c *Codec) Encode(dst []byte, e *pipeline.Event) []byte {
	return pipeline.AppendEventJSON(dst, e)
}

// decoder parses one document per Decode call.
type decoder struct {
	c      *Codec
	parser codecutil.JSONParser
	events []*pipeline.Event
}

var _ pipeline.Decoder = (*decoder)(nil)

// Decode parses data as one JSON document and emits its events.
func (d *decoder) Decode(data []byte, emit func(*pipeline.Event)) {
	data = d.c.charset.Bytes(data)
	var ok bool
	d.events, ok = d.parser.Parse(d.events[:0], data)
	if ok && len(d.events) == 1 && d.c.original {
		if e := d.events[0]; !e.Includes(d.c.origRef) {
			// This fails only when the document made [event] a value that
			// is not a hash; the event then goes on without the copy.
			_ = e.Set(d.c.origRef, pipeline.ValidUTF8(string(data)))
		}
	}
	for i, e := range d.events {
		d.events[i] = nil
		emit(e)
	}
}

// Flush does nothing: each Decode call is a whole document.
func (d *decoder) Flush(func(*pipeline.Event)) {}
