// Package codecutil holds what several codecs share: the ecs_compatibility
// and charset options (conversion to UTF-8 as Logstash's
// LogStash::Util::Charset does), the plain-text event with
// [event][original], Logstash's Event#to_s, JSON document decoding with
// failure events, and option checks.
package codecutil

import (
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/pipeproject/pipe/pipeline"
)

// Failure tags set by the codecs.
const (
	// TagJSONParseFailure marks an event whose data was not JSON that makes
	// events (Logstash's tag).
	TagJSONParseFailure = "_jsonparsefailure"
	// TagLineTooLong marks an event holding only the start of a line that
	// was longer than decode_size_limit_bytes.
	TagLineTooLong = "_linetoolong"
)

// Names of the counters the codecs keep in their metrics.
const (
	CounterJSONParseFailure = "jsonparsefailure"
	CounterLineTooLong      = "linetoolong"
)

// ECS compatibility modes.
const (
	ECSDisabled = "disabled"
	ECSv1       = "v1"
	ECSv8       = "v8"
)

// ValidateECS checks an ecs_compatibility option ("" means: the pipeline's
// setting).
func ValidateECS(v string) error {
	switch v {
	case "", ECSDisabled, ECSv1, ECSv8:
		return nil
	}
	return &pipeline.ConfigError{Attr: "ecs_compatibility",
		Summary: fmt.Sprintf("unknown mode %q", v),
		Detail:  `use "disabled", "v1" or "v8" (or leave it out for the pipeline's setting)`}
}

// ECSEnabled resolves an ecs_compatibility option against the pipeline's
// setting (Logstash 8's default v8 when that is empty too) and reports
// whether ECS mode is on.
func ECSEnabled(opt string, s pipeline.Settings) bool {
	mode := opt
	if mode == "" {
		mode = s.ECSCompatibility
	}
	if mode == "" {
		mode = ECSv8
	}
	return mode != ECSDisabled
}

// ValidateDelimiter checks a delimiter option.
func ValidateDelimiter(v string) error {
	if v == "" {
		return &pipeline.ConfigError{Attr: "delimiter", Summary: "must not be empty",
			Detail: `give the string that ends each line, e.g. "\n"`}
	}
	return nil
}

// ValidateSizeLimit checks a decode_size_limit_bytes option.
func ValidateSizeLimit(v int) error {
	if v <= 0 {
		return &pipeline.ConfigError{Attr: "decode_size_limit_bytes",
			Summary: fmt.Sprintf("must be positive, got %d", v),
			Detail:  "give the longest line to accept in bytes, e.g. 16777216 (16 MiB)"}
	}
	return nil
}

// ParseTarget parses a target option ("" = no target).
func ParseTarget(v string) (pipeline.FieldRef, error) {
	if v == "" {
		return pipeline.FieldRef{}, nil
	}
	r, err := pipeline.ParseFieldRef(v)
	if err != nil {
		return r, &pipeline.ConfigError{Attr: "target", Summary: err.Error(),
			Detail: `give a field reference such as "doc" or "[doc][inner]"`}
	}
	if r.IsTimestamp() {
		return r, &pipeline.ConfigError{Attr: "target", Summary: "cannot be [@timestamp]",
			Detail: "the decoded object must go under a field that can hold a hash"}
	}
	return r, nil
}

// ValidateTarget checks a target option (ParseTarget's error only).
func ValidateTarget(v string) error {
	_, err := ParseTarget(v)
	return err
}

// ValidateFormat checks a format option (ParseFormat's error only).
func ValidateFormat(v string) error {
	_, err := ParseFormat(v)
	return err
}

// ParseFormat parses a format option ("" = none).
func ParseFormat(v string) (*pipeline.Template, error) {
	if v == "" {
		return nil, nil
	}
	t, err := pipeline.ParseTemplate(v)
	if err != nil {
		return nil, &pipeline.ConfigError{Attr: "format", Summary: err.Error(),
			Detail: `write fields as %{name} or %{[a][b]} and dates as %{+YYYY.MM.dd}`}
	}
	return t, nil
}

