package pipeline

import (
	"fmt"
	"strconv"
	"strings"
)

// TemplateError is an error in a sprintf format at byte Offset.
type TemplateError struct {
	Offset  int
	Message string
}

// Error implements error.
func (e *TemplateError) Error() string { return fmt.Sprintf("at offset %d: %s", e.Offset, e.Message) }

// Template is a parsed Logstash sprintf format ("%{[a][b]} %{+YYYY.MM.dd}"),
// with the semantics of Logstash's StringInterpolation:
//
//   - %{ref} is the value of a field reference: strings as they are,
//     numbers as Logstash prints them, lists comma-joined, maps as JSON (see
//     ValueString). A missing or null field leaves "%{ref}" as written.
//   - %{+PATTERN} is @timestamp in UTC formatted with a Joda-Time pattern;
//     %{+%s} is @timestamp in epoch seconds.
//   - %{{PATTERN}} is @timestamp in UTC formatted with a java.time pattern;
//     %{{TIME_NOW}} is the current time in ISO-8601.
//   - The date forms print nothing when the event has no @timestamp.
//   - A "%{" with no "}" after it is literal text. The reference ends at the
//     first "}", so a pattern cannot hold "}".
//
// A Template is parsed once and is safe for concurrent use.
type Template struct {
	src   string
	parts []tmplPart
}

type partKind uint8

const (
	partLiteral partKind = iota
	partField
	partDate  // %{+...} or %{{...}}
	partEpoch // %{+%s}
	partNow   // %{{TIME_NOW}}
)

// tmplPart is one compiled piece of a format.
type tmplPart struct {
	kind partKind
	ts   bool   // partField: the reference is @timestamp
	text string // partLiteral: the text; partField: the "%{...}" to print when missing
	ref  FieldRef
	date *dateFormat
}

// ParseTemplate parses a sprintf format. Errors are *TemplateError: an
// invalid field reference, an empty reference, or a date pattern with an
// unknown or unsupported letter.
func ParseTemplate(s string) (*Template, error) {
	t := &Template{src: s}
	pos := 0
	for pos < len(s) {
		open := strings.Index(s[pos:], "%{")
		if open < 0 {
			break
		}
		open += pos
		end := strings.IndexByte(s[open+2:], '}')
		if end < 0 {
			break // an unterminated %{ is literal text, as in Logstash
		}
		end += open + 2
		t.literal(s[pos:open])
		body := s[open+2 : end]
		switch {
		case body == "+%s":
			t.parts = append(t.parts, tmplPart{kind: partEpoch})
		case body == "" || body == "+" || body == "+%":
			// Logstash compares the body with "+%s" as a prefix and so prints
			// the epoch seconds for these; they are surely mistakes.
			what := "empty reference %{}"
			if body != "" {
				what = "empty date pattern %{" + body + "}"
			}
			return nil, &TemplateError{Offset: open, Message: what + " (Logstash prints the epoch seconds here; write %{+%s} for that)"}
		case body[0] == '{' && end+1 < len(s) && s[end+1] == '}':
			pattern := body[1:]
			end++ // the second '}'
			if pattern == "TIME_NOW" {
				t.parts = append(t.parts, tmplPart{kind: partNow})
				break
			}
			f, perr := compileJava(pattern)
			if perr != nil {
				return nil, &TemplateError{Offset: open + 3 + perr.off, Message: fmt.Sprintf("%%{{%s}}: %s", pattern, perr.msg)}
			}
			t.parts = append(t.parts, tmplPart{kind: partDate, date: f})
		case body[0] == '{' && end+1 == len(s):
			// Logstash fails on every event here (it reads past the end).
			return nil, &TemplateError{Offset: open, Message: "%{{" + body[1:] + "} needs a second '}' to close the java.time pattern"}
		case body[0] == '+':
			f, perr := compileJoda(body[1:])
			if perr != nil {
				return nil, &TemplateError{Offset: open + 3 + perr.off, Message: fmt.Sprintf("%%{%s}: %s", body, perr.msg)}
			}
			t.parts = append(t.parts, tmplPart{kind: partDate, date: f})
		default:
			ref, err := ParseFieldRef(body)
			if err != nil {
				return nil, &TemplateError{Offset: open + 2, Message: err.Error()}
			}
			t.parts = append(t.parts, tmplPart{kind: partField, ref: ref, ts: ref.IsTimestamp(), text: s[open : end+1]})
		}
		pos = end + 1
	}
	t.literal(s[pos:])
	return t, nil
}

func (t *Template) literal(s string) {
	if s != "" {
		t.parts = append(t.parts, tmplPart{kind: partLiteral, text: s})
	}
}

// Render returns the format applied to the event. A constant format, and a
// format that is one reference to a string field, cost no allocation.
func (t *Template) Render(e *Event) string {
	if len(t.parts) == 1 {
		p := &t.parts[0]
		switch p.kind {
		case partLiteral:
			return p.text
		case partField:
			if !p.ts {
				v, ok := e.Get(p.ref)
				if s, isStr := v.(string); ok && isStr {
					return s
				}
			}
		case partDate:
			if ts, ok := e.Timestamp(); ok {
				if s, hit := p.date.cached(ts.Time()); hit {
					return s
				}
			}
		}
	} else if len(t.parts) == 0 {
		return ""
	}
	var buf [128]byte
	return string(t.Append(buf[:0], e))
}

// Append appends the format applied to the event to dst. Constant text,
// string fields and cached dates are copied without allocating.
func (t *Template) Append(dst []byte, e *Event) []byte {
	for i := range t.parts {
		p := &t.parts[i]
		switch p.kind {
		case partLiteral:
			dst = append(dst, p.text...)
		case partField:
			if p.ts {
				ts, ok := e.Timestamp()
				if !ok {
					dst = append(dst, p.text...)
					continue
				}
				dst = ts.AppendISO(dst)
				continue
			}
			v, ok := e.Get(p.ref)
			if !ok || v == nil {
				dst = append(dst, p.text...)
				continue
			}
			dst = AppendValueString(dst, v)
		case partDate:
			if ts, ok := e.Timestamp(); ok {
				dst = p.date.appendTime(dst, ts.Time())
			}
		case partEpoch:
			if ts, ok := e.Timestamp(); ok {
				dst = strconv.AppendInt(dst, ts.Time().Unix(), 10)
			}
		case partNow:
			dst = Now().AppendISO(dst)
		}
	}
	return dst
}

// IsConstant reports whether the format holds no %{...} reference, so that
// Render always returns String().
func (t *Template) IsConstant() bool {
	for i := range t.parts {
		if t.parts[i].kind != partLiteral {
			return false
		}
	}
	return true
}

// String returns the format as written.
func (t *Template) String() string { return t.src }
