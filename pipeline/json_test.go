package pipeline

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// pythonLogstashLine is one event as python-logstash 0.4.8 sends it
// (LogstashFormatterVersion1, Python 3.12, Django's log_response).
const pythonLogstashLine = `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing", "host": "vm", "path": "/srv/app/capture.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/missing'>"}`

func TestJSONPythonLogstash(t *testing.T) {
	e := decodeOne(t, pythonLogstashLine)
	want := `{"@timestamp":"2026-11-24T23:08:04.232Z","@version":"1","message":"Not Found: /missing","host":"vm","path":"/srv/app/capture.py","tags":[],"type":"logstash","level":"WARNING","logger_name":"django.request","taskName":null,"status_code":404,"request":"<WSGIRequest: GET '/missing'>"}`
	if got := string(AppendEventJSON(nil, e)); got != want {
		t.Errorf("encoded\n got %s\nwant %s", got, want)
	}
	for _, c := range []struct {
		ref  string
		want any
	}{
		{"status_code", int64(404)},
		{"taskName", nil},
		{"tags", []any{}},
		{"@version", "1"},
	} {
		if got, ok := e.Get(ref(c.ref)); !ok || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v (%T), %v; want %#v", c.ref, got, got, ok, c.want)
		}
	}
	if e.HasTag("_timestampparsefailure") {
		t.Errorf("timestamp failed to parse")
	}
}

