// Package pylog formats log records byte for byte as python-logstash 0.4.8
// does (LogstashFormatterVersion1 and LogstashFormatterVersion0): the same
// fields in the same order, serialised as Python's json.dumps with its
// default settings (separators ", " and ": ", ensure_ascii).
package pylog

import (
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field is one key and value of a record, kept in insertion order as a
// Python dict keeps them. Value is one of: string, int, int64, bool, nil,
// []string, or []Field (an object).
type Field struct {
	// Key is the field's name.
	Key string
	// Value is the field's value.
	Value any
}

// ExcInfo is what a record logged with exc_info carries: python-logstash
// adds these as stack_trace, lineno, process and thread_name.
type ExcInfo struct {
	// StackTrace is traceback.format_exception's text (it ends with "\n").
	StackTrace string
	// Lineno is the line of the logging call (record.lineno).
	Lineno int
	// Process is the process id (record.process).
	Process int
	// ThreadName is record.threadName.
	ThreadName string
}

// Record is a Python logging.LogRecord as far as the formatter sees it.
type Record struct {
	// Created is the record's creation time.
	Created time.Time
	// Message is record.getMessage().
	Message string
	// Logger is the logger's name (record.name).
	Logger string
	// Level is the level name (record.levelname).
	Level string
	// Pathname is the source file of the logging call.
	Pathname string
	// Extras are the attributes passed with extra=, in order.
	Extras []Field
	// Exc is set when the record was logged with exc_info.
	Exc *ExcInfo
}

// Formatter is a python-logstash formatter with its handler's settings.
type Formatter struct {
	// Version is the format version: 1 selects LogstashFormatterVersion1,
	// anything else LogstashFormatterVersion0 (as python-logstash does).
	Version int
	// Host is socket.gethostname().
	Host string
	// Tags is the handler's tags (nil means []).
	Tags []string
	// Type is the handler's message_type; empty means "logstash".
	Type string
	// TaskName adds "taskName": null to every record, as Python 3.12 and
	// later do (LogRecord.taskName is not in python-logstash's skip list).
	TaskName bool
}

// TimestampLayout is python-logstash's @timestamp: UTC, milliseconds
// (truncated), "Z".
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// Append appends the serialised record (without any newline) to dst.
func (f *Formatter) Append(dst []byte, r *Record) []byte {
	typ := f.Type
	if typ == "" {
		typ = "logstash"
	}
	tags := f.Tags
	if tags == nil {
		tags = []string{}
	}
	ts := r.Created.UTC().Format(TimestampLayout)
	var inner []Field
	if f.Version == 1 {
		inner = []Field{
			{"@timestamp", ts},
			{"@version", "1"},
			{"message", r.Message},
			{"host", f.Host},
			{"path", r.Pathname},
			{"tags", tags},
			{"type", typ},
			{"level", r.Level},
			{"logger_name", r.Logger},
		}
		inner = f.appendExtras(inner, r)
		return AppendObject(dst, inner)
	}
	fields := []Field{{"levelname", r.Level}, {"logger", r.Logger}}
	fields = f.appendExtras(fields, r)
	top := []Field{
		{"@timestamp", ts},
		{"@message", r.Message},
		{"@source", typ + "://" + f.Host + "/" + r.Pathname},
		{"@source_host", f.Host},
		{"@source_path", r.Pathname},
		{"@tags", tags},
		{"@type", typ},
		{"@fields", fields},
	}
	return AppendObject(dst, top)
}

// appendExtras adds what follows the fixed fields: taskName (3.12+), the
// extras, then the debug fields of exc_info. A later key that repeats an
// earlier one replaces its value in place, as dict.update does.
func (f *Formatter) appendExtras(fs []Field, r *Record) []Field {
	if f.TaskName {
		fs = set(fs, "taskName", nil)
	}
	for _, e := range r.Extras {
		fs = set(fs, e.Key, e.Value)
	}
	if r.Exc != nil {
		fs = set(fs, "stack_trace", r.Exc.StackTrace)
		fs = set(fs, "lineno", r.Exc.Lineno)
		fs = set(fs, "process", r.Exc.Process)
		fs = set(fs, "thread_name", r.Exc.ThreadName)
	}
	return fs
}

func set(fs []Field, k string, v any) []Field {
	for i := range fs {
		if fs[i].Key == k {
			fs[i].Value = v
			return fs
		}
	}
	return append(fs, Field{k, v})
}

// AppendObject appends fields as a JSON object in Python's json.dumps form.
func AppendObject(dst []byte, fs []Field) []byte {
	dst = append(dst, '{')
	for i, f := range fs {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = AppendString(dst, f.Key)
		dst = append(dst, ": "...)
		dst = appendValue(dst, f.Value)
	}
	return append(dst, '}')
}

func appendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return AppendString(dst, v)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case bool:
		if v {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case []string:
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendString(dst, s)
		}
		return append(dst, ']')
	case []Field:
		return AppendObject(dst, v)
	default:
		// python-logstash would store repr(value); the records faulty
		// builds never reach this.
		return AppendString(dst, "<unsupported>")
	}
}

const hexdigits = "0123456789abcdef"

// AppendString appends s as a JSON string the way Python's json.dumps does
// with ensure_ascii=True: only printable ASCII (space to '~') is written
// as is; '"' and '\\' and \n \r \t \b \f get short escapes, everything
// else \uXXXX in lowercase hex (surrogate pairs above U+FFFF). Invalid
// UTF-8 is written as U+FFFD. '/', '<', '>' and '&' are not escaped.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = appendU(dst, rune(c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r >= 0x10000 {
			r -= 0x10000
			dst = appendU(dst, 0xd800|(r>>10)&0x3ff)
			dst = appendU(dst, 0xdc00|r&0x3ff)
			continue
		}
		dst = appendU(dst, r)
	}
	return append(dst, '"')
}

func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexdigits[r>>12&0xf], hexdigits[r>>8&0xf], hexdigits[r>>4&0xf], hexdigits[r&0xf])
}

// Repr returns Python's repr() of a str: single quotes unless the text
// holds a single quote and no double quote; backslash, the quote, \t \n
// \r escaped; other non-printable characters as \xNN, \uNNNN or
// \UNNNNNNNN.
func Repr(s string) string {
	q := byte('\'')
	if containsByte(s, '\'') && !containsByte(s, '"') {
		q = '"'
	}
	b := make([]byte, 0, len(s)+2)
	b = append(b, q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r < 0x20 || r == 0x7f:
			b = append(b, '\\', 'x', hexdigits[r>>4], hexdigits[r&0xf])
		case r < utf8.RuneSelf || unicode.IsPrint(r):
			b = utf8.AppendRune(b, r)
		case r < 0x100:
			b = append(b, '\\', 'x', hexdigits[r>>4], hexdigits[r&0xf])
		case r < 0x10000:
			b = append(b, '\\', 'u')
			b = append(b, hexdigits[r>>12&0xf], hexdigits[r>>8&0xf], hexdigits[r>>4&0xf], hexdigits[r&0xf])
		default:
			b = append(b, '\\', 'U')
			for sh := 28; sh >= 0; sh -= 4 {
				b = append(b, hexdigits[r>>uint(sh)&0xf])
			}
		}
	}
	return string(append(b, q))
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}
