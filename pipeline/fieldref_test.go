package pipeline

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseFieldRef(t *testing.T) {
	tests := []struct {
		in   string
		path []string
		meta bool
		ts   bool
	}{
		{"a", []string{"a"}, false, false},
		{"[a]", []string{"a"}, false, false},
		{"[a][b]", []string{"a", "b"}, false, false},
		{"[a][b][c]", []string{"a", "b", "c"}, false, false},
		{"[list][0]", []string{"list", "0"}, false, false},
		{"[list][-1]", []string{"list", "-1"}, false, false},
		{"with space", []string{"with space"}, false, false},
		{"[a b][c-d.e]", []string{"a b", "c-d.e"}, false, false},
		{"héllo", []string{"héllo"}, false, false},
		{"@timestamp", []string{"@timestamp"}, false, true},
		{"[@timestamp]", []string{"@timestamp"}, false, true},
		{"[@timestamp][x]", []string{"@timestamp", "x"}, false, false},
		{"@metadata", []string{"@metadata"}, true, false},
		{"[@metadata]", []string{"@metadata"}, true, false},
		{"[@metadata][x]", []string{"@metadata", "x"}, true, false},
		{"[@metadata][input][tcp]", []string{"@metadata", "input", "tcp"}, true, false},
		{"[a][@metadata]", []string{"a", "@metadata"}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			r, err := ParseFieldRef(tc.in)
			if err != nil {
				t.Fatalf("ParseFieldRef(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(r.Path(), tc.path) {
				t.Errorf("Path = %q, want %q", r.Path(), tc.path)
			}
			if r.meta != tc.meta {
				t.Errorf("meta = %v, want %v", r.meta, tc.meta)
			}
			if r.IsTimestamp() != tc.ts {
				t.Errorf("IsTimestamp = %v, want %v", r.IsTimestamp(), tc.ts)
			}
			if r.String() != tc.in {
				t.Errorf("String = %q", r.String())
			}
			if r.IsZero() {
				t.Errorf("IsZero on a parsed reference")
			}
			if MustFieldRef(tc.in).String() != tc.in {
				t.Errorf("MustFieldRef differs")
			}
		})
	}
}

func TestParseFieldRefInvalid(t *testing.T) {
	for _, in := range []string{
		"",
		"a[b]",
		"a]",
		"]",
		"[",
		"[a",
		"[a][b",
		"[]",
		"[a][]",
		"[][a]",
		"[a]b",
		"[a] ",
		"[a]]",
		"[a[b]]",
		"[[a][b]][c]", // composite references are an Event API feature only
	} {
		t.Run(in, func(t *testing.T) {
			r, err := ParseFieldRef(in)
			if err == nil {
				t.Fatalf("ParseFieldRef(%q) = %q, want an error", in, r.Path())
			}
			if !errors.Is(err, ErrFieldRef) {
				t.Errorf("error %v does not wrap ErrFieldRef", err)
			}
			if !r.IsZero() {
				t.Errorf("non-zero reference returned with error")
			}
		})
	}
}

func TestMustFieldRefPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustFieldRef(\"a[b]\") did not panic")
		}
	}()
	MustFieldRef("a[b]")
}

func TestFieldRefZero(t *testing.T) {
	var r FieldRef
	if !r.IsZero() || r.IsTimestamp() || r.String() != "" || r.Path() != nil {
		t.Errorf("zero FieldRef: %+v", r)
	}
	e := NewEvent()
	if _, ok := e.Get(r); ok {
		t.Errorf("Get(zero) found a value")
	}
	if err := e.Set(r, "x"); !errors.Is(err, ErrFieldSet) {
		t.Errorf("Set(zero) = %v, want ErrFieldSet", err)
	}
	if _, ok := e.Remove(r); ok {
		t.Errorf("Remove(zero) found a value")
	}
}
