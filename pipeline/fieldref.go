package pipeline

import (
	"errors"
	"fmt"
	"strings"
)

// Names with a special place in an event.
const (
	TimestampField = "@timestamp"
	VersionField   = "@version"
	MetadataField  = "@metadata"
	TagsField      = "tags"
	MessageField   = "message"
)

// FieldRef is a parsed Logstash field reference: "[a][b]", "[a]" or a bare
// top-level name "a". Parse it once at config time with ParseFieldRef and
// reuse it for every event.
type FieldRef struct {
	raw  string
	path []string
	meta bool // path[0] is @metadata: the rest addresses the metadata map
}

// ErrFieldRef is wrapped by every field reference parse error.
var ErrFieldRef = errors.New("invalid field reference")

// ParseFieldRef parses a field reference. A bare name may hold any
// character but '[' and ']'; a bracketed reference is one or more
// non-empty "[name]" parts.
func ParseFieldRef(s string) (FieldRef, error) {
	if s == "" {
		return FieldRef{}, fmt.Errorf("%w: empty", ErrFieldRef)
	}
	var path []string
	if s[0] != '[' {
		if strings.ContainsAny(s, "[]") {
			return FieldRef{}, fmt.Errorf("%w %q: a bare name cannot contain '[' or ']'; write it as [a][b]", ErrFieldRef, s)
		}
		path = []string{s}
	} else {
		rest := s
		for rest != "" {
			if rest[0] != '[' {
				return FieldRef{}, fmt.Errorf("%w %q: expected '[' at %q", ErrFieldRef, s, rest)
			}
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return FieldRef{}, fmt.Errorf("%w %q: missing ']'", ErrFieldRef, s)
			}
			name := rest[1:end]
			if name == "" {
				return FieldRef{}, fmt.Errorf("%w %q: empty [] part", ErrFieldRef, s)
			}
			if strings.IndexByte(name, '[') >= 0 {
				return FieldRef{}, fmt.Errorf("%w %q: nested '[' in %q", ErrFieldRef, s, name)
			}
			path = append(path, name)
			rest = rest[end+1:]
		}
	}
	r := FieldRef{raw: s, path: path}
	if path[0] == MetadataField {
		r.meta = true
	}
	return r, nil
}

// MustFieldRef is ParseFieldRef for references known to be valid; it panics
// otherwise. Use it only with constant strings.
func MustFieldRef(s string) FieldRef {
	r, err := ParseFieldRef(s)
	if err != nil {
		panic(err)
	}
	return r
}

// String returns the reference as written.
func (r FieldRef) String() string { return r.raw }

// Path returns the parts of the reference. The slice must not be modified.
func (r FieldRef) Path() []string { return r.path }

// IsZero reports whether r is the zero FieldRef (no reference).
func (r FieldRef) IsZero() bool { return len(r.path) == 0 }

// IsTimestamp reports whether r is [@timestamp].
func (r FieldRef) IsTimestamp() bool { return len(r.path) == 1 && r.path[0] == TimestampField }
