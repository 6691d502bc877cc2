package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestLargeDocumentsDecodeAsSmallOnes checks that the streaming path for
// large documents gives the same events as the fastjson path.
func TestLargeDocumentsDecodeAsSmallOnes(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; b.Len() < largeDocument+100; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"@timestamp":"2026-11-24T23:08:04.%03dZ","n":%d,"f":%d.5,"big":12345678901234567890,"s":"caf\u00e9 \"q\" %d","tags":["a"],"nested":{"l":[1,null,true,{"x":"y"}]},"dup":1,"dup":2,"@metadata":{"m":1}}`, i%1000, i, i, i)
	}
	b.WriteString("]")
	doc := []byte(b.String())
	for _, tc := range []struct {
		name string
		doc  []byte
	}{
		{"array", doc},
		{"object", []byte(`{"@timestamp":"2026-01-01T00:00:00Z","k":` + string(doc) + `,"message":"x"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fast, large []string
			var d JSONDecoder
			if err := d.decodeFast(tc.doc, func(e *Event) { fast = append(fast, string(AppendEventJSON(nil, e))) }); err != nil {
				t.Fatal(err)
			}
			if err := d.DecodeEvents(tc.doc, func(e *Event) { large = append(large, string(AppendEventJSON(nil, e))) }); err != nil {
				t.Fatal(err)
			}
			if len(fast) != len(large) {
				t.Fatalf("fast path %d events, large path %d", len(fast), len(large))
			}
			for i := range fast {
				if fast[i] != large[i] {
					t.Fatalf("event %d differs:\nfast  %.300s\nlarge %.300s", i, fast[i], large[i])
				}
			}
		})
	}
}

func TestLargeDocumentErrorsEmitNothing(t *testing.T) {
	pad := strings.Repeat(`{"a":1},`, largeDocument/8+10)
	for _, tc := range []struct {
		name, doc string
		notObj    bool
	}{
		{"scalar element at the end", "[" + pad + `1]`, true},
		{"bad JSON at the end", "[" + pad + `{"a":}]`, false},
		{"scalar document", `"` + strings.Repeat("x", largeDocument) + `"`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d JSONDecoder
			n := 0
			err := d.DecodeEvents([]byte(tc.doc), func(*Event) { n++ })
			if err == nil || n != 0 {
				t.Fatalf("err %v, %d events emitted", err, n)
			}
			if tc.notObj != errors.Is(err, ErrJSONNotObject) {
				t.Fatalf("err %v", err)
			}
		})
	}
}
