package pipeline

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fieldsJSON renders the event's fields (no @timestamp, no @metadata).
func fieldsJSON(e *Event) string { return string(AppendJSONValue(nil, e.Fields())) }

// metaJSON renders the event's metadata.
func metaJSON(e *Event) string {
	if e.meta == nil {
		return "null"
	}
	return string(AppendJSONValue(nil, e.meta))
}

// decodeOne decodes a JSON object into one event.
func decodeOne(t testing.TB, s string) *Event {
	t.Helper()
	var d JSONDecoder
	var out []*Event
	if err := d.DecodeEvents([]byte(s), func(e *Event) { out = append(out, e) }); err != nil {
		t.Fatalf("DecodeEvents(%s): %v", s, err)
	}
	if len(out) != 1 {
		t.Fatalf("DecodeEvents(%s) gave %d events", s, len(out))
	}
	return out[0]
}

func ref(s string) FieldRef { return MustFieldRef(s) }

func assertRecent(t *testing.T, ts Timestamp) {
	t.Helper()
	if d := time.Since(ts.Time()); d < -time.Second || d > 5*time.Second {
		t.Errorf("@timestamp %s is not now", ts)
	}
}

func TestNewEvent(t *testing.T) {
	e := NewEvent()
	if v, ok := e.Get(ref("@version")); !ok || v != "1" {
		t.Errorf("@version = %#v, %v; want \"1\"", v, ok)
	}
	ts, ok := e.Timestamp()
	if !ok {
		t.Fatal("no @timestamp")
	}
	assertRecent(t, ts)
	if v, ok := e.Get(ref("@timestamp")); !ok || v != any(ts) {
		t.Errorf("Get(@timestamp) = %v, %v", v, ok)
	}
	if e.HasMetadata() || e.Ack() != nil {
		t.Errorf("new event has metadata or ack")
	}
	if got := fieldsJSON(e); got != `{"@version":"1"}` {
		t.Errorf("fields = %s", got)
	}
	out := string(AppendEventJSON(nil, e))
	if !strings.HasPrefix(out, `{"@timestamp":"`) || !strings.HasSuffix(out, `","@version":"1"}`) {
		t.Errorf("JSON = %s", out)
	}
	if _, ok := e.Message(); ok {
		t.Errorf("new event has a message")
	}
}

func TestNewMessageEvent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"", ""},
		{"caf\xe9", "caf\uFFFD"},
		{"a\xff\xfeb", "a\uFFFDb"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			e := NewMessageEvent(tc.in)
			if m, ok := e.Message(); !ok || m != tc.want {
				t.Errorf("message = %q, %v; want %q", m, ok, tc.want)
			}
			if s, ok := e.GetString(ref("message")); !ok || s != tc.want {
				t.Errorf("GetString = %q", s)
			}
		})
	}
}

func TestValidUTF8NoCopy(t *testing.T) {
	s := "valid ütf-8"
	if got := ValidUTF8(s); got != s {
		t.Errorf("ValidUTF8 changed valid input")
	}
	if n := testing.AllocsPerRun(100, func() { _ = ValidUTF8(s) }); n != 0 {
		t.Errorf("ValidUTF8 on valid input allocates %v times", n)
	}
}