func TestJSONKeyOrder(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"@timestamp moved first", `{"z":1,"a":2,"@timestamp":"2020-01-01T00:00:00Z","m":3}`,
			`{"@timestamp":"2020-01-01T00:00:00.000Z","@version":"1","z":1,"a":2,"m":3}`},
		{"@version where it was", `{"z":1,"@version":"1","@timestamp":"2020-01-01T00:00:00Z"}`,
			`{"@timestamp":"2020-01-01T00:00:00.000Z","z":1,"@version":"1"}`},
		{"@metadata never written", `{"@metadata":{"secret":1},"@timestamp":"2020-01-01T00:00:00Z","a":{"@metadata":2}}`,
			`{"@timestamp":"2020-01-01T00:00:00.000Z","@version":"1","a":{"@metadata":2}}`},
		{"nested order kept", `{"@timestamp":"2020-01-01T00:00:00Z","o":{"z":1,"y":{"b":2,"a":3},"x":[{"q":1,"p":2}]}}`,
			`{"@timestamp":"2020-01-01T00:00:00.000Z","@version":"1","o":{"z":1,"y":{"b":2,"a":3},"x":[{"q":1,"p":2}]}}`},
		{"duplicate keys: last value wins, first position", `{"@timestamp":"2020-01-01T00:00:00Z","a":1,"b":2,"a":3}`,
			`{"@timestamp":"2020-01-01T00:00:00.000Z","@version":"1","a":3,"b":2}`},
		{"duplicate @timestamp: last wins", `{"@timestamp":"2020-01-01T00:00:00Z","@timestamp":"2021-01-01T00:00:00Z"}`,
			`{"@timestamp":"2021-01-01T00:00:00.000Z","@version":"1"}`},
		{"whitespace", " \n\t{ \"@timestamp\" : \"2020-01-01T00:00:00Z\" , \"a\" : [ 1 , 2 ] }\r\n ",
			`{"@timestamp":"2020-01-01T00:00:00.000Z","@version":"1","a":[1,2]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := decodeOne(t, tc.in)
			if got := string(AppendEventJSON(nil, e)); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
	t.Run("more than 16 keys", func(t *testing.T) {
		var b strings.Builder
		var want strings.Builder
		b.WriteString(`{"@timestamp":"2020-01-01T00:00:00Z"`)
		want.WriteString(`{"@timestamp":"2020-01-01T00:00:00.000Z","@version":"1"`)
		for i := 40; i > 0; i-- {
			k := string(rune('A'+i%26)) + strings.Repeat("x", i/26) + string(rune('0'+i%10))
			b.WriteString(`,"` + k + `":` + string(rune('0'+i%10)))
			want.WriteString(`,"` + k + `":` + string(rune('0'+i%10)))
		}
		b.WriteString("}")
		want.WriteString("}")
		e := decodeOne(t, b.String())
		if got := string(AppendEventJSON(nil, e)); got != want.String() {
			t.Errorf("\n got %s\nwant %s", got, want.String())
		}
	})
}

func TestJSONNumbers(t *testing.T) {
	tests := []struct {
		in      string
		want    any
		encoded string
	}{
		{"0", int64(0), "0"},
		{"-0", int64(0), "0"},
		{"404", int64(404), "404"},
		{"-17", int64(-17), "-17"},
		{"9223372036854775807", int64(math.MaxInt64), "9223372036854775807"},
		{"-9223372036854775808", int64(math.MinInt64), "-9223372036854775808"},
		// Beyond int64: Logstash keeps a BigInteger; here it becomes a float.
		{"9223372036854775808", float64(1 << 63), "9.223372036854776E18"},
		{"18446744073709551616", float64(1 << 64), "1.8446744073709552E19"},
		{"-0.0", math.Copysign(0, -1), "-0.0"},
		{"0.0", 0.0, "0.0"},
		{"2.0", 2.0, "2.0"},
		{"1.5", 1.5, "1.5"},
		{"0.1", 0.1, "0.1"},
		{"1e3", 1000.0, "1000.0"},
		{"1E7", 1e7, "1.0E7"},
		{"12345678.9", 12345678.9, "1.23456789E7"},
		{"9999999.0", 9999999.0, "9999999.0"},
		{"0.001", 0.001, "0.001"},
		{"0.0001", 1e-4, "1.0E-4"},
		{"1.5e-5", 1.5e-5, "1.5E-5"},
		{"-2.5E+10", -2.5e10, "-2.5E10"},
		{"1e308", 1e308, "1.0E308"},
		{"1e400", math.Inf(1), "null"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			e := decodeOne(t, `{"n":`+tc.in+`}`)
			got, _ := e.Get(ref("n"))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("decoded %#v (%T), want %#v (%T)", got, got, tc.want, tc.want)
			}
			if f, ok := tc.want.(float64); ok && f == 0 && math.Signbit(f) != math.Signbit(got.(float64)) {
				t.Errorf("sign of zero lost")
			}
			if enc := string(AppendJSONValue(nil, got)); enc != tc.encoded {
				t.Errorf("encoded %s, want %s", enc, tc.encoded)
			}
		})
	}
}

// TestJSONInvalidNumbers: fastjson accepts number-like text that JSON and
// Jackson (so Logstash) reject; "+1" used to decode as 0.0.
func TestJSONInvalidNumbers(t *testing.T) {
	for _, in := range []string{"+1", "01", "-01", ".5", "1.", "1.e5", "1e", "1e+", "--1", "1-2", "1.2.3", "NaN", "nan", "Infinity", "-Inf", "inf", "0x10", "-"} {
		t.Run(in, func(t *testing.T) {
			var d JSONDecoder
			emitted := 0
			err := d.DecodeEvents([]byte(`{"ok":1,"n":`+in+`}`), func(*Event) { emitted++ })
			if err == nil || emitted != 0 {
				t.Errorf("decoded %s without error (%d events)", in, emitted)
			}
			if _, err := d.DecodeValue([]byte(`[` + in + `]`)); err == nil {
				t.Errorf("DecodeValue accepted %s", in)
			}
			// The decoder is usable afterwards.
			if err := d.DecodeEvents([]byte(`{"n":1}`), func(*Event) {}); err != nil {
				t.Errorf("decoder broken after error: %v", err)
			}
		})
	}
}

func TestValidJSONNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "10", "-10", "0.5", "-0.5", "1e5", "1E5", "1e+5", "1e-5", "1.25E-05", "123456789012345678901234567890"} {
		if !validJSONNumber([]byte(s)) {
			t.Errorf("validJSONNumber(%q) = false", s)
		}
		if !json.Valid([]byte(s)) {
			t.Fatalf("test bug: %q", s)
		}
	}
}

func TestJSONStrings(t *testing.T) {
	tests := []struct {
		name    string
		in      string // JSON string literal, quotes included
		want    string
		encoded string
	}{
		{"plain", `"abc"`, "abc", `"abc"`},
		{"unicode escape", `"caf\u00e9"`, "café", `"café"`},
		{"raw unicode", `"日本語"`, "日本語", `"日本語"`},
		{"surrogate pair", `"\ud83d\ude00"`, "😀", `"😀"`},
		{"escapes", `"q\"b\\s\/n\nr\rt\tb\bf\f"`, "q\"b\\s/n\nr\rt\tb\bf\f", `"q\"b\\s/n\nr\rt\tb\bf\f"`},
		{"nul", `"x\u0000y"`, "x\x00y", `"x\u0000y"`},
		{"control", `"\u001f\u0001"`, "\x1f\x01", `"\u001F\u0001"`},
		{"DEL not escaped", `"\u007f"`, "\x7f", "\"\x7f\""},
		{"html not escaped", `"<a&b>"`, "<a&b>", `"<a&b>"`},
		{"line separator not escaped", `"\u2028"`, "\u2028", "\"\u2028\""},
		{"invalid UTF-8", "\"a\xffb\"", "a\uFFFDb", "\"a\uFFFDb\""},
		{"invalid UTF-8 run", "\"a\xff\xfe\xfdb\"", "a\uFFFDb", "\"a\uFFFDb\""},
		{"truncated rune", "\"a\xe6\x97\"", "a\uFFFD", "\"a\uFFFD\""},
		{"raw tab tolerated", "\"a\tb\"", "a\tb", `"a\tb"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := decodeOne(t, `{"s":`+tc.in+`}`)
			got, _ := e.Get(ref("s"))
			if got != tc.want {
				t.Errorf("decoded %q, want %q", got, tc.want)
			}
			enc := string(AppendJSONValue(nil, got))
			if enc != tc.encoded {
				t.Errorf("encoded %s, want %s", enc, tc.encoded)
			}
			if !json.Valid([]byte(enc)) {
				t.Errorf("invalid JSON %q", enc)
			}
		})
	}
	t.Run("invalid UTF-8 in a key", func(t *testing.T) {
		e := decodeOne(t, "{\"k\xff\":1}")
		if v, ok := e.Get(ref("k\uFFFD")); !ok || v != int64(1) {
			t.Errorf("key not repaired: %v", e.Fields().Keys())
		}
		if out := AppendEventJSON(nil, e); !json.Valid(out) {
			t.Errorf("invalid JSON %q", out)
		}
	})
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `"a\\b"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x00\x01\x1a\x1f", `"\u0000\u0001\u001A\u001F"`},
		{" ~\x7f", "\" ~\x7f\""},
		{"é€😀", `"é€😀"`},
		{"\xff", "\"\uFFFD\""},
		{"a\xffb\xfec", "\"a\uFFFDb\uFFFDc\""},
		{"\xc3", "\"\uFFFD\""},
		{"\xed\xa0\x80", "\"\uFFFD\uFFFD\uFFFD\""}, // UTF-8 encoded surrogate
		{"/", `"/"`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := string(AppendJSONString([]byte("x"), tc.in))
			if got != "x"+tc.want {
				t.Errorf("AppendJSONString(%q) = %s, want %s", tc.in, got[1:], tc.want)
			}
			if !json.Valid([]byte(got[1:])) {
				t.Errorf("invalid JSON")
			}
			var back string
			if err := json.Unmarshal([]byte(got[1:]), &back); err != nil || back != replaceEachInvalidByte(tc.in) {
				t.Errorf("does not decode back: %q, %v", back, err)
			}
		})
	}
}

// replaceEachInvalidByte replaces every byte that is not part of valid UTF-8
// with U+FFFD (what AppendJSONString writes).
func replaceEachInvalidByte(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func TestAppendFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{2, "2.0"},
		{-2.5, "-2.5"},
		{100, "100.0"},
		{0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"},
		{0.001, "0.001"},
		{0.00123, "0.00123"},
		{0.000999, "9.99E-4"},
		{1e-4, "1.0E-4"},
		{1.5e-5, "1.5E-5"},
		{9999999, "9999999.0"},
		{9999999.5, "9999999.5"},
		{1e7, "1.0E7"},
		{-1e7, "-1.0E7"},
		{1.2345678e7, "1.2345678E7"},
		{123456789, "1.23456789E8"},
		{1e21, "1.0E21"},
		{1e100, "1.0E100"},
		{1e-100, "1.0E-100"},
		{math.MaxFloat64, "1.7976931348623157E308"},
		{math.SmallestNonzeroFloat64 * 4, "2.0E-323"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := string(appendFloat([]byte("x"), tc.in)); got != "x"+tc.want {
				t.Errorf("appendFloat(%v) = %s, want %s", tc.in, got[1:], tc.want)
			}
			enc := string(AppendJSONValue(nil, tc.in))
			if math.IsNaN(tc.in) || math.IsInf(tc.in, 0) {
				if enc != "null" {
					t.Errorf("JSON of %v = %s, want null", tc.in, enc)
				}
				return
			}
			if enc != tc.want || !json.Valid([]byte(enc)) {
				t.Errorf("JSON of %v = %s", tc.in, enc)
			}
			var back float64
			if err := json.Unmarshal([]byte(enc), &back); err != nil || back != tc.in {
				t.Errorf("%s does not parse back to %v: %v, %v", enc, tc.in, back, err)
			}
		})
	}
}

func TestAppendJSONValue(t *testing.T) {
	ts, _ := ParseTimestamp("2026-11-24T23:08:04.232Z")
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "null"},
		{"true", true, "true"},
		{"false", false, "false"},
		{"int64", int64(-3), "-3"},
		{"timestamp", ts, `"2026-11-24T23:08:04.232Z"`},
		{"empty list", []any{}, "[]"},
		{"nil list", []any(nil), "[]"},
		{"list", []any{int64(1), "a", nil, []any{true}}, `[1,"a",null,[true]]`},
		{"empty map", &Map{}, "{}"},
		{"map order", mapOf("z", int64(1), "a", mapOf("k", ts)), `{"z":1,"a":{"k":"2026-11-24T23:08:04.232Z"}}`},
		{"go int", 7, "7"},
		{"go []string", []string{"a", "b"}, `["a","b"]`},
		{"go map", map[string]any{"b": 1, "a": "x"}, `{"a":"x","b":1}`},
		{"list with go values", []any{uint8(1), float32(0.5)}, `[1,0.5]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(AppendJSONValue(nil, tc.in)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestJSONDecodeEvents(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		events []string // fields JSON of each event
		err    error    // errors.Is target; nil means success
		anyErr bool     // an error of any kind
	}{
		{"object", `{"a":1}`, []string{`{"@version":"1","a":1}`}, nil, false},
		{"array of objects", `[{"a":1},{"b":2},{}]`, []string{`{"@version":"1","a":1}`, `{"@version":"1","b":2}`, `{"@version":"1"}`}, nil, false},
		{"empty array", `[]`, nil, nil, false},
		{"blank", " \r\n\t\v\f\x1c", nil, nil, false},
		{"NUL is not blank", "\x00", nil, nil, true},
		{"empty", "", nil, nil, false},
		{"array with a scalar", `[{"a":1},2]`, nil, ErrJSONNotObject, false},
		{"array with an array", `[{"a":1},[]]`, nil, ErrJSONNotObject, false},
		{"array with null", `[null]`, nil, ErrJSONNotObject, false},
		{"number", `42`, nil, ErrJSONNotObject, false},
		{"string", `"hello"`, nil, ErrJSONNotObject, false},
		{"null", `null`, nil, ErrJSONNotObject, false},
		{"true", `true`, nil, ErrJSONNotObject, false},
		{"truncated", `{"a":1`, nil, nil, true},
		{"trailing garbage", `{"a":1}x`, nil, nil, true},
		{"two objects", `{"a":1}{"b":2}`, nil, nil, true},
		{"single quotes", `{'a':1}`, nil, nil, true},
		{"unquoted key", `{a:1}`, nil, nil, true},
		{"trailing comma", `{"a":1,}`, nil, nil, true},
		{"bad number inside array element", `[{"a":1},{"b":+1}]`, nil, nil, true},
		{"text", `hello world`, nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d JSONDecoder
			var got []string
			err := d.DecodeEvents([]byte(tc.in), func(e *Event) { got = append(got, fieldsJSON(e)) })
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Errorf("err = %v, want %v", err, tc.err)
				}
			case tc.anyErr:
				if err == nil {
					t.Errorf("no error")
				} else if errors.Is(err, ErrJSONNotObject) {
					t.Errorf("syntax error reported as ErrJSONNotObject: %v", err)
				}
			default:
				if err != nil {
					t.Errorf("err = %v", err)
				}
			}
			if err != nil && len(got) != 0 {
				t.Errorf("%d events emitted before the error", len(got))
			}
			if err == nil && !reflect.DeepEqual(got, tc.events) {
				t.Errorf("events\n got %q\nwant %q", got, tc.events)
			}
		})
	}
}

