package conf

import (
	"bytes"
	"sort"
	"unicode/utf8"
)

// The preprocessor rewrites a config so that Logstash strings and Logstash's
// free layout read as the user wrote them, then hands the text to hclsyntax.
// It only ever inserts bytes (or replaces a line end by a space), and
// records where, so that every position in the rewritten text maps back to
// the user's own text (see srcFile.origOffset).
//
// Rewrites (bytes are inserted, or a line end becomes a space):
//   - in quoted strings and heredocs, "%{" becomes "%%{" (HCL's escape for a
//     literal "%{"): Logstash's sprintf references are plain text for HCL;
//   - in quoted strings, a backslash escape HCL does not know ("\d", "\[",
//     "\.", ...) gets its backslash doubled, so the value keeps it as written;
//   - a newline is inserted wherever HCL needs one between two items written
//     on one line: after a block's "{", before its "}", after a block's "}"
//     ("} else {"), between two attributes ("count = 1 codec = ...") and
//     between two items of an object constructor ({ "a" = "x" "b" = "y" });
//   - a block's "{" written on the line after its header (Allman style, which
//     Logstash accepts) is joined to the header: the line ends become spaces.
//
// The scanner understands just enough of HCL's structure for that: bodies,
// attributes, block headers, expressions with their brackets, object
// constructors, quoted strings with escapes and ${...} interpolations,
// heredocs and comments. Text it does not understand is copied unchanged and
// left to hclsyntax to report.
type prep struct {
	src []byte
	i   int
	out []byte
	ins []int // offsets in out of inserted bytes, ascending
}

// preprocess returns the rewritten text and the offsets of the bytes it
// inserted.
func preprocess(src []byte) ([]byte, []int) {
	p := &prep{src: src, out: make([]byte, 0, len(src)+len(src)/16+8)}
	for p.i < len(p.src) {
		p.body(false)
		if p.i < len(p.src) { // a stray closing brace at the top level
			p.emit(p.i + 1)
		}
	}
	return p.out, p.ins
}

// emit copies the source up to j.
func (p *prep) emit(j int) {
	if j > len(p.src) {
		j = len(p.src)
	}
	p.out = append(p.out, p.src[p.i:j]...)
	p.i = j
}

// insert adds a byte that is not in the source.
func (p *prep) insert(b byte) {
	p.ins = append(p.ins, len(p.out))
	p.out = append(p.out, b)
}

func (p *prep) at(j int) byte {
	if j < len(p.src) {
		return p.src[j]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c == '-' || c >= '0' && c <= '9'
}

func identEnd(src []byte, i int) int {
	for i < len(src) && isIdentByte(src[i]) {
		i++
	}
	return i
}

func skipHSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r') {
		i++
	}
	return i
}

// isAssign reports whether src[i] is a single "=" (not "==" or "=>").
func isAssign(src []byte, i int) bool {
	return i < len(src) && src[i] == '=' && (i+1 >= len(src) || src[i+1] != '=' && src[i+1] != '>')
}

// space copies white space and comments and reports whether it crossed a
// line end (a line comment includes its line end).
func (p *prep) space() bool {
	nl := false
	for p.i < len(p.src) {
		switch c := p.src[p.i]; {
		case c == '\n':
			nl = true
			p.emit(p.i + 1)
		case c == ' ' || c == '\t' || c == '\r':
			p.emit(p.i + 1)
		case c == '#' || c == '/' && p.at(p.i+1) == '/':
			p.lineComment()
			nl = true
		case c == '/' && p.at(p.i+1) == '*':
			p.blockComment()
		default:
			return nl
		}
	}
	return nl
}

func (p *prep) lineComment() {
	j := bytes.IndexByte(p.src[p.i:], '\n')
	if j < 0 {
		p.emit(len(p.src))
		return
	}
	p.emit(p.i + j + 1)
}

func (p *prep) blockComment() {
	j := bytes.Index(p.src[p.i+2:], []byte("*/"))
	if j < 0 {
		p.emit(len(p.src))
		return
	}
	p.emit(p.i + 2 + j + 2)
}

// body scans the items of a body up to its closing brace (consumed when
// nested) or the end of the text.
func (p *prep) body(nested bool) {
	afterOpen := nested // the body's "{" is on the current line
	afterItem := false  // an item ended on the current line
	for {
		if p.space() {
			afterOpen, afterItem = false, false
		}
		if p.i >= len(p.src) {
			return
		}
		if p.src[p.i] == '}' {
			if !nested {
				return
			}
			if afterItem {
				p.insert('\n')
			}
			p.emit(p.i + 1)
			return
		}
		if afterOpen || afterItem {
			p.insert('\n')
		}
		afterOpen = false
		afterItem = p.item()
	}
}