func TestEventFromMap(t *testing.T) {
	tests := []struct {
		name   string
		in     string // JSON object
		fields string // expected fields JSON (without @timestamp)
		ts     string // expected @timestamp, "now" for the current time
		meta   string // expected metadata JSON
	}{
		{
			name:   "timestamp parsed, version added first",
			in:     `{"message":"m","@timestamp":"2026-11-24T23:08:04.232Z"}`,
			fields: `{"@version":"1","message":"m"}`,
			ts:     "2026-11-24T23:08:04.232Z",
			meta:   "null",
		},
		{
			name:   "timestamp with offset",
			in:     `{"@timestamp":"2026-11-24T23:08:04+01:00"}`,
			fields: `{"@version":"1"}`,
			ts:     "2026-11-24T22:08:04.000Z",
			meta:   "null",
		},
		{
			name:   "no timestamp gives now",
			in:     `{"a":1}`,
			fields: `{"@version":"1","a":1}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "null timestamp gives now without failure",
			in:     `{"@timestamp":null,"a":1}`,
			fields: `{"@version":"1","a":1}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "unparsable timestamp",
			in:     `{"@timestamp":"yesterday","a":1}`,
			fields: `{"@version":"1","a":1,"_@timestamp":"yesterday","tags":["_timestampparsefailure"]}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "numeric timestamp is a failure too",
			in:     `{"@timestamp":1732489684}`,
			fields: `{"@version":"1","_@timestamp":1732489684,"tags":["_timestampparsefailure"]}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "object timestamp is a failure",
			in:     `{"@timestamp":{"x":1}}`,
			fields: `{"@version":"1","_@timestamp":{"x":1},"tags":["_timestampparsefailure"]}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "timestamp failure appends to existing tags",
			in:     `{"tags":["a"],"@timestamp":"bad"}`,
			fields: `{"@version":"1","tags":["a","_timestampparsefailure"],"_@timestamp":"bad"}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "existing version kept in place",
			in:     `{"a":1,"@version":"2"}`,
			fields: `{"a":1,"@version":"2"}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "non-string version kept",
			in:     `{"@version":1}`,
			fields: `{"@version":1}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "metadata moved",
			in:     `{"a":1,"@metadata":{"x":{"y":"z"}},"b":2}`,
			fields: `{"@version":"1","a":1,"b":2}`,
			ts:     "now",
			meta:   `{"x":{"y":"z"}}`,
		},
		{
			name:   "non-map metadata dropped",
			in:     `{"@metadata":"oops"}`,
			fields: `{"@version":"1"}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "string tags stay a string",
			in:     `{"tags":"one"}`,
			fields: `{"@version":"1","tags":"one"}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "list of string tags",
			in:     `{"tags":["a","b"]}`,
			fields: `{"@version":"1","tags":["a","b"]}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "empty tags list",
			in:     `{"tags":[]}`,
			fields: `{"@version":"1","tags":[]}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "null tags are legal",
			in:     `{"tags":null}`,
			fields: `{"@version":"1","tags":null}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "numeric tags",
			in:     `{"tags":5,"a":1}`,
			fields: `{"@version":"1","a":1,"_tags":[5],"tags":["_tagsparsefailure"]}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "map tags",
			in:     `{"tags":{"k":"v"}}`,
			fields: `{"@version":"1","_tags":[{"k":"v"}],"tags":["_tagsparsefailure"]}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "list with a non-string",
			in:     `{"tags":["a",1]}`,
			fields: `{"@version":"1","_tags":[["a",1]],"tags":["_tagsparsefailure"]}`,
			ts:     "now",
			meta:   "null",
		},
		{
			name:   "both failures",
			in:     `{"tags":true,"@timestamp":"x"}`,
			fields: `{"@version":"1","_tags":[true],"tags":["_tagsparsefailure","_timestampparsefailure"],"_@timestamp":"x"}`,
			ts:     "now",
			meta:   "null",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := decodeOne(t, tc.in)
			if got := fieldsJSON(e); got != tc.fields {
				t.Errorf("fields\n got %s\nwant %s", got, tc.fields)
			}
			ts, ok := e.Timestamp()
			if !ok {
				t.Fatal("no @timestamp")
			}
			if tc.ts == "now" {
				assertRecent(t, ts)
			} else if ts.String() != tc.ts {
				t.Errorf("@timestamp = %s, want %s", ts, tc.ts)
			}
			if got := metaJSON(e); got != tc.meta {
				t.Errorf("metadata = %s, want %s", got, tc.meta)
			}
			if strings.Contains(string(AppendEventJSON(nil, e)), "@metadata") {
				t.Errorf("@metadata serialised")
			}
		})
	}
}

func TestEventFromMapDirect(t *testing.T) {
	t.Run("nil map", func(t *testing.T) {
		e := EventFromMap(nil)
		if got := fieldsJSON(e); got != `{"@version":"1"}` {
			t.Errorf("fields = %s", got)
		}
	})
	t.Run("Timestamp value", func(t *testing.T) {
		ts, _ := ParseTimestamp("2020-01-02T03:04:05.006Z")
		e := EventFromMap(mapOf("@timestamp", ts))
		if got, _ := e.Timestamp(); got != ts {
			t.Errorf("@timestamp = %s", got)
		}
	})
	t.Run("many keys keep the index consistent", func(t *testing.T) {
		m := &Map{}
		for i := 0; i < 20; i++ {
			m.Set(string(rune('a'+i)), int64(i))
		}
		if m.idx == nil {
			t.Fatal("expected an indexed map")
		}
		e := EventFromMap(m)
		keys := e.Fields().Keys()
		if keys[0] != "@version" || len(keys) != 21 {
			t.Fatalf("keys = %v", keys)
		}
		for i, k := range keys {
			if e.Fields().idx[k] != i {
				t.Errorf("idx[%q] = %d, want %d", k, e.Fields().idx[k], i)
			}
		}
		if v, ok := e.Get(ref("t")); !ok || v != int64(19) {
			t.Errorf("Get(t) = %v, %v", v, ok)
		}
	})
	t.Run("crossing the threshold when adding version", func(t *testing.T) {
		m := &Map{}
		for i := 0; i < indexThreshold; i++ {
			m.Set(string(rune('a'+i)), int64(i))
		}
		e := EventFromMap(m)
		if e.Fields().Len() != indexThreshold+1 || e.Fields().idx == nil {
			t.Fatalf("len %d idx %v", e.Fields().Len(), e.Fields().idx != nil)
		}
		if v, ok := e.Get(ref("@version")); !ok || v != "1" {
			t.Errorf("@version = %v", v)
		}
	})
}

// sample is an event with nested maps and lists for Get/Set/Remove.
func sample(t testing.TB) *Event {
	return decodeOne(t, `{"@timestamp":"2026-11-24T23:08:04.232Z","message":"m","host":"vm",`+
		`"a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],`+
		`"nested":[["p","q"],["r"]],"n":null,"@metadata":{"input":{"port":5000}}}`)
}

func TestEventGet(t *testing.T) {
	e := sample(t)
	tests := []struct {
		ref  string
		want any
		ok   bool
	}{
		{"message", "m", true},
		{"[message]", "m", true},
		{"[a][b][c]", int64(1), true},
		{"[a][s]", "str", true},
		{"[a][missing]", nil, false},
		{"[a][s][x]", nil, false}, // below a string
		{"[message][0]", nil, false},
		{"[list][0]", "x", true},
		{"[list][2]", "z", true},
		{"[list][-1]", "z", true},
		{"[list][-3]", "x", true},
		{"[list][3]", nil, false},
		{"[list][-4]", nil, false},
		{"[list][x]", nil, false},
		{"[list][1.0]", nil, false},
		{"[list][]x", nil, false},
		{"[objs][1][k]", "v1", true},
		{"[objs][-2][k]", "v0", true},
		{"[nested][0][1]", "q", true},
		{"[nested][1][-1]", "r", true},
		{"n", nil, true},
		{"[n][x]", nil, false},
		{"missing", nil, false},
		{"[missing][x]", nil, false},
		{"[@timestamp][x]", nil, false},
		{"[@metadata][input][port]", int64(5000), true},
		{"[@metadata][nope]", nil, false},
		{"[@version]", "1", true},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			r, err := ParseFieldRef(tc.ref)
			if err != nil {
				if tc.ok {
					t.Fatal(err)
				}
				return
			}
			got, ok := e.Get(r)
			if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Get(%s) = %#v, %v; want %#v, %v", tc.ref, got, ok, tc.want, tc.ok)
			}
			if e.Includes(r) != tc.ok {
				t.Errorf("Includes(%s) = %v", tc.ref, !tc.ok)
			}
		})
	}
	t.Run("@timestamp", func(t *testing.T) {
		v, ok := e.Get(ref("[@timestamp]"))
		if ts, isTS := v.(Timestamp); !ok || !isTS || ts.String() != "2026-11-24T23:08:04.232Z" {
			t.Errorf("Get(@timestamp) = %v, %v", v, ok)
		}
	})
	t.Run("@metadata", func(t *testing.T) {
		v, ok := e.Get(ref("[@metadata]"))
		if m, isMap := v.(*Map); !ok || !isMap || m.Len() != 1 {
			t.Errorf("Get(@metadata) = %v, %v", v, ok)
		}
		if _, ok := NewEvent().Get(ref("[@metadata]")); ok {
			t.Errorf("new event has @metadata")
		}
		if _, ok := NewEvent().Get(ref("[@metadata][x]")); ok {
			t.Errorf("new event has [@metadata][x]")
		}
	})
	t.Run("GetString", func(t *testing.T) {
		if s, ok := e.GetString(ref("host")); !ok || s != "vm" {
			t.Errorf("GetString(host) = %q, %v", s, ok)
		}
		if _, ok := e.GetString(ref("[a][b][c]")); ok {
			t.Errorf("GetString of an integer succeeded")
		}
		if _, ok := e.GetString(ref("missing")); ok {
			t.Errorf("GetString of a missing field succeeded")
		}
	})
}