// Metrics returns d's metrics (a throwaway set when d has none, as in
// tests).
func Metrics(d pipeline.Deps) *pipeline.Metrics {
	if d.Metrics == nil {
		return &pipeline.Metrics{}
	}
	return d.Metrics
}

// DecodeCounter returns the named counter of m for a decoder being made and
// lists invalidutf8 (which the charset conversion counts) beside it. Codecs
// take their counters when they make a decoder, not when they are built, so
// that only plugins that decode (inputs) list them: an output's codec only
// encodes.
func DecodeCounter(m *pipeline.Metrics, name string) *atomic.Int64 {
	m.Counter(CounterInvalidUTF8)
	return m.Counter(name)
}

// MessageEvent returns a new event whose message is text (invalid UTF-8
// replaced), with [event][original] set to the same text when original is
// true (what Logstash 8's plain and line codecs do in ECS mode).
func MessageEvent(text []byte, original bool) *pipeline.Event {
	return TextEvent(pipeline.ValidUTF8(string(text)), original)
}

// TextEvent is MessageEvent for text already converted to valid UTF-8
// (by a Charset).
func TextEvent(text string, original bool) *pipeline.Event {
	// One interface value for both fields: boxing a string allocates.
	var msg any = text
	e := pipeline.NewEvent()
	e.Fields().Set(pipeline.MessageField, msg)
	if original {
		m := pipeline.NewMap(1)
		m.Set("original", msg)
		e.Fields().Set("event", m)
	}
	return e
}

// PlainDecoder makes one event per Decode call (a datagram, a Kafka record)
// with the data as message: the plain codec's decoder, also used by the
// codecs that have no decoder of their own in Logstash.
type PlainDecoder struct {
	// Original sets [event][original] too (ECS mode).
	Original bool
	// Charset converts the data to UTF-8; nil reads it as UTF-8 with
	// invalid bytes replaced by U+FFFD.
	Charset *Charset
}

var _ pipeline.Decoder = PlainDecoder{}

// Decode emits one event holding data as its message.
func (p PlainDecoder) Decode(data []byte, emit func(*pipeline.Event)) {
	if p.Charset == nil {
		emit(MessageEvent(data, p.Original))
		return
	}
	emit(TextEvent(p.Charset.String(data), p.Original))
}

// Flush does nothing: a plain decoder keeps no state.
func (PlainDecoder) Flush(func(*pipeline.Event)) {}

// AppendToS appends Logstash's Event#to_s: "<@timestamp> <host> <message>",
// with the literal %{host} or %{message} when the field is missing or null,
// and without the timestamp when the event has none. Values that are not
// strings print as Java's toString would show them ({a=1, b=[x, y]} for a
// hash).
func AppendToS(dst []byte, e *pipeline.Event) []byte {
	if ts, ok := e.Timestamp(); ok {
		dst = ts.AppendISO(dst)
		dst = append(dst, ' ')
	}
	if v, ok := e.Fields().Get("host"); ok && v != nil {
		dst = appendJava(dst, v)
	} else {
		dst = append(dst, "%{host}"...)
	}
	dst = append(dst, ' ')
	if v, ok := e.Fields().Get(pipeline.MessageField); ok && v != nil {
		dst = appendJava(dst, v)
	} else {
		dst = append(dst, "%{message}"...)
	}
	return dst
}

// appendJava appends v as Java's toString shows the Javafied value: maps as
// {k=v, ...}, lists as [a, b], null as null.
func appendJava(dst []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return append(dst, pipeline.ValidUTF8(t)...)
	case int64:
		return strconv.AppendInt(dst, t, 10)
	case []any:
		dst = append(dst, '[')
		for i, x := range t {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendJava(dst, x)
		}
		return append(dst, ']')
	case *pipeline.Map:
		dst = append(dst, '{')
		first := true
		t.Range(func(k string, x any) bool {
			if !first {
				dst = append(dst, ", "...)
			}
			first = false
			dst = append(dst, k...)
			dst = append(dst, '=')
			dst = appendJava(dst, x)
			return true
		})
		return append(dst, '}')
	default:
		return pipeline.AppendValueString(dst, v)
	}
}

