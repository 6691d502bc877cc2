package conf

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Severity says whether a diagnostic stops the configuration from loading.
type Severity int

// The severities.
const (
	// SeverityError: the configuration cannot be used.
	SeverityError Severity = iota
	// SeverityWarning: the configuration loads, but something is likely
	// not what the user meant.
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in the configuration, at a position in
// the user's own text (before any rewriting by the loader).
type Diagnostic struct {
	Severity Severity
	// File is the Source's Name; "" for a problem with no place.
	File string
	// Line and Column (1-based; the column counts characters) are where the
	// problem starts; 0 when unknown.
	Line, Column int
	// EndLine and EndColumn are where it ends (exclusive), for underlining.
	EndLine, EndColumn int
	// Summary is a short statement of the problem.
	Summary string
	// Detail says more, and how to fix it.
	Detail string
}

// String formats the diagnostic as "file:line:col: error: Summary: Detail".
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", d.Line, d.Column)
		}
		b.WriteString(": ")
	}
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	b.WriteString(d.Summary)
	if d.Detail != "" {
		b.WriteString(": ")
		b.WriteString(d.Detail)
	}
	return b.String()
}

// Diagnostics is a list of diagnostics.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (d Diagnostics) HasErrors() bool {
	for _, x := range d {
		if x.Severity == SeverityError {
			return true
		}
	}
	return false
}

func compareDiag(a, b Diagnostic) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
}

func (d Diagnostics) sorted() Diagnostics {
	s := slices.Clone(d)
	slices.SortStableFunc(s, compareDiag)
	return s
}

// Write prints every diagnostic sorted by file, line and column as
//
//	file:line:col: error: Summary: Detail
//
// and, when snippets is true (stderr is a terminal), the source line from
// srcs after a gutter with its number, and a line underlining the problem's
// range with ^~~~.
func (d Diagnostics) Write(w io.Writer, srcs []Source, snippets bool) error {
	var buf bytes.Buffer
	var lines map[string][]int
	for _, x := range d.sorted() {
		buf.WriteString(x.String())
		buf.WriteByte('\n')
		if !snippets || x.Line <= 0 {
			continue
		}
		src := findSource(srcs, x.File)
		if src == nil {
			continue
		}
		if lines == nil {
			lines = map[string][]int{}
		}
		ls, ok := lines[x.File]
		if !ok {
			ls = lineStarts(src.Data)
			lines[x.File] = ls
		}
		writeSnippet(&buf, src.Data, ls, x)
	}
	_, err := w.Write(buf.Bytes())
	if err != nil {
		return fmt.Errorf("write diagnostics: %w", err)
	}
	return nil
}

func findSource(srcs []Source, name string) *Source {
	for i := range srcs {
		if srcs[i].Name == name {
			return &srcs[i]
		}
	}
	return nil
}

// writeSnippet prints the diagnostic's first line with a gutter and a caret
// line under its range (to the line end when the range goes on).
func writeSnippet(buf *bytes.Buffer, data []byte, ls []int, x Diagnostic) {
	if x.Line > len(ls) {
		return
	}
	start := ls[x.Line-1]
	end := len(data)
	if x.Line < len(ls) {
		end = ls[x.Line] - 1
	}
	text := redactSecrets(strings.TrimRight(string(data[start:end]), "\r"))
	gutter := fmt.Sprintf("%5d | ", x.Line)
	buf.WriteString(gutter)
	buf.WriteString(text)
	buf.WriteByte('\n')
	buf.WriteString(strings.Repeat(" ", len(gutter)-2))
	buf.WriteString("| ")
	// Pad with the line's own tabs so that the caret lines up.
	col := 1
	for _, r := range text {
		if col >= x.Column {
			break
		}
		if r == '\t' {
			buf.WriteByte('\t')
		} else {
			buf.WriteByte(' ')
		}
		col++
	}
	width := 1
	total := utf8.RuneCountInString(text)
	switch {
	case x.EndLine == x.Line && x.EndColumn > x.Column:
		width = x.EndColumn - x.Column
	case x.EndLine > x.Line:
		width = total - x.Column + 1
	}
	width = max(1, min(width, total-x.Column+1))
	buf.WriteByte('^')
	buf.WriteString(strings.Repeat("~", width-1))
	buf.WriteByte('\n')
}

// SecretLiterals returns the 1-based numbers of the lines of an HCL text
// that set a secret option (password, passphrase, api_key, secret, token,
// jaas...) to a literal string rather than to env.NAME or "${env.NAME}",
// so that `pipe convert` can warn that its output holds secrets.
func SecretLiterals(hcl []byte) []int {
	var lines []int
	for i, line := range strings.Split(string(hcl), "\n") {
		m := secretLiteral.FindStringSubmatch(line)
		if m != nil && !strings.HasPrefix(m[1], "${env") && m[1] != "" {
			lines = append(lines, i+1)
		}
	}
	return lines
}

// secretLiteral is an HCL line setting a secret option to a string.
var secretLiteral = regexp.MustCompile(`(?i)^\s*"?[a-z_]*(?:password|passphrase|api_key|secret|token|jaas)[a-z_]*"?\s*=\s*"((?:[^"\\]|\\.)*)"`)

// secretLine matches a source line that sets a secret option.
var secretLine = regexp.MustCompile(`(?i)(password|passphrase|api_key|secret|token|jaas)[a-z_]*\s*=`)

// quoted matches a double-quoted (HCL, Logstash) or single-quoted
// (Logstash) string on one line.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)

// bareword is a Logstash option's unquoted value after =>.
var bareword = regexp.MustCompile(`=>\s*([^\s"'#{}\[\]]+)`)

// redactSecrets masks the strings of a line that sets a secret option, so
// that a snippet never shows a password; the length is kept so that the
// underline still points at the right columns.
func redactSecrets(line string) string {
	if !secretLine.MatchString(line) {
		return line
	}
	line = quoted.ReplaceAllStringFunc(line, func(q string) string {
		if len(q) <= 2 {
			return q
		}
		return q[:1] + strings.Repeat("*", len(q)-2) + q[len(q)-1:]
	})
	// A Logstash bareword value: password => hunter2.
	return bareword.ReplaceAllStringFunc(line, func(m string) string {
		v := bareword.FindStringSubmatchIndex(m)
		return m[:v[2]] + strings.Repeat("*", v[3]-v[2])
	})
}