func TestEventSet(t *testing.T) {
	tests := []struct {
		name   string
		ref    string
		value  any
		fields string // fields JSON afterwards (after the sample's @timestamp)
	}{
		{"new top-level", "new", "v",
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null,"new":"v"}`},
		{"overwrite keeps position", "message", int64(7),
			`{"@version":"1","message":7,"host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"into existing map", "[a][b][d]", true,
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1,"d":true},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"creates intermediate maps", "[x][y][z]", 1.5,
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null,"x":{"y":{"z":1.5}}}`},
		{"creates below existing map", "[a][new][deep]", "d",
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str","new":{"deep":"d"}},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"replaces null with a map", "[n][x]", int64(1),
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":{"x":1}}`},
		{"list element", "[list][1]", "Y",
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","Y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"negative list element", "[list][-1]", "Z",
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","Z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"map inside a list", "[objs][1][k]", "V1",
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"V1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"new key in a map inside a list", "[objs][0][new][x]", int64(2),
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0","new":{"x":2}},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"list inside a list", "[nested][0][-1]", "Q",
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","Q"],["r"]],"n":null}`},
		{"list value stored as given", "m2", []any{"a"},
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null,"m2":["a"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := sample(t)
			if err := e.Set(ref(tc.ref), tc.value); err != nil {
				t.Fatalf("Set(%s): %v", tc.ref, err)
			}
			if got := fieldsJSON(e); got != tc.fields {
				t.Errorf("fields\n got %s\nwant %s", got, tc.fields)
			}
			if got, ok := e.Get(ref(tc.ref)); !ok || !reflect.DeepEqual(got, tc.value) {
				t.Errorf("Get after Set = %#v, %v", got, ok)
			}
		})
	}
}

