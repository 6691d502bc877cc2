package pipeline

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// mapOf builds a Map from alternating keys and values.
func mapOf(kv ...any) *Map {
	m := NewMap(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return m
}

// checkMap verifies that m holds exactly keys (in order) with values
// produced by val, and that the index agrees with the key slice.
func checkMap(t *testing.T, m *Map, keys []string, val func(k string) any) {
	t.Helper()
	if m.Len() != len(keys) {
		t.Fatalf("Len = %d, want %d", m.Len(), len(keys))
	}
	if got := m.Keys(); !reflect.DeepEqual(got, keys) && !(len(got) == 0 && len(keys) == 0) {
		t.Fatalf("Keys = %v, want %v", got, keys)
	}
	for _, k := range keys {
		v, ok := m.Get(k)
		if !ok || v != val(k) {
			t.Fatalf("Get(%q) = %v, %v; want %v", k, v, ok, val(k))
		}
	}
	if _, ok := m.Get("absent"); ok {
		t.Fatalf("Get(absent) found a value")
	}
	wantIdx := len(keys) > indexThreshold
	if (m.idx != nil) != wantIdx {
		t.Fatalf("index present = %v with %d keys, want %v", m.idx != nil, len(keys), wantIdx)
	}
	if m.idx != nil {
		if len(m.idx) != len(keys) {
			t.Fatalf("index has %d entries, want %d", len(m.idx), len(keys))
		}
		for i, k := range keys {
			if m.idx[k] != i {
				t.Fatalf("idx[%q] = %d, want %d", k, m.idx[k], i)
			}
		}
	}
}

func TestMapBasics(t *testing.T) {
	var m Map // zero value is usable
	if m.Len() != 0 {
		t.Fatal("zero Map not empty")
	}
	m.Set("b", int64(1))
	m.Set("a", "x")
	m.Set("c", nil)
	m.Set("b", int64(2)) // keeps position
	checkMap(t, &m, []string{"b", "a", "c"}, func(k string) any {
		return map[string]any{"b": int64(2), "a": "x", "c": nil}[k]
	})
	if v, ok := m.Get("c"); !ok || v != nil {
		t.Errorf("Get(c) = %v, %v; want nil, true", v, ok)
	}
	if v, ok := m.Delete("a"); !ok || v != "x" {
		t.Errorf("Delete(a) = %v, %v", v, ok)
	}
	if _, ok := m.Delete("a"); ok {
		t.Errorf("second Delete(a) reported a value")
	}
	checkMap(t, &m, []string{"b", "c"}, func(k string) any {
		return map[string]any{"b": int64(2), "c": nil}[k]
	})

	var seen []string
	m.Set("d", true)
	m.Range(func(k string, v any) bool {
		seen = append(seen, k)
		return k != "c"
	})
	if !reflect.DeepEqual(seen, []string{"b", "c"}) {
		t.Errorf("Range stopped wrongly: %v", seen)
	}
}

func TestMapNil(t *testing.T) {
	var m *Map
	if m.Len() != 0 || m.Keys() != nil || m.Clone() != nil {
		t.Fatal("nil Map accessors")
	}
	if _, ok := m.Get("a"); ok {
		t.Fatal("nil Map Get found a value")
	}
	if _, ok := m.Delete("a"); ok {
		t.Fatal("nil Map Delete found a value")
	}
	m.Range(func(string, any) bool { t.Fatal("Range on nil Map called fn"); return true })
}

// TestMapIndexThreshold grows a map past the threshold (hash index path),
// overwrites and deletes across it in several orders.
func TestMapIndexThreshold(t *testing.T) {
	key := func(i int) string { return "k" + strconv.Itoa(i) }
	tests := []struct {
		name  string
		order func(n int) []int // deletion order
	}{
		{"delete from front", func(n int) []int {
			o := make([]int, n)
			for i := range o {
				o[i] = i
			}
			return o
		}},
		{"delete from back", func(n int) []int {
			o := make([]int, n)
			for i := range o {
				o[i] = n - 1 - i
			}
			return o
		}},
		{"delete from middle", func(n int) []int {
			var o []int
			for lo, hi := n/2, n/2+1; lo >= 0 || hi < n; lo, hi = lo-1, hi+1 {
				if lo >= 0 {
					o = append(o, lo)
				}
				if hi < n {
					o = append(o, hi)
				}
			}
			return o
		}},
	}
	const n = 40
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &Map{}
			live := map[int]bool{}
			var keys []string
			for i := 0; i < n; i++ {
				m.Set(key(i), int64(i))
				live[i] = true
				keys = append(keys, key(i))
				checkMap(t, m, keys, func(k string) any { v, _ := strconv.Atoi(k[1:]); return int64(v) })
			}
			// Overwrites keep order and index.
			for i := 0; i < n; i += 3 {
				m.Set(key(i), int64(i))
			}
			for _, d := range tc.order(n) {
				if v, ok := m.Delete(key(d)); !ok || v != int64(d) {
					t.Fatalf("Delete(%s) = %v, %v", key(d), v, ok)
				}
				delete(live, d)
				keys = keys[:0]
				for i := 0; i < n; i++ {
					if live[i] {
						keys = append(keys, key(i))
					}
				}
				checkMap(t, m, keys, func(k string) any { v, _ := strconv.Atoi(k[1:]); return int64(v) })
				// Re-adding a deleted key appends it at the end.
				if len(keys) == indexThreshold+1 {
					m.Set(key(d), int64(d))
					live[d] = true
					checkMap(t, m, append(keys, key(d)), func(k string) any { v, _ := strconv.Atoi(k[1:]); return int64(v) })
					m.Delete(key(d))
					delete(live, d)
				}
			}
		})
	}
}

