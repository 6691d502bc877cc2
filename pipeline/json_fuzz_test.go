package pipeline

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzJSONRoundTrip: decoding arbitrary bytes never panics; every event it
// yields encodes to valid JSON, and decoding that encoding gives one event
// that encodes to the same bytes.
func FuzzJSONRoundTrip(f *testing.F) {
	for _, seed := range []string{
		pythonLogstashLine,
		`{}`,
		`[]`,
		`[{"a":1},{"b":[1,2,{"c":null}]}]`,
		`{"@timestamp":"2026-11-24T23:08:04.232+01:00","message":"m"}`,
		`{"@timestamp":"9999-12-31T24:00","x":1}`,
		`{"@timestamp":"0000-01-01T00:00:00+18:00"}`,
		`{"@timestamp":"bad","tags":5}`,
		`{"@timestamp":null,"tags":null}`,
		`{"@timestamp":12,"tags":["a",1]}`,
		`{"tags":"x","@metadata":{"a":1},"@version":2}`,
		`{"n":[0,-0,-0.0,1.5,1e7,1E-4,1e400,9223372036854775808,-9223372036854775809]}`,
		`{"n":+1}`,
		`{"n":NaN}`,
		`{"s":"\u0000\u001f\"\\\/\b\f\n\r\t\ud83d\ude00\ud800"}`,
		"{\"s\":\"\xff\xfe\",\"k\xc3\":\"\xed\xa0\x80\"}",
		`{"a":1,"a":2,"b":{"c":1,"c":[]}}`,
		`{"a":{"b":{"c":{"d":{"e":{"f":"deep"}}}}}}`,
		`"scalar"`,
		`  `,
		`{"a":`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d JSONDecoder
		var events []*Event
		err := d.DecodeEvents(data, func(e *Event) { events = append(events, e) })
		if err != nil {
			if len(events) != 0 {
				t.Fatalf("%d events emitted with error %v", len(events), err)
			}
			return
		}
		var d2 JSONDecoder
		for _, e := range events {
			out := AppendEventJSON(nil, e)
			if !json.Valid(out) {
				t.Fatalf("invalid JSON %q from input %q", out, data)
			}
			var again []*Event
			if err := d2.DecodeEvents(out, func(e *Event) { again = append(again, e) }); err != nil {
				t.Fatalf("re-decoding %q: %v", out, err)
			}
			if len(again) != 1 {
				t.Fatalf("re-decoding %q gave %d events", out, len(again))
			}
			out2 := AppendEventJSON(nil, again[0])
			if !bytes.Equal(out, out2) {
				t.Fatalf("round trip differs\ninput  %q\nfirst  %s\nsecond %s", data, out, out2)
			}
		}
	})
}