func TestEventSetErrors(t *testing.T) {
	tests := []struct {
		name  string
		ref   string
		value any
	}{
		{"below a string", "[message][x]", "v"},
		{"below a string deeper", "[a][s][x][y]", "v"},
		{"below an integer", "[a][b][c][d]", "v"},
		{"list index out of range", "[list][3]", "v"},
		{"negative index out of range", "[list][-4]", "v"},
		{"non-numeric list index", "[list][x]", "v"},
		{"below a list element string", "[list][0][x]", "v"},
		{"missing list element below", "[objs][5][k]", "v"},
		{"below @version", "[@version][x]", "v"},
		{"@timestamp from a bad string", "@timestamp", "yesterday"},
		{"@timestamp from an integer", "@timestamp", int64(5)},
		{"@metadata from a string", "[@metadata]", "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := sample(t)
			before := string(AppendEventJSON(nil, e)) + metaJSON(e)
			err := e.Set(ref(tc.ref), tc.value)
			if !errors.Is(err, ErrFieldSet) {
				t.Fatalf("Set(%s) = %v, want an error wrapping ErrFieldSet", tc.ref, err)
			}
			if after := string(AppendEventJSON(nil, e)) + metaJSON(e); after != before {
				t.Errorf("event changed by a failed Set\nbefore %s\n after %s", before, after)
			}
		})
	}
}