// JSONParser turns JSON documents into events as Logstash's json codecs
// do: an object makes one event, an array of objects one event per element,
// blank text none, and anything else one event with the text in message
// and the tag _jsonparsefailure. With a target, each object goes under that
// field of a new event instead of making the event's top level. It reuses
// its parser and belongs to one goroutine.
type JSONParser struct {
	// Target, when not zero, is where each decoded object goes.
	Target pipeline.FieldRef
	// Failures counts the documents that failed to parse.
	Failures *atomic.Int64

	dec pipeline.JSONDecoder
}

// errArrayElement is the error for an array holding a value that is not an
// object.
var errArrayElement = errors.New("JSON array element is not an object")

// Parse decodes one document and appends the events it makes to dst. ok
// is false when data was not JSON that makes events and the one event
// appended is the failure event.
func (p *JSONParser) Parse(dst []*pipeline.Event, data []byte) (events []*pipeline.Event, ok bool) {
	if IsBlank(data) {
		return dst, true
	}
	n := len(dst)
	var err error
	if p.Target.IsZero() {
		err = p.dec.DecodeEvents(data, func(e *pipeline.Event) { dst = append(dst, e) })
	} else {
		dst, err = p.targeted(dst, data)
	}
	if err != nil {
		clear(dst[n:])
		dst = dst[:n]
		if p.Failures != nil {
			p.Failures.Add(1)
		}
		e := pipeline.NewMessageEvent(string(data))
		e.AddTag(TagJSONParseFailure)
		return append(dst, e), false
	}
	return dst, true
}

// ParseEach is Parse handing each event to emit as soon as it is made, so
// a document holding a long array never exists as events all at once. ok
// is as for Parse.
func (p *JSONParser) ParseEach(data []byte, emit func(*pipeline.Event)) (ok bool) {
	if IsBlank(data) {
		return true
	}
	if !p.Target.IsZero() {
		var evs []*pipeline.Event
		evs, ok = p.Parse(nil, data)
		for _, e := range evs {
			emit(e)
		}
		return ok
	}
	// DecodeEvents reports every error before it emits anything.
	if err := p.dec.DecodeEvents(data, emit); err != nil {
		if p.Failures != nil {
			p.Failures.Add(1)
		}
		e := pipeline.NewMessageEvent(string(data))
		e.AddTag(TagJSONParseFailure)
		emit(e)
		return false
	}
	return true
}

func (p *JSONParser) targeted(dst []*pipeline.Event, data []byte) ([]*pipeline.Event, error) {
	v, err := p.dec.DecodeValue(data)
	if err != nil {
		return dst, err
	}
	switch t := v.(type) {
	case *pipeline.Map:
		return append(dst, p.wrap(t)), nil
	case []any:
		for _, x := range t {
			if _, ok := x.(*pipeline.Map); !ok {
				return dst, errArrayElement
			}
		}
		for _, x := range t {
			dst = append(dst, p.wrap(x.(*pipeline.Map)))
		}
		return dst, nil
	default:
		return dst, pipeline.ErrJSONNotObject
	}
}

func (p *JSONParser) wrap(m *pipeline.Map) *pipeline.Event {
	e := pipeline.NewEvent()
	// Setting a fresh event's target can only fail for [@metadata] with a
	// non-hash, and m is a hash.
	_ = e.Set(p.Target, m)
	return e
}

// IsBlank reports whether data holds only whitespace (bytes up to ' ', as
// Java's String.trim sees it): Logstash makes no event from such text.
func IsBlank(data []byte) bool {
	for _, c := range data {
		if c > ' ' {
			return false
		}
	}
	return true
}
