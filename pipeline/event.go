package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Failure tags and fields set by the event model.
const (
	TagTimestampParseFailure = "_timestampparsefailure"
	TagTagsParseFailure      = "_tagsparsefailure"
	InvalidTimestampField    = "_@timestamp"
	InvalidTagsField         = "_tags"
)

// ErrFieldSet is wrapped by Set when a reference goes below a value that is
// not a map (Logstash's InvalidFieldSetException).
var ErrFieldSet = errors.New("cannot set field")

// Event is one log event. @timestamp and @metadata are kept apart from the
// other fields, as in Logstash; @metadata is never serialised.
type Event struct {
	ts     Timestamp
	hasTS  bool
	fields Map
	meta   *Map
	ack    *Ack
	id     uint64
	pos    int // a worker's scratch: the event's place in its batch
}

// NewEvent returns an event with @timestamp now and @version "1".
func NewEvent() *Event {
	er := &eventWithRoom{}
	e := &er.e
	e.ts, e.hasTS = Now(), true
	e.fields.entries = er.room[:1:len(er.room)]
	er.room[0] = entry{key: VersionField, val: "1"}
	return e
}

// eventRoom is the number of fields a new event holds before its field
// slice grows.
const eventRoom = 8

// eventWithRoom is an Event and room for its first fields in one
// allocation.
type eventWithRoom struct {
	e    Event
	room [eventRoom]entry
}

// eventWithRoom16 is eventWithRoom for events decoded with 9 to 16 fields
// (a python-logstash event has 12 or 13).
type eventWithRoom16 struct {
	e    Event
	room [16]entry
}

// newEventFor returns an empty event (no @timestamp yet) with room for n
// fields, in one allocation when n <= 16.
func newEventFor(n int) *Event {
	switch {
	case n <= eventRoom:
		er := &eventWithRoom{}
		er.e.fields.entries = er.room[:0:len(er.room)]
		return &er.e
	case n <= 16:
		er := &eventWithRoom16{}
		er.e.fields.entries = er.room[:0:len(er.room)]
		return &er.e
	}
	e := &Event{}
	e.fields.entries = make([]entry, 0, n)
	return e
}

// NewMessageEvent returns a new event whose message field is msg, with
// invalid UTF-8 replaced by U+FFFD.
func NewMessageEvent(msg string) *Event {
	e := NewEvent()
	e.fields.Set(MessageField, ValidUTF8(msg))
	return e
}

// ValidUTF8 returns s with each run of invalid UTF-8 bytes replaced by
// U+FFFD; valid input is returned unchanged without copying.
func ValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// EventFromMap makes an event from a decoded map (a JSON object) with
// Logstash's rules: @timestamp is parsed (an unparsable one gives now, the
// original in _@timestamp and the tag _timestampparsefailure), @version
// defaults to "1", @metadata goes to the metadata map, and tags that are not
// a string or a list of strings move to _tags with _tagsparsefailure.
// The map is taken over by the event.
func EventFromMap(m *Map) *Event {
	if m == nil {
		m = &Map{}
	}
	e := &Event{fields: *m}
	ts, ok := e.fields.Delete(TimestampField)
	e.adopt(ts, ok)
	return e
}

// adopt applies EventFromMap's rules to e.fields, whose @timestamp value
// (if present) the caller has already taken out as ts.
func (e *Event) adopt(ts any, present bool) {
	e.ts = Now()
	badTS := present && e.coerceTimestamp(ts)
	e.hasTS = true
	if v, ok := e.fields.Delete(MetadataField); ok {
		if mm, ok := v.(*Map); ok {
			e.meta = mm
		}
	}
	if _, ok := e.fields.Get(VersionField); !ok {
		// @version goes first, as in a new event.
		e.fields.insertFirst(VersionField, "1")
	}
	if v, ok := e.fields.Get(TagsField); ok {
		if !validTags(v) {
			// As Logstash: _tags holds the bad value in a list, and tags
			// is replaced by the failure tag. A string stays a string
			// until a tag is added.
			e.fields.Delete(TagsField)
			e.fields.Set(InvalidTagsField, []any{v})
			e.AddTag(TagTagsParseFailure)
		}
	}
	if badTS {
		e.fields.Set(InvalidTimestampField, ts)
		e.AddTag(TagTimestampParseFailure)
	}
}