func TestEventSetSpecial(t *testing.T) {
	t.Run("@timestamp from Timestamp", func(t *testing.T) {
		e := NewEvent()
		ts, _ := ParseTimestamp("2020-01-01T00:00:00Z")
		if err := e.Set(ref("@timestamp"), ts); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Timestamp(); got != ts {
			t.Errorf("@timestamp = %s", got)
		}
	})
	t.Run("@timestamp from ISO string", func(t *testing.T) {
		e := NewEvent()
		if err := e.Set(ref("[@timestamp]"), "2020-01-01T01:00:00+01:00"); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Timestamp(); got.String() != "2020-01-01T00:00:00.000Z" {
			t.Errorf("@timestamp = %s", got)
		}
		if _, ok := e.Fields().Get("@timestamp"); ok {
			t.Errorf("@timestamp stored as a field")
		}
	})
	t.Run("metadata child creates the map", func(t *testing.T) {
		e := NewEvent()
		if err := e.Set(ref("[@metadata][input][tcp][port]"), int64(5000)); err != nil {
			t.Fatal(err)
		}
		if got := metaJSON(e); got != `{"input":{"tcp":{"port":5000}}}` {
			t.Errorf("metadata = %s", got)
		}
		if !e.HasMetadata() {
			t.Errorf("HasMetadata false")
		}
		if got := fieldsJSON(e); got != `{"@version":"1"}` {
			t.Errorf("fields = %s", got)
		}
		if strings.Contains(string(AppendEventJSON(nil, e)), "input") {
			t.Errorf("metadata serialised")
		}
	})
	t.Run("whole metadata", func(t *testing.T) {
		e := NewEvent()
		m := mapOf("k", "v")
		if err := e.Set(ref("[@metadata]"), m); err != nil {
			t.Fatal(err)
		}
		if e.Metadata() != m {
			t.Errorf("metadata not replaced")
		}
	})
}

func TestEventRemove(t *testing.T) {
	tests := []struct {
		name   string
		ref    string
		old    any
		ok     bool
		fields string
	}{
		{"top-level", "host", "vm", true,
			`{"@version":"1","message":"m","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"nested", "[a][b][c]", int64(1), true,
			`{"@version":"1","message":"m","host":"vm","a":{"b":{},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"null value", "n", nil, true,
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]]}`},
		{"list element shrinks the list", "[list][1]", "y", true,
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"last list element", "[list][-1]", "z", true,
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"element of a list in a list", "[nested][0][0]", "p", true,
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["q"],["r"]],"n":null}`},
		{"key of a map in a list", "[objs][0][k]", "v0", true,
			`{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`},
		{"missing", "nope", nil, false, ""},
		{"missing nested", "[a][nope][x]", nil, false, ""},
		{"below a string", "[message][x]", nil, false, ""},
		{"list out of range", "[list][5]", nil, false, ""},
		{"list non-numeric", "[list][x]", nil, false, ""},
	}
	const unchanged = `{"@version":"1","message":"m","host":"vm","a":{"b":{"c":1},"s":"str"},"list":["x","y","z"],"objs":[{"k":"v0"},{"k":"v1"}],"nested":[["p","q"],["r"]],"n":null}`
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := sample(t)
			old, ok := e.Remove(ref(tc.ref))
			if ok != tc.ok || !reflect.DeepEqual(old, tc.old) {
				t.Errorf("Remove(%s) = %#v, %v; want %#v, %v", tc.ref, old, ok, tc.old, tc.ok)
			}
			want := tc.fields
			if !tc.ok {
				want = unchanged
			}
			if got := fieldsJSON(e); got != want {
				t.Errorf("fields\n got %s\nwant %s", got, want)
			}
		})
	}
	t.Run("metadata child", func(t *testing.T) {
		e := sample(t)
		old, ok := e.Remove(ref("[@metadata][input][port]"))
		if !ok || old != int64(5000) {
			t.Errorf("Remove = %v, %v", old, ok)
		}
		if got := metaJSON(e); got != `{"input":{}}` {
			t.Errorf("metadata = %s", got)
		}
		if _, ok := NewEvent().Remove(ref("[@metadata][x]")); ok {
			t.Errorf("Remove from absent metadata found a value")
		}
	})
	t.Run("whole metadata", func(t *testing.T) {
		e := sample(t)
		if _, ok := e.Remove(ref("[@metadata]")); !ok {
			t.Errorf("Remove(@metadata) found nothing")
		}
		if e.HasMetadata() {
			t.Errorf("metadata still there")
		}
	})
	t.Run("@timestamp", func(t *testing.T) {
		e := sample(t)
		old, ok := e.Remove(ref("@timestamp"))
		if ts, isTS := old.(Timestamp); !ok || !isTS || ts.String() != "2026-11-24T23:08:04.232Z" {
			t.Errorf("Remove(@timestamp) = %v, %v", old, ok)
		}
		if _, ok := e.Timestamp(); ok {
			t.Errorf("event still has @timestamp")
		}
		if _, ok := e.Get(ref("@timestamp")); ok {
			t.Errorf("Get(@timestamp) after Remove found it")
		}
		if _, ok := e.Remove(ref("@timestamp")); ok {
			t.Errorf("second Remove(@timestamp) found it")
		}
		if out := string(AppendEventJSON(nil, e)); !strings.HasPrefix(out, `{"@version":"1",`) {
			t.Errorf("JSON after removing @timestamp: %s", out)
		}
		e.SetTimestamp(Now())
		if _, ok := e.Timestamp(); !ok {
			t.Errorf("SetTimestamp did not restore @timestamp")
		}
	})
}

