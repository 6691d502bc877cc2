package pipeline

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// indexThreshold is the size above which a Map keeps a hash index; below it a
// linear scan over the keys is faster than hashing.
const indexThreshold = 16

// Map is an ordered string-keyed map: iteration and JSON encoding follow
// insertion order. Setting an existing key keeps its position. The zero value
// is an empty map ready to use. Entries live in one slice (one allocation
// per map); maps above indexThreshold entries also keep a hash index.
type Map struct {
	entries []entry
	idx     map[string]int
}

type entry struct {
	key string
	val any
}

// smallMapRoom is the number of entries a small map gets in the same
// allocation as the map itself.
const smallMapRoom = 4

// smallMap is a Map and room for its first entries in one allocation.
type smallMap struct {
	m    Map
	room [smallMapRoom]entry
}

// NewMap returns an empty map with room for n entries. Maps for up to four
// entries (nested objects such as [host] or [event]) take one allocation.
func NewMap(n int) *Map {
	if n <= smallMapRoom {
		sm := &smallMap{}
		sm.m.entries = sm.room[:0:smallMapRoom]
		return &sm.m
	}
	return &Map{entries: make([]entry, 0, n)}
}

// Len returns the number of entries.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.entries)
}

func (m *Map) find(k string) int {
	if m.idx != nil {
		if i, ok := m.idx[k]; ok {
			return i
		}
		return -1
	}
	for i := range m.entries {
		if m.entries[i].key == k {
			return i
		}
	}
	return -1
}

// Get returns the value stored under k.
func (m *Map) Get(k string) (any, bool) {
	if m == nil {
		return nil, false
	}
	if i := m.find(k); i >= 0 {
		return m.entries[i].val, true
	}
	return nil, false
}

// At returns the i-th entry in order (0 <= i < Len).
func (m *Map) At(i int) (string, any) {
	e := &m.entries[i]
	return e.key, e.val
}

// Set stores v under k, appending k if it is new.
func (m *Map) Set(k string, v any) {
	if i := m.find(k); i >= 0 {
		m.entries[i].val = v
		return
	}
	m.entries = append(m.entries, entry{key: k, val: v})
	if m.idx != nil {
		m.idx[k] = len(m.entries) - 1
	} else if len(m.entries) > indexThreshold {
		m.reindex()
	}
}

// insertFirst puts k first; the caller knows k is absent.
func (m *Map) insertFirst(k string, v any) {
	m.entries = append(m.entries, entry{})
	copy(m.entries[1:], m.entries)
	m.entries[0] = entry{key: k, val: v}
	if m.idx != nil || len(m.entries) > indexThreshold {
		m.reindex()
	}
}

func (m *Map) reindex() {
	m.idx = make(map[string]int, len(m.entries)*2)
	for i := range m.entries {
		m.idx[m.entries[i].key] = i
	}
}

// Delete removes k and returns the value it had.
func (m *Map) Delete(k string) (any, bool) {
	if m == nil {
		return nil, false
	}
	i := m.find(k)
	if i < 0 {
		return nil, false
	}
	v := m.entries[i].val
	copy(m.entries[i:], m.entries[i+1:])
	m.entries[len(m.entries)-1] = entry{}
	m.entries = m.entries[:len(m.entries)-1]
	if m.idx != nil {
		if len(m.entries) > indexThreshold {
			m.reindex()
		} else {
			m.idx = nil
		}
	}
	return v, true
}

// Range calls fn for each entry in order until fn returns false.
func (m *Map) Range(fn func(k string, v any) bool) {
	if m == nil {
		return
	}
	for i := range m.entries {
		if !fn(m.entries[i].key, m.entries[i].val) {
			return
		}
	}
}

// Keys returns a copy of the keys in order.
func (m *Map) Keys() []string {
	if m == nil || len(m.entries) == 0 {
		return nil
	}
	keys := make([]string, len(m.entries))
	for i := range m.entries {
		keys[i] = m.entries[i].key
	}
	return keys
}

// Clone returns a deep copy.
func (m *Map) Clone() *Map {
	if m == nil {
		return nil
	}
	c := &Map{entries: make([]entry, len(m.entries))}
	for i := range m.entries {
		c.entries[i] = entry{key: m.entries[i].key, val: CloneValue(m.entries[i].val)}
	}
	if m.idx != nil {
		c.reindex()
	}
	return c
}

// CloneValue deep-copies an event value.
func CloneValue(v any) any {
	switch t := v.(type) {
	case *Map:
		return t.Clone()
	case []any:
		c := make([]any, len(t))
		for i, x := range t {
			c[i] = CloneValue(x)
		}
		return c
	default:
		return v
	}
}

// NormalizeValue converts Go values of other types (int, []string,
// map[string]any, ...) into the value types an event stores. Unknown types
// become their fmt.Sprint string.
func NormalizeValue(v any) any {
	switch t := v.(type) {
	case nil, string, int64, float64, bool, Timestamp, *Map:
		return v
	case int:
		return int64(t)
	case int8:
		return int64(t)
	case int16:
		return int64(t)
	case int32:
		return int64(t)
	case uint8:
		return int64(t)
	case uint16:
		return int64(t)
	case uint32:
		return int64(t)
	case uint:
		if uint64(t) > math.MaxInt64 {
			return float64(t)
		}
		return int64(t)
	case uint64:
		if t > math.MaxInt64 {
			return float64(t)
		}
		return int64(t)
	case time.Time:
		return NewTimestamp(t)
	case float32:
		return float64(t)
	case []any:
		for i, x := range t {
			t[i] = NormalizeValue(x)
		}
		return t
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out
	case map[string]any:
		m := NewMap(len(t))
		for _, k := range sortedKeys(t) {
			m.Set(k, NormalizeValue(t[k]))
		}
		return m
	case map[string]string:
		m := NewMap(len(t))
		for _, k := range sortedKeys(t) {
			m.Set(k, t[k])
		}
		return m
	case fmt.Stringer:
		return t.String()
	default:
		return fmt.Sprint(v)
	}
}

// ValueString renders a value as Logstash's sprintf and to_s do: strings as
// they are, numbers in their shortest form, lists comma-joined, maps as JSON,
// nil as the empty string.
func ValueString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	default:
		return string(AppendValueString(nil, v))
	}
}

// AppendValueString appends ValueString(v) to dst.
func AppendValueString(dst []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return dst
	case string:
		return append(dst, t...)
	case int64:
		return strconv.AppendInt(dst, t, 10)
	case float64:
		return appendFloat(dst, t)
	case bool:
		return strconv.AppendBool(dst, t)
	case Timestamp:
		return t.AppendISO(dst)
	case []any:
		for i, x := range t {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendValueString(dst, x)
		}
		return dst
	case *Map:
		return AppendJSONValue(dst, t)
	default:
		return fmt.Append(dst, v)
	}
}

// TypeName returns the Logstash-style name of a value's type, for messages.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case Timestamp:
		return "timestamp"
	case []any:
		return "array"
	case *Map:
		return "hash"
	default:
		return fmt.Sprintf("%T", v)
	}
}