func TestMapClone(t *testing.T) {
	for _, size := range []int{3, 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			inner := mapOf("x", int64(1))
			list := []any{"a", mapOf("y", "z")}
			m := mapOf("inner", inner, "list", list)
			for i := 0; i < size; i++ {
				m.Set(fmt.Sprint("f", i), int64(i))
			}
			c := m.Clone()
			if c.Len() != m.Len() || (c.idx != nil) != (m.idx != nil) {
				t.Fatalf("clone shape differs: len %d/%d", c.Len(), m.Len())
			}
			inner.Set("x", int64(99))
			list[1].(*Map).Set("y", "changed")
			list[0] = "b"
			m.Set("new", true)
			ci, _ := c.Get("inner")
			if v, _ := ci.(*Map).Get("x"); v != int64(1) {
				t.Errorf("clone shares nested map: x = %v", v)
			}
			cl, _ := c.Get("list")
			if cl.([]any)[0] != "a" {
				t.Errorf("clone shares list")
			}
			if v, _ := cl.([]any)[1].(*Map).Get("y"); v != "z" {
				t.Errorf("clone shares map inside list")
			}
			if _, ok := c.Get("new"); ok {
				t.Errorf("clone shares keys")
			}
			c.Set("only-in-clone", int64(1))
			if _, ok := m.Get("only-in-clone"); ok {
				t.Errorf("original sees clone's key")
			}
		})
	}
}

func nanValue() float64 { return math.NaN() }

type stringer struct{}

func (stringer) String() string { return "i am a stringer" }

func TestNormalizeValue(t *testing.T) {
	ts := time.Date(2026, 11, 24, 23, 8, 4, 232e6, time.FixedZone("", 3600))
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"nil", nil, nil},
		{"string", "s", "s"},
		{"int", 5, int64(5)},
		{"int8", int8(-8), int64(-8)},
		{"int16", int16(-16), int64(-16)},
		{"int32", int32(-32), int64(-32)},
		{"int64", int64(64), int64(64)},
		{"uint", uint(7), int64(7)},
		{"uint8", uint8(255), int64(255)},
		{"uint16", uint16(65535), int64(65535)},
		{"uint32", uint32(1 << 31), int64(1 << 31)},
		{"uint64 small", uint64(12), int64(12)},
		{"uint64 big", uint64(1 << 63), float64(1 << 63)},
		{"float32", float32(1.5), float64(1.5)},
		{"float64", 2.25, 2.25},
		{"bool", true, true},
		{"time.Time", ts, NewTimestamp(ts)},
		{"Timestamp", NewTimestamp(ts), NewTimestamp(ts)},
		{"[]string", []string{"a", "b"}, []any{"a", "b"}},
		{"[]any nested", []any{1, []string{"x"}}, []any{int64(1), []any{"x"}}},
		{"Stringer", stringer{}, "i am a stringer"},
		{"struct", struct{ A int }{3}, "{3}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NormalizeValue(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("NormalizeValue(%#v) = %#v (%T), want %#v (%T)", tc.in, got, got, tc.want, tc.want)
			}
		})
	}

	t.Run("map[string]any sorted and nested", func(t *testing.T) {
		got := NormalizeValue(map[string]any{"z": 1, "a": map[string]any{"y": []string{"q"}, "b": uint8(2)}})
		if s := string(AppendJSONValue(nil, got)); s != `{"a":{"b":2,"y":["q"]},"z":1}` {
			t.Errorf("got %s", s)
		}
	})
	t.Run("map[string]string", func(t *testing.T) {
		got := NormalizeValue(map[string]string{"b": "2", "a": "1"})
		if s := string(AppendJSONValue(nil, got)); s != `{"a":"1","b":"2"}` {
			t.Errorf("got %s", s)
		}
	})
	t.Run("*Map unchanged", func(t *testing.T) {
		m := mapOf("a", int64(1))
		if NormalizeValue(m) != any(m) {
			t.Errorf("*Map was copied")
		}
	})
}

func TestValueString(t *testing.T) {
	ts, _ := ParseTimestamp("2014-11-04T12:37:17.477Z")
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, ""},
		{"string", "héllo", "héllo"},
		{"int", int64(-42), "-42"},
		{"float whole", 2.0, "2.0"},
		{"float", 1.5, "1.5"},
		{"float big", 1e7, "1.0E7"},
		{"float small", 1e-4, "1.0E-4"},
		{"NaN", nanValue(), "NaN"},
		{"bool", false, "false"},
		{"timestamp", ts, "2014-11-04T12:37:17.477Z"},
		{"list", []any{"a", int64(1), 2.5, nil, true}, "a,1,2.5,,true"},
		{"nested list", []any{"a", []any{"b", "c"}}, "a,b,c"},
		{"empty list", []any{}, ""},
		{"map", mapOf("b", int64(1), "a", []any{"x"}), `{"b":1,"a":["x"]}`},
		{"other", 7, "7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValueString(tc.in); got != tc.want {
				t.Errorf("ValueString(%#v) = %q, want %q", tc.in, got, tc.want)
			}
			if got := string(AppendValueString([]byte("pre:"), tc.in)); got != "pre:"+tc.want {
				t.Errorf("AppendValueString = %q", got)
			}
		})
	}
}

func TestTypeName(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, "nil"}, {"s", "string"}, {int64(1), "integer"}, {1.0, "float"}, {true, "boolean"},
		{Now(), "timestamp"}, {[]any{}, "array"}, {&Map{}, "hash"}, {errors.New("x"), "*errors.errorString"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := TypeName(tc.in); got != tc.want {
				t.Errorf("TypeName(%#v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