// CoerceTimestamp sets @timestamp from a decoded value as Logstash does:
// a Timestamp or an ISO-8601 string becomes @timestamp, nil changes
// nothing, and anything else sets @timestamp to now, keeps the value in
// _@timestamp and adds the tag _timestampparsefailure.
func (e *Event) CoerceTimestamp(v any) {
	if e.coerceTimestamp(v) {
		e.fields.Set(InvalidTimestampField, v)
		e.AddTag(TagTimestampParseFailure)
	}
}

// coerceTimestamp sets @timestamp from v and reports whether v was
// unusable (then @timestamp is now).
func (e *Event) coerceTimestamp(v any) (bad bool) {
	switch t := v.(type) {
	case nil:
		return false
	case Timestamp:
		e.SetTimestamp(t)
		return false
	case string:
		if parsed, err := ParseTimestamp(t); err == nil {
			e.SetTimestamp(parsed)
			return false
		}
	}
	e.SetTimestamp(Now())
	return true
}

func validTags(v any) bool {
	switch t := v.(type) {
	case nil, string:
		return true
	case []any:
		for _, x := range t {
			if _, ok := x.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// Timestamp returns @timestamp and whether the event has one.
func (e *Event) Timestamp() (Timestamp, bool) { return e.ts, e.hasTS }

// SetTimestamp sets @timestamp.
func (e *Event) SetTimestamp(ts Timestamp) { e.ts, e.hasTS = ts, true }

// Fields returns the top-level fields (without @timestamp and @metadata).
// Changing the map changes the event.
func (e *Event) Fields() *Map { return &e.fields }

// Metadata returns the @metadata map, creating it if needed.
func (e *Event) Metadata() *Map {
	if e.meta == nil {
		e.meta = NewMap(smallMapRoom)
	}
	return e.meta
}

// HasMetadata reports whether the event has a non-empty @metadata.
func (e *Event) HasMetadata() bool { return e.meta.Len() > 0 }

// ID returns the number the pipeline gave the event when its input
// emitted it (1, 2, ... per pipeline; 0 before), for logs.
func (e *Event) ID() uint64 { return e.id }

// Ack returns the acknowledgement group the event belongs to, or nil.
func (e *Event) Ack() *Ack { return e.ack }

// SetAck makes the event part of an acknowledgement group. The caller must
// have counted the event in the group (Ack.Add).
func (e *Event) SetAck(a *Ack) { e.ack = a }

// Clone returns a deep copy of the event. The copy joins the original's
// acknowledgement group.
func (e *Event) Clone() *Event {
	c := &Event{ts: e.ts, hasTS: e.hasTS, meta: e.meta.Clone(), ack: e.ack}
	c.fields = *e.fields.Clone()
	if c.ack != nil {
		c.ack.Add(1)
	}
	return c
}

// Get returns the value a reference points at.
func (e *Event) Get(r FieldRef) (any, bool) {
	if len(r.path) == 0 {
		return nil, false
	}
	var cur any
	var ok bool
	path := r.path
	if r.meta {
		if len(path) == 1 {
			if e.meta == nil {
				return nil, false
			}
			return e.meta, true
		}
		cur, ok = e.meta.Get(path[1])
		path = path[2:]
	} else {
		if path[0] == TimestampField {
			if len(path) == 1 {
				return e.ts, e.hasTS
			}
			return nil, false
		}
		cur, ok = e.fields.Get(path[0])
		path = path[1:]
	}
	for _, p := range path {
		if !ok {
			return nil, false
		}
		cur, ok = child(cur, p)
	}
	return cur, ok
}

// GetString returns the value at r if it is a string.
func (e *Event) GetString(r FieldRef) (string, bool) {
	v, ok := e.Get(r)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// child looks up one step below v: a key of a map, or an index (negative
// counts from the end) of a list.
func child(v any, p string) (any, bool) {
	switch t := v.(type) {
	case *Map:
		return t.Get(p)
	case []any:
		i, ok := listIndex(p, len(t))
		if !ok {
			return nil, false
		}
		return t[i], true
	}
	return nil, false
}

func listIndex(p string, n int) (int, bool) {
	neg := false
	s := p
	if s != "" && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" || len(s) > 9 {
		return 0, false
	}
	i := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
	}
	if neg {
		i = n - i
	}
	if i < 0 || i >= n {
		return 0, false
	}
	return i, true
}

// Set stores v at r, creating intermediate maps. Setting below a value that
// is not a map (or a list index that exists) returns an error wrapping
// ErrFieldSet and leaves the event unchanged. Setting @timestamp needs a
// Timestamp or an ISO-8601 string.
func (e *Event) Set(r FieldRef, v any) error {
	if len(r.path) == 0 {
		return fmt.Errorf("%w: empty field reference", ErrFieldSet)
	}
	path := r.path
	var m *Map
	if r.meta {
		if len(path) == 1 {
			mm, ok := v.(*Map)
			if !ok {
				return fmt.Errorf("%w [@metadata]: it must be a hash, not %s", ErrFieldSet, TypeName(v))
			}
			e.meta = mm
			return nil
		}
		m = e.Metadata()
		path = path[1:]
	} else {
		if path[0] == TimestampField && len(path) == 1 {
			switch t := v.(type) {
			case Timestamp:
				e.SetTimestamp(t)
				return nil
			case string:
				ts, err := ParseTimestamp(t)
				if err != nil {
					return fmt.Errorf("%w [@timestamp]: %w", ErrFieldSet, err)
				}
				e.SetTimestamp(ts)
				return nil
			default:
				return fmt.Errorf("%w [@timestamp]: it must be a timestamp, not %s", ErrFieldSet, TypeName(v))
			}
		}
		m = &e.fields
	}
	// cur is a *Map or a []any. Nothing is changed before the walk is
	// known to succeed: maps are only created below a missing key, and
	// nothing under a new map can fail.
	var cur any = m
	for i, p := range path[:len(path)-1] {
		var next any
		var ok bool
		switch t := cur.(type) {
		case *Map:
			next, ok = t.Get(p)
			if !ok || next == nil {
				nm := NewMap(smallMapRoom)
				t.Set(p, nm)
				cur = nm
				continue
			}
		case []any:
			idx, ok := listIndex(p, len(t))
			if !ok {
				return fmt.Errorf("%w %s: [%s] is an array without element %q", ErrFieldSet, r.raw, path[i-1], p)
			}
			if next = t[idx]; next == nil {
				nm := NewMap(smallMapRoom)
				t[idx] = nm
				cur = nm
				continue
			}
		}
		switch next.(type) {
		case *Map, []any:
			cur = next
		default:
			return fmt.Errorf("%w %s: [%s] is a %s, not a hash", ErrFieldSet, r.raw, p, TypeName(next))
		}
	}
	last := path[len(path)-1]
	switch t := cur.(type) {
	case *Map:
		t.Set(last, v)
	case []any:
		idx, ok := listIndex(last, len(t))
		if !ok {
			return fmt.Errorf("%w %s: [%s] is an array without element %q", ErrFieldSet, r.raw, path[len(path)-2], last)
		}
		t[idx] = v
	}
	return nil
}

// Remove deletes the value at r and returns it.
func (e *Event) Remove(r FieldRef) (any, bool) {
	if len(r.path) == 0 {
		return nil, false
	}
	path := r.path
	var m *Map
	if r.meta {
		if len(path) == 1 {
			old := e.meta
			e.meta = nil
			return old, old != nil
		}
		m = e.meta
		path = path[1:]
	} else {
		if path[0] == TimestampField && len(path) == 1 {
			if !e.hasTS {
				return nil, false
			}
			e.hasTS = false
			return e.ts, true
		}
		m = &e.fields
	}
	var cur, parent any = m, nil
	for _, p := range path[:len(path)-1] {
		next, ok := child(cur, p)
		if !ok {
			return nil, false
		}
		parent, cur = cur, next
	}
	last := path[len(path)-1]
	switch t := cur.(type) {
	case *Map:
		return t.Delete(last)
	case []any:
		// The element is taken out and the list shrinks, as Logstash's
		// Accessors.del does; the shorter list is stored in its parent.
		if i, ok := listIndex(last, len(t)); ok {
			old := t[i]
			copy(t[i:], t[i+1:])
			t[len(t)-1] = nil
			t = t[:len(t)-1]
			key := path[len(path)-2]
			switch pt := parent.(type) {
			case *Map:
				pt.Set(key, t)
			case []any:
				j, _ := listIndex(key, len(pt))
				pt[j] = t
			}
			return old, true
		}
	}
	return nil, false
}

// Includes reports whether r points at an existing value (even nil).
func (e *Event) Includes(r FieldRef) bool {
	_, ok := e.Get(r)
	return ok
}

// Tags returns the event's tags (nil when none or not a list of strings).
func (e *Event) Tags() []any {
	v, _ := e.fields.Get(TagsField)
	l, _ := v.([]any)
	return l
}

// HasTag reports whether tag is in tags.
func (e *Event) HasTag(tag string) bool {
	v, _ := e.fields.Get(TagsField)
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s == tag {
				return true
			}
		}
	case string:
		return t == tag
	}
	return false
}

