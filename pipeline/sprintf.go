package pipeline

import "fmt"

// PLACEHOLDER: the sprintf helper replaces this file with the real
// implementation. The signatures below are the contract.

// TemplateError is an error in a sprintf format at byte Offset.
type TemplateError struct {
	Offset  int
	Message string
}

// Error implements error.
func (e *TemplateError) Error() string { return fmt.Sprintf("at offset %d: %s", e.Offset, e.Message) }

// Template is a parsed Logstash sprintf format ("%{[a][b]} %{+YYYY.MM.dd}").
type Template struct{ src string }

// ParseTemplate parses a sprintf format.
func ParseTemplate(s string) (*Template, error) { return &Template{src: s}, nil }

// Render returns the format applied to the event.
func (t *Template) Render(e *Event) string { return string(t.Append(nil, e)) }

// Append appends the format applied to the event to dst.
func (t *Template) Append(dst []byte, e *Event) []byte { return append(dst, t.src...) }

// IsConstant reports whether the format holds no %{...} reference.
func (t *Template) IsConstant() bool { return true }

// String returns the format as written.
func (t *Template) String() string { return t.src }