// item scans an attribute or a block. It reports false when it met
// something it does not understand; no newline is inserted after it then.
func (p *prep) item() bool {
	c := p.src[p.i]
	if !isIdentStart(c) {
		switch c {
		case '"':
			p.quoted()
		case '(', '[':
			p.group()
		case '{':
			p.emit(p.i + 1)
			p.body(true)
		default:
			p.emit(p.i + 1)
		}
		return false
	}
	p.emit(identEnd(p.src, p.i))
	if k := skipHSpace(p.src, p.i); isAssign(p.src, k) {
		p.emit(k + 1)
		p.expr(false)
		return true
	}
	// A block header: labels, then the body.
	for {
		k := skipHSpace(p.src, p.i)
		if k >= len(p.src) {
			p.emit(k)
			return false
		}
		switch c := p.src[k]; {
		case c == '\n':
			// Logstash allows the "{" on a line of its own; HCL wants it
			// on the header's line: the line ends become spaces.
			j := skipSpaceAll(p.src, k)
			if p.at(j) != '{' {
				p.emit(k)
				return false
			}
			for _, b := range p.src[p.i:j] {
				if b == '\n' {
					b = ' '
				}
				p.out = append(p.out, b)
			}
			p.i = j
		case c == '"':
			p.emit(k)
			p.quoted()
		case isIdentStart(c):
			p.emit(identEnd(p.src, k))
		case c == '{':
			p.emit(k + 1)
			p.body(true)
			return true
		default:
			p.emit(k)
			return false
		}
	}
}

// expr scans an expression up to (not including) the line end, comment,
// "}" (or "," in an object) that ends it, or up to the next item when that
// starts on the same line. inObject selects the object-constructor rules.
func (p *prep) expr(inObject bool) {
	tokens := 0
	space := false
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '\n' || c == '}' || c == ',' && inObject:
			return
		case c == ' ' || c == '\t' || c == '\r':
			p.emit(p.i + 1)
			space = true
			continue
		case c == '#' || c == '/' && p.at(p.i+1) == '/':
			return
		case c == '/' && p.at(p.i+1) == '*':
			p.blockComment()
			space = true
			continue
		case c == '"':
			if inObject && tokens > 0 && space && isAssign(p.src, skipHSpace(p.src, quotedEnd(p.src, p.i))) {
				return // the next item's key
			}
			p.quoted()
		case c == '<' && p.at(p.i+1) == '<' && p.heredocStart():
			p.heredoc()
		case c == '(' || c == '[':
			p.group()
		case c == '{':
			p.object()
		case isIdentStart(c):
			end := identEnd(p.src, p.i)
			if tokens > 0 && space {
				k := skipHSpace(p.src, end)
				if isAssign(p.src, k) || !inObject && k < len(p.src) && (p.src[k] == '{' || p.src[k] == '"') {
					return // the next attribute or block
				}
			}
			p.emit(end)
		default:
			p.emit(p.i + 1)
		}
		tokens++
		space = false
	}
}

// group scans a parenthesised or bracketed expression, newlines allowed.
func (p *prep) group() {
	closer := byte(')')
	if p.src[p.i] == '[' {
		closer = ']'
	}
	p.emit(p.i + 1)
	p.until(closer)
}

// until scans generic expression text up to and including closer; it stops
// before a mismatched closing bracket.
func (p *prep) until(closer byte) {
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == closer:
			p.emit(p.i + 1)
			return
		case c == ')' || c == ']' || c == '}':
			return
		case c == '"':
			p.quoted()
		case c == '<' && p.at(p.i+1) == '<' && p.heredocStart():
			p.heredoc()
		case c == '(' || c == '[':
			p.group()
		case c == '{':
			p.object()
		case c == '#' || c == '/' && p.at(p.i+1) == '/':
			p.lineComment()
		case c == '/' && p.at(p.i+1) == '*':
			p.blockComment()
		default:
			p.emit(p.i + 1)
		}
	}
}

// object scans an object constructor: items "key = value" (or "key: value")
// separated by commas or newlines; a newline is inserted between two items
// written on one line without a comma, as Logstash's hashes are written.
func (p *prep) object() {
	p.emit(p.i + 1)
	if k := skipSpaceAll(p.src, p.i); bytes.HasPrefix(p.src[k:], []byte("for")) && !isIdentByte(p.at(k+3)) {
		p.until('}') // a for expression
		return
	}
	afterItem := false
	for {
		if p.space() {
			afterItem = false
		}
		if p.i >= len(p.src) {
			return
		}
		switch p.src[p.i] {
		case '}':
			p.emit(p.i + 1)
			return
		case ',':
			p.emit(p.i + 1)
			afterItem = false
			continue
		case ')', ']':
			return
		}
		if afterItem {
			p.insert('\n')
		}
		start := p.i
		p.objectKey()
		p.expr(true)
		if p.i == start {
			p.emit(p.i + 1)
		}
		afterItem = true
	}
}

// objectKey scans an object item's key and its "=" or ":".
func (p *prep) objectKey() {
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '=' || c == ':':
			p.emit(p.i + 1)
			return
		case c == '\n' || c == '}' || c == ',' || c == '#' || c == '/' && p.at(p.i+1) == '/':
			return
		case c == '"':
			p.quoted()
		case c == '(' || c == '[':
			p.group()
		default:
			p.emit(p.i + 1)
		}
	}
}

func skipSpaceAll(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n') {
		i++
	}
	return i
}