// TestJSONFloatNoExtraAlloc: parsing a float costs no more allocations
// than an integer (both are boxed once).
func TestJSONFloatNoExtraAlloc(t *testing.T) {
	var d JSONDecoder
	emit := func(*Event) {}
	count := func(s string) float64 {
		data := []byte(s)
		return testing.AllocsPerRun(200, func() { _ = d.DecodeEvents(data, emit) })
	}
	if fl, in := count(`{"@timestamp":"2020-01-01T00:00:00Z","@version":"1","f":1.2345}`), count(`{"@timestamp":"2020-01-01T00:00:00Z","@version":"1","f":12345}`); fl > in {
		t.Errorf("float decode allocates %v times, integer %v", fl, in)
	}
}

func TestJSONDecodeValue(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{`1`, int64(1)},
		{`1.5`, 1.5},
		{`"s"`, "s"},
		{`null`, nil},
		{`true`, true},
		{`false`, false},
		{`[1,"a",[null]]`, []any{int64(1), "a", []any{nil}}},
		{`{}`, &Map{entries: []entry{}}},
	}
	var d JSONDecoder
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := d.DecodeValue([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	if _, err := d.DecodeValue([]byte(`{`)); err == nil {
		t.Errorf("DecodeValue accepted {")
	}
	v, _ := d.DecodeValue([]byte(`{"@timestamp":"x","@metadata":{},"tags":5}`))
	if s := string(AppendJSONValue(nil, v)); s != `{"@timestamp":"x","@metadata":{},"tags":5}` {
		t.Errorf("DecodeValue applied event rules: %s", s)
	}
}

// TestJSONDecoderReuse checks that values from one decode survive the next
// (the parser's buffers are reused; strings must be copied).
func TestJSONDecoderReuse(t *testing.T) {
	var d JSONDecoder
	var events []*Event
	inputs := []string{
		`{"message":"first message","k":{"inner":"aaaa"},"l":["x1","x2"]}`,
		`{"message":"SECOND-MESSAGE","k":{"inner":"bbbb"},"l":["y1","y2"]}`,
		`{"message":"third","k":{"inner":"cccc"},"l":["z1","z2"]}`,
	}
	for _, in := range inputs {
		if err := d.DecodeEvents([]byte(in), func(e *Event) { events = append(events, e) }); err != nil {
			t.Fatal(err)
		}
	}
	for i, in := range inputs {
		want := `{"@version":"1",` + in[1:]
		if got := fieldsJSON(events[i]); got != want {
			t.Errorf("event %d\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestJSONDecoderKeyCacheIsBoundedAndCorrect(t *testing.T) {
	var d JSONDecoder
	const n = keyCacheSize*4 + 500
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"key` + strings.Repeat("x", i%7) + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	b.WriteString(`,"` + strings.Repeat("k", maxCachedKey+1) + `":"long","":"empty"}`)
	for round := 0; round < 2; round++ {
		var e *Event
		if err := d.DecodeEvents([]byte(b.String()), func(x *Event) { e = x }); err != nil {
			t.Fatal(err)
		}
		if e.Fields().Len() != n+2+1 {
			t.Fatalf("event has %d fields", e.Fields().Len())
		}
		for i := 0; i < n; i += 97 {
			k := "key" + strings.Repeat("x", i%7) + strconv.Itoa(i)
			if v, _ := e.Fields().Get(k); v != int64(i) {
				t.Fatalf("round %d: %s = %v", round, k, v)
			}
		}
		if v, _ := e.Fields().Get(""); v != "empty" {
			t.Fatalf("empty key = %v", v)
		}
	}
}

func TestJSONDeepNesting(t *testing.T) {
	var d JSONDecoder
	deep := `{"a":` + strings.Repeat("[", 250) + strings.Repeat("]", 250) + `}`
	e := decodeOne(t, deep)
	if out := AppendEventJSON(nil, e); !json.Valid(out) {
		t.Errorf("invalid JSON for deep input")
	}
	tooDeep := `{"a":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`
	if err := d.DecodeEvents([]byte(tooDeep), func(*Event) {}); err == nil {
		t.Errorf("100000 levels accepted")
	}
}