// AddTag appends tag to tags unless it is already there. A tags field that
// is a string becomes a list; one of another type is moved to _tags first.
func (e *Event) AddTag(tag string) {
	v, ok := e.fields.Get(TagsField)
	if !ok || v == nil {
		e.fields.Set(TagsField, []any{tag})
		return
	}
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s == tag {
				return
			}
		}
		e.fields.Set(TagsField, append(t, tag))
	case string:
		if t == tag {
			e.fields.Set(TagsField, []any{t})
			return
		}
		e.fields.Set(TagsField, []any{t, tag})
	default:
		e.fields.Delete(TagsField)
		e.fields.Set(InvalidTagsField, []any{v})
		e.fields.Set(TagsField, []any{TagTagsParseFailure, tag})
	}
}

// RemoveTag removes every occurrence of tag from tags.
func (e *Event) RemoveTag(tag string) {
	v, ok := e.fields.Get(TagsField)
	if !ok {
		return
	}
	switch t := v.(type) {
	case []any:
		out := t[:0]
		for _, x := range t {
			if s, ok := x.(string); ok && s == tag {
				continue
			}
			out = append(out, x)
		}
		for i := len(out); i < len(t); i++ {
			t[i] = nil
		}
		e.fields.Set(TagsField, out)
	case string:
		if t == tag {
			e.fields.Set(TagsField, []any{})
		}
	}
}

// Tag adds a failure tag; it is AddTag under Logstash's name.
func (e *Event) Tag(tag string) { e.AddTag(tag) }

// Message returns the message field if it is a string.
func (e *Event) Message() (string, bool) {
	v, ok := e.fields.Get(MessageField)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// ToMap returns the event as a map with @timestamp first, for encoders that
// need one map. withMeta adds @metadata at the end.
func (e *Event) ToMap(withMeta bool) *Map {
	m := NewMap(e.fields.Len() + 2)
	if e.hasTS {
		m.Set(TimestampField, e.ts)
	}
	e.fields.Range(func(k string, v any) bool { m.Set(k, v); return true })
	if withMeta && e.meta != nil {
		m.Set(MetadataField, e.meta)
	}
	return m
}