// escapeLen returns the length of the HCL escape sequence at b[0] == '\\',
// or 0 when HCL does not know it.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case 'n', 'r', 't', '"', '\\':
		return 2
	case 'u':
		if hexDigits(b[2:], 4) {
			return 6
		}
	case 'U':
		if hexDigits(b[2:], 8) {
			return 10
		}
	}
	return 0
}

func hexDigits(b []byte, n int) bool {
	if len(b) < n {
		return false
	}
	for _, c := range b[:n] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// quoted scans a quoted string from its opening quote. An unterminated
// string stops before the line end (hclsyntax reports it).
func (p *prep) quoted() {
	p.emit(p.i + 1)
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			p.emit(p.i + 1)
			return
		case c == '\n':
			return
		case c == '\\':
			if n := escapeLen(p.src[p.i:]); n > 0 {
				p.emit(p.i + n)
			} else {
				p.insert('\\')
				p.emit(p.i + 1)
			}
		default:
			p.templateChar()
		}
	}
}

// templateChar scans one template element at p.i that is not a quote, line
// end or backslash: "$${", "${...}", "%{" or a plain byte.
func (p *prep) templateChar() {
	c := p.src[p.i]
	switch {
	case c == '$' && p.at(p.i+1) == '$' && p.at(p.i+2) == '{':
		p.emit(p.i + 3)
	case c == '$' && p.at(p.i+1) == '{':
		p.emit(p.i + 2)
		p.until('}')
	case c == '%' && p.at(p.i+1) == '{':
		p.insert('%')
		p.emit(p.i + 2)
	default:
		p.emit(p.i + 1)
	}
}

// quotedEnd returns the offset just after the quoted string starting at i,
// or the offset of the line end that cuts it.
func quotedEnd(src []byte, i int) int {
	i++
	for i < len(src) {
		switch src[i] {
		case '"':
			return i + 1
		case '\n':
			return i
		case '\\':
			i += 2
		case '$':
			if i+1 < len(src) && src[i+1] == '{' {
				i = interpEnd(src, i+2)
			} else {
				i++
			}
		default:
			i++
		}
	}
	return len(src)
}

// interpEnd returns the offset after the "}" closing an interpolation whose
// content starts at i.
func interpEnd(src []byte, i int) int {
	depth := 0
	for i < len(src) {
		switch src[i] {
		case '"':
			i = quotedEnd(src, i)
			continue
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return i + 1
			}
			depth--
		}
		i++
	}
	return len(src)
}

// heredocStart reports whether p.i starts a heredoc introducer:
// "<<" or "<<-", an identifier, and the line end.
func (p *prep) heredocStart() bool {
	j := p.i + 2
	if p.at(j) == '-' {
		j++
	}
	if !isIdentStart(p.at(j)) {
		return false
	}
	j = skipHSpace(p.src, identEnd(p.src, j))
	return p.at(j) == '\n'
}

// heredoc scans a heredoc up to its closing marker (not the line end after
// it). Its lines are template text: "%{" is rewritten, backslashes are not
// escapes in HCL heredocs and are left alone.
func (p *prep) heredoc() {
	j := p.i + 2
	if p.at(j) == '-' {
		j++
	}
	marker := p.src[j:identEnd(p.src, j)]
	p.emit(bytes.IndexByte(p.src[p.i:], '\n') + p.i + 1)
	lineStart := true
	for p.i < len(p.src) {
		if lineStart {
			end := bytes.IndexByte(p.src[p.i:], '\n')
			if end < 0 {
				end = len(p.src) - p.i
			}
			if bytes.Equal(bytes.TrimSpace(p.src[p.i:p.i+end]), marker) {
				p.emit(p.i + end)
				return
			}
			lineStart = false
		}
		if p.src[p.i] == '\n' {
			p.emit(p.i + 1)
			lineStart = true
			continue
		}
		p.templateChar()
	}
}

// srcFile is one source with its rewritten text and the map between them.
type srcFile struct {
	name  string // as shown in diagnostics
	orig  []byte
	text  []byte // rewritten
	ins   []int  // offsets in text of inserted bytes
	lines []int  // offsets in orig where lines start
}

func newSrcFile(name string, data []byte) *srcFile {
	f := &srcFile{name: name, orig: data}
	f.text, f.ins = preprocess(data)
	f.lines = lineStarts(data)
	return f
}

func lineStarts(data []byte) []int {
	lines := []int{0}
	for i, c := range data {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}

// origOffset maps an offset in the rewritten text to the user's text. An
// inserted byte maps to the original byte that follows it.
func (f *srcFile) origOffset(t int) int {
	o := t - sort.SearchInts(f.ins, t)
	return min(max(o, 0), len(f.orig))
}

// lineCol returns the 1-based line and column (in characters) of an offset
// in the user's text.
func (f *srcFile) lineCol(o int) (line, col int) {
	return lineCol(f.orig, f.lines, o)
}

func lineCol(data []byte, lines []int, o int) (line, col int) {
	o = min(max(o, 0), len(data))
	l := sort.SearchInts(lines, o+1) - 1 // last line start <= o
	return l + 1, utf8.RuneCount(data[lines[l]:o]) + 1
}
