package pipeline

import (
	"encoding/json"
	"testing"

	gojson "github.com/goccy/go-json"
	"github.com/valyala/fastjson"
)

// Benchmarks of the event model. Run with
//
//	go test ./pipeline -run xxx -bench 'Event|AddTag|JSON|Timestamp|ISO' -benchmem
//
// The JSON benchmarks use the python-logstash line (pythonLogstashLine in
// json_test.go), reuse one decoder and one output buffer, and report MB/s
// of input. BenchmarkJSONRoundTripStdlib and BenchmarkJSONRoundTripGoccy do
// the same round trip through map[string]any for comparison; they lose key
// order, which is one more reason for fastjson plus our own encoder.

var (
	benchSink   any
	benchBool   bool
	benchString string
)

func benchEvent(b *testing.B) *Event {
	var d JSONDecoder
	var e *Event
	line := `{"@timestamp":"2026-11-24T23:08:04.232Z","message":"m","host":"vm",` +
		`"a":{"b":{"c":1}},"list":["x","y","z"],"tags":["t1","t2"]}`
	if err := d.DecodeEvents([]byte(line), func(x *Event) { e = x }); err != nil {
		b.Fatal(err)
	}
	return e
}

func BenchmarkEventGet(b *testing.B) {
	e := benchEvent(b)
	r := MustFieldRef("[a][b][c]")
	b.ReportAllocs()
	for b.Loop() {
		benchSink, benchBool = e.Get(r)
	}
}

func BenchmarkEventGetTopLevel(b *testing.B) {
	e := benchEvent(b)
	r := MustFieldRef("message")
	b.ReportAllocs()
	for b.Loop() {
		benchSink, benchBool = e.Get(r)
	}
}

func BenchmarkEventSet(b *testing.B) {
	e := benchEvent(b)
	r := MustFieldRef("[a][b][d]")
	var v any = "value"
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Set(r, v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEventSetNew sets a nested field whose parent is missing, so an
// intermediate map is created each time (then removed again).
func BenchmarkEventSetNew(b *testing.B) {
	e := benchEvent(b)
	r := MustFieldRef("[x][y]")
	parent := MustFieldRef("x")
	var v any = "value"
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Set(r, v); err != nil {
			b.Fatal(err)
		}
		e.Remove(parent)
	}
}

// BenchmarkAddTag adds a new tag to an event with two tags (the list grows),
// then adds it again (found, no change). The tags are reset each time
// without allocating.
func BenchmarkAddTag(b *testing.B) {
	e := benchEvent(b)
	two := []any{"t1", "t2"}
	var reset any = two[:2:2]
	b.ReportAllocs()
	for b.Loop() {
		e.Fields().Set(TagsField, reset)
		e.AddTag("_grokparsefailure")
		e.AddTag("_grokparsefailure") // duplicate: no change
	}
	if !e.HasTag("_grokparsefailure") || len(two) != 2 {
		b.Fatal("AddTag did not work")
	}
}

func BenchmarkEventClone(b *testing.B) {
	e := benchEvent(b)
	b.ReportAllocs()
	for b.Loop() {
		benchSink = e.Clone()
	}
}

func BenchmarkJSONDecodeEvent(b *testing.B) {
	var d JSONDecoder
	data := []byte(pythonLogstashLine)
	emit := func(e *Event) { benchSink = e }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.DecodeEvents(data, emit); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONEncodeEvent(b *testing.B) {
	var d JSONDecoder
	var e *Event
	if err := d.DecodeEvents([]byte(pythonLogstashLine), func(x *Event) { e = x }); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1024)
	b.SetBytes(int64(len(AppendEventJSON(nil, e))))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEventJSON(buf[:0], e)
	}
	benchString = string(buf)
}

func BenchmarkJSONRoundTrip(b *testing.B) {
	var d JSONDecoder
	data := []byte(pythonLogstashLine)
	buf := make([]byte, 0, 1024)
	emit := func(e *Event) { buf = AppendEventJSON(buf[:0], e) }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.DecodeEvents(data, emit); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONRoundTripStdlib: encoding/json into map[string]any and back
// (sorted keys, no event rules).
func BenchmarkJSONRoundTripStdlib(b *testing.B) { benchMapJSON(b, json.Unmarshal, json.Marshal) }

// BenchmarkJSONRoundTripGoccy: github.com/goccy/go-json v0.12.0 into
// map[string]any and back.
func BenchmarkJSONRoundTripGoccy(b *testing.B) { benchMapJSON(b, gojson.Unmarshal, gojson.Marshal) }

// benchMapJSON decodes the python-logstash event into a map[string]any
// with unmarshal and, when marshal is not nil, encodes it back.
func benchMapJSON(b *testing.B, unmarshal func([]byte, any) error, marshal func(any) ([]byte, error)) {
	data := []byte(pythonLogstashLine)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
		benchSink = m
		if marshal == nil {
			continue
		}
		out, err := marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = out
	}
}

// BenchmarkJSONParseFastjson: fastjson's parse alone, no conversion into
// event values (what the 0.15 µs in json.go's comment measures).
func BenchmarkJSONParseFastjson(b *testing.B) {
	var p fastjson.Parser
	data := []byte(pythonLogstashLine)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		v, err := p.ParseBytes(data)
		if err != nil {
			b.Fatal(err)
		}
		benchBool = v.Exists("message")
	}
}

// Decode-only comparison (the figures json.go quotes).
func BenchmarkJSONDecodeStdlib(b *testing.B) { benchMapJSON(b, json.Unmarshal, nil) }

func BenchmarkJSONDecodeGoccy(b *testing.B) { benchMapJSON(b, gojson.Unmarshal, nil) }

var benchTS Timestamp

func BenchmarkParseTimestamp(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ts, err := ParseTimestamp("2026-11-24T23:08:04.232Z")
		if err != nil {
			b.Fatal(err)
		}
		benchTS = ts
	}
}

func BenchmarkParseTimestampOffset(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ts, err := ParseTimestamp("2026-11-24T23:08:04.232123+01:00")
		if err != nil {
			b.Fatal(err)
		}
		benchTS = ts
	}
}

func BenchmarkAppendISO(b *testing.B) {
	ts, _ := ParseTimestamp("2026-11-24T23:08:04.232Z")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = ts.AppendISO(buf[:0])
	}
	benchString = string(buf)
}