func TestEventTags(t *testing.T) {
	tests := []struct {
		name   string
		in     string   // JSON object
		add    []string // tags to add, in order
		remove []string // tags to remove afterwards
		fields string
	}{
		{"first tag", `{}`, []string{"a"}, nil, `{"@version":"1","tags":["a"]}`},
		{"dedupe", `{}`, []string{"a", "b", "a", "b"}, nil, `{"@version":"1","tags":["a","b"]}`},
		{"onto existing list", `{"tags":["x"]}`, []string{"y", "x"}, nil, `{"@version":"1","tags":["x","y"]}`},
		{"string becomes a list", `{"tags":"x"}`, []string{"y"}, nil, `{"@version":"1","tags":["x","y"]}`},
		{"same string becomes a list of one", `{"tags":"x"}`, []string{"x"}, nil, `{"@version":"1","tags":["x"]}`},
		{"null tags", `{"tags":null}`, []string{"a"}, nil, `{"@version":"1","tags":["a"]}`},
		{"empty list", `{"tags":[]}`, []string{"a"}, nil, `{"@version":"1","tags":["a"]}`},
		{"remove all occurrences", `{"tags":["a","b","a","c"]}`, nil, []string{"a"}, `{"@version":"1","tags":["b","c"]}`},
		{"remove missing tag", `{"tags":["a"]}`, nil, []string{"z"}, `{"@version":"1","tags":["a"]}`},
		{"remove last tag", `{"tags":["a"]}`, nil, []string{"a"}, `{"@version":"1","tags":[]}`},
		{"remove from string", `{"tags":"a"}`, nil, []string{"a"}, `{"@version":"1","tags":[]}`},
		{"remove other string", `{"tags":"a"}`, nil, []string{"b"}, `{"@version":"1","tags":"a"}`},
		{"remove without tags", `{}`, nil, []string{"a"}, `{"@version":"1"}`},
		{"add then remove", `{}`, []string{"a", "b"}, []string{"a"}, `{"@version":"1","tags":["b"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := decodeOne(t, tc.in)
			for _, tag := range tc.add {
				e.AddTag(tag)
				if !e.HasTag(tag) {
					t.Errorf("HasTag(%q) false after AddTag", tag)
				}
			}
			for _, tag := range tc.remove {
				e.RemoveTag(tag)
				if e.HasTag(tag) {
					t.Errorf("HasTag(%q) true after RemoveTag", tag)
				}
			}
			if got := fieldsJSON(e); got != tc.fields {
				t.Errorf("fields\n got %s\nwant %s", got, tc.fields)
			}
		})
	}
	t.Run("non-list tags set at runtime", func(t *testing.T) {
		e := NewEvent()
		e.Fields().Set("tags", int64(3))
		e.Tag("a")
		if got := fieldsJSON(e); got != `{"@version":"1","_tags":[3],"tags":["_tagsparsefailure","a"]}` {
			t.Errorf("fields = %s", got)
		}
	})
	t.Run("HasTag and Tags", func(t *testing.T) {
		e := decodeOne(t, `{"tags":"solo"}`)
		if !e.HasTag("solo") || e.HasTag("other") {
			t.Errorf("HasTag on a string tags field")
		}
		if e.Tags() != nil {
			t.Errorf("Tags() of a string = %v", e.Tags())
		}
		e.AddTag("two")
		if !reflect.DeepEqual(e.Tags(), []any{"solo", "two"}) {
			t.Errorf("Tags() = %v", e.Tags())
		}
		if NewEvent().HasTag("x") || NewEvent().Tags() != nil {
			t.Errorf("tags on a new event")
		}
	})
}

func TestEventClone(t *testing.T) {
	done := 0
	ack := NewAck(1, func() { done++ })
	e := sample(t)
	e.SetAck(ack)
	c := e.Clone()

	if ack.Pending() != 2 {
		t.Fatalf("Pending after Clone = %d, want 2", ack.Pending())
	}
	if c.Ack() != ack {
		t.Errorf("clone not in the ack group")
	}
	if string(AppendEventJSON(nil, c)) != string(AppendEventJSON(nil, e)) || metaJSON(c) != metaJSON(e) {
		t.Fatalf("clone differs")
	}
	before := string(AppendEventJSON(nil, e)) + metaJSON(e)

	// Change everything reachable in the clone.
	for _, s := range []struct {
		ref string
		v   any
	}{{"[a][b][c]", int64(2)}, {"[list][0]", "X"}, {"[objs][0][k]", "changed"}, {"[nested][1][0]", "R"},
		{"[@metadata][input][port]", int64(1)}, {"message", "other"}, {"@timestamp", "2000-01-01T00:00:00Z"}} {
		if err := c.Set(ref(s.ref), s.v); err != nil {
			t.Fatalf("Set(%s): %v", s.ref, err)
		}
	}
	c.AddTag("clone")
	c.Remove(ref("host"))

	if after := string(AppendEventJSON(nil, e)) + metaJSON(e); after != before {
		t.Errorf("original changed through the clone\nbefore %s\n after %s", before, after)
	}

	ack.Release()
	ack.Release()
	if done != 1 {
		t.Errorf("done called %d times", done)
	}

	t.Run("without ack", func(t *testing.T) {
		c := NewEvent().Clone()
		if c.Ack() != nil {
			t.Errorf("clone has an ack group")
		}
	})
}

func TestEventToMap(t *testing.T) {
	e := sample(t)
	m := e.ToMap(false)
	if keys := m.Keys(); keys[0] != "@timestamp" || keys[1] != "@version" || keys[len(keys)-1] == "@metadata" {
		t.Errorf("ToMap(false) keys = %v", keys)
	}
	m = e.ToMap(true)
	if keys := m.Keys(); keys[0] != "@timestamp" || keys[len(keys)-1] != "@metadata" {
		t.Errorf("ToMap(true) keys = %v", keys)
	}
	v, _ := m.Get("@timestamp")
	if ts, ok := v.(Timestamp); !ok || ts.String() != "2026-11-24T23:08:04.232Z" {
		t.Errorf("ToMap @timestamp = %v", v)
	}
}

func TestEventFieldsLive(t *testing.T) {
	e := NewEvent()
	e.Fields().Set("x", "y")
	if v, ok := e.Get(ref("x")); !ok || v != "y" {
		t.Errorf("Fields() is not live")
	}
	if e.Metadata() == nil || e.HasMetadata() {
		t.Errorf("Metadata() should create an empty map")
	}
	e.Metadata().Set("k", "v")
	if !e.HasMetadata() {
		t.Errorf("HasMetadata false")
	}
}
