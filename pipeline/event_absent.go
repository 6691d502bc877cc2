package pipeline

// SetIfAbsent sets v at r only when nothing is there yet and the path can
// hold it, and reports whether it did. Inputs use it for the fields they
// add (host, port, ...): a sender's own value wins, and a sender's scalar
// at a parent (python-logstash's "host" string when ECS wants
// [host][name]) is left alone instead of failing the set.
func (e *Event) SetIfAbsent(r FieldRef, v any) bool {
	if len(r.path) == 0 || e.Includes(r) {
		return false
	}
	var cur any
	if r.meta {
		if len(r.path) == 1 {
			return false
		}
		cur = e.meta
		if e.meta == nil {
			return e.Set(r, v) == nil
		}
	} else {
		cur = &e.fields
	}
	for _, p := range r.path[boolInt(r.meta) : len(r.path)-1] {
		m, ok := cur.(*Map)
		if !ok {
			return false
		}
		next, ok := m.Get(p)
		if !ok || next == nil {
			break
		}
		cur = next
	}
	if _, ok := cur.(*Map); !ok {
		return false
	}
	return e.Set(r, v) == nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
