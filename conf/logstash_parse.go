package conf

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file is the parser of Logstash's own config language (the .conf
// front end): it builds a small syntax tree, every node with its byte
// offsets in the user's text, and comments attached to the nodes they
// precede or end the line of. logstash_lower.go lowers the tree into
// hclsyntax nodes for the loader, convert.go writes it out as HCL.
//
// The language is that of Logstash's lscl_grammar.treetop, with
// config.support_escapes false (Logstash's default): a string's value is the
// text between its quotes exactly as written, backslashes included; a \" (or
// \' in single quotes) only keeps the quote from ending the string. Two
// leniencies: hash entries and plugin options may be separated by commas,
// and a bare word may be one character long.

// lsNode is a section item: *lsPlugin or *lsIf.
type lsNode interface{ lsSpan() (int, int) }

// lsComments are the comments attached to a node: lead ones on the lines
// before it, trail on the line where it ends.
type lsComments struct {
	lead, trail []string
}

// lsSection is input { ... }, filter { ... } or output { ... }.
type lsSection struct {
	lsComments
	kind       string
	start, end int // the section's name
	open       int // its "{"
	body       []lsNode
	tail       []string // comments before the closing brace
}

// lsPlugin is a plugin block, also a codec given as an option's value.
type lsPlugin struct {
	lsComments
	name       string
	start, end int // the name (with its quotes when quoted)
	open       int
	close      int
	attrs      []*lsAttr
	tail       []string
}

func (p *lsPlugin) lsSpan() (int, int) { return p.start, p.close + 1 }

// lsAttr is name => value.
type lsAttr struct {
	lsComments
	name       string
	start, end int
	value      *lsValue
}

// lsKind is the kind of a value.
type lsKind int

const (
	lsString lsKind = iota // quoted; text is the value
	lsBare                 // a bare word; text is the word
	lsNumber               // text is the number as written
	lsArray
	lsHash
	lsPluginValue // a codec with options: json_lines { charset => "UTF-8" }
)

// lsValue is a value.
type lsValue struct {
	lsComments
	kind       lsKind
	start, end int
	text       string
	items      []*lsValue // an array's
	entries    []*lsEntry // a hash's
	plugin     *lsPlugin
	tail       []string // comments before the closing bracket
}

// lsEntry is a hash entry key => value.
type lsEntry struct {
	lsComments
	key, value *lsValue
}

// lsIf is an if, its else ifs and its else.
type lsIf struct {
	branches []*lsBranch // the if, then each else if
	els      *lsBranch   // nil without an else
}

func (n *lsIf) lsSpan() (int, int) {
	last := n.branches[len(n.branches)-1]
	if n.els != nil {
		last = n.els
	}
	return n.branches[0].start, last.close + 1
}

// lsBranch is one branch of a conditional.
type lsBranch struct {
	lsComments
	start, end         int // the keyword ("if", "else" of else if, "else")
	cond               string
	condStart, condEnd int
	open, close        int
	body               []lsNode
	tail               []string
}

// lsFile is a parsed .conf source.
type lsFile struct {
	sections []*lsSection
	tail     []string // comments after the last section
}

// lsSyntaxError is the first syntax error of a source.
type lsSyntaxError struct {
	start, end      int
	summary, detail string
}

// lsParser parses one source.
type lsParser struct {
	src   []byte
	i     int
	lines []int
	// kindOf names the kind of a plugin ("input", ...) for advice, "" when
	// no plugin has that name.
	kindOf  func(name string) string
	pending []string // comments not attached yet
	// trail receives a comment written on line trailLine, after the end
	// of the node that owns it.
	trail     *[]string
	trailLine int
	// multiline is where the last string that spans lines starts (-1:
	// none): a syntax error after it may come from its missing quote.
	multiline int
}

// parseLogstash parses a .conf text. kindOf may be nil.
func parseLogstash(src []byte, kindOf func(string) string) (f *lsFile, err *lsSyntaxError) {
	p := &lsParser{src: src, lines: lineStarts(src), kindOf: kindOf, multiline: -1}
	if p.kindOf == nil {
		p.kindOf = func(string) string { return "" }
	}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*lsSyntaxError)
			if !ok {
				panic(r)
			}
			f, err = nil, se
		}
	}()
	return p.file(), nil
}

func (p *lsParser) fail(start, end int, summary, detail string) {
	if end <= start {
		end = start + 1
	}
	if p.multiline >= 0 && start > p.multiline && summary != "Unterminated string" {
		detail += fmt.Sprintf(" (The string that starts on line %d spans several lines: is a closing quote missing there?)", p.line(p.multiline))
	}
	panic(&lsSyntaxError{start: start, end: min(end, max(len(p.src), start+1)), summary: summary, detail: detail})
}

func (p *lsParser) line(o int) int {
	l, _ := lineCol(p.src, p.lines, o)
	return l
}

func (p *lsParser) at(j int) byte {
	if j < len(p.src) {
		return p.src[j]
	}
	return 0
}

// setTrail makes the node ending at end own a comment that follows on the
// same line.
func (p *lsParser) setTrail(c *lsComments, end int) {
	p.trail, p.trailLine = &c.trail, p.line(max(end-1, 0))
}

// skip passes white space and comments, collecting the comments.
func (p *lsParser) skip() {
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			p.i++
		case c == '#':
			end := bytes.IndexByte(p.src[p.i:], '\n')
			if end < 0 {
				end = len(p.src) - p.i
			}
			text := strings.TrimRight(string(p.src[p.i:p.i+end]), " \t\r")
			if p.trail != nil && p.line(p.i) == p.trailLine {
				*p.trail = append(*p.trail, text)
			} else {
				p.pending = append(p.pending, text)
			}
			p.i += end
		default:
			return
		}
	}
}

// lead takes the pending comments for the node that starts now.
func (p *lsParser) lead(c *lsComments) {
	c.lead, p.pending = p.pending, nil
	p.trail = nil
}

// tail takes the pending comments before a closing bracket.
func (p *lsParser) tail() []string {
	t := p.pending
	p.pending = nil
	p.trail = nil
	return t
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isBareStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isBareByte(c byte) bool { return isBareStart(c) || c >= '0' && c <= '9' }

// word returns the name at p.i ([A-Za-z0-9_-]+), without consuming it.
func (p *lsParser) word() string {
	j := p.i
	for j < len(p.src) && isNameByte(p.src[j]) {
		j++
	}
	return string(p.src[p.i:j])
}

// found describes the text at o for an error message.
func (p *lsParser) found(o int) string {
	if o >= len(p.src) {
		return "the end of the file"
	}
	c := p.src[o]
	switch {
	case c == '"' || c == '\'':
		return "a string"
	case isNameByte(c):
		j := o
		for j < len(p.src) && isNameByte(p.src[j]) {
			j++
		}
		return fmt.Sprintf("%q", p.src[o:j])
	case c == '=' && p.at(o+1) == '>':
		return `"=>"`
	}
	r, _ := utf8.DecodeRune(p.src[o:])
	return fmt.Sprintf("%q", string(r))
}

// tokenEnd is the end of the token at o, for underlining.
func (p *lsParser) tokenEnd(o int) int {
	j := o
	for j < len(p.src) && isNameByte(p.src[j]) {
		j++
	}
	if j == o {
		_, n := utf8.DecodeRune(p.src[min(o, len(p.src)):])
		j = o + max(n, 1)
	}
	return j
}

var lsSections = []string{"input", "filter", "output"}

func (p *lsParser) file() *lsFile {
	f := &lsFile{}
	for {
		p.skip()
		if p.i >= len(p.src) {
			f.tail = p.tail()
			return f
		}
		start := p.i
		c := p.src[start]
		if c == '}' {
			p.fail(start, start+1, `Unexpected "}"`,
				"No block is open here: this closing brace has no matching \"{\" (one \"}\" too many?).")
		}
		if !isNameByte(c) {
			p.fail(start, p.tokenEnd(start), fmt.Sprintf("Expected input, filter or output, found %s", p.found(start)),
				"A Logstash config holds input { ... }, filter { ... } and output { ... } sections, with the plugins inside them.")
		}
		name := p.word()
		end := start + len(name)
		p.i = end
		switch name {
		case "input", "filter", "output":
		case "if", "else":
			p.fail(start, end, "Conditional outside a section",
				fmt.Sprintf("An %s goes inside the filter { } or output { } section.", name))
		default:
			p.skip()
			switch {
			case p.at(p.i) == '=' || p.at(p.i) == ':':
				p.fail(start, end, fmt.Sprintf("Option %q outside a plugin", name),
					fmt.Sprintf("Options go inside a plugin block, itself inside a section: input { stdin { %s => ... } }.", name))
			case p.at(p.i) == '{':
				detail := ""
				if k := p.kindOf(name); k != "" && k != "codec" {
					detail = fmt.Sprintf("%s is %s %s plugin: put it inside the %s { } section. ", name, articleOf(k), k, k)
				} else if s := suggest(name, lsSections); s != "" {
					detail = fmt.Sprintf("Did you mean %q? ", s)
				}
				p.fail(start, end, fmt.Sprintf("Unknown section %q", name),
					detail+"The top level holds only the input, filter and output sections.")
			}
			p.fail(start, end, fmt.Sprintf("Expected input, filter or output, found %q", name),
				"A Logstash config holds input { ... }, filter { ... } and output { ... } sections, with the plugins inside them.")
		}
		s := &lsSection{kind: name, start: start, end: end}
		p.lead(&s.lsComments)
		p.skip()
		if p.at(p.i) != '{' {
			p.fail(p.i, p.tokenEnd(p.i), fmt.Sprintf("Expected \"{\" after %s, found %s", name, p.found(p.i)),
				fmt.Sprintf("Write %s { ... }.", name))
		}
		s.open = p.i
		p.i++
		var closeAt int
		s.body, s.tail, closeAt = p.body(name, name+" section", s.open)
		p.setTrail(&s.lsComments, closeAt+1)
		f.sections = append(f.sections, s)
	}
}

func articleOf(kind string) string {
	if kind == "input" || kind == "output" {
		return "an"
	}
	return "a"
}

// body parses the items of a section or branch up to its "}" (consumed);
// it returns the items, the comments before the "}", and its offset.
func (p *lsParser) body(section, what string, open int) ([]lsNode, []string, int) {
	var items []lsNode
	for {
		p.skip()
		if p.i >= len(p.src) {
			p.fail(open, open+1, "Unclosed \"{\"",
				fmt.Sprintf("The %s opened here on line %d is never closed: add its \"}\".", what, p.line(open)))
		}
		start := p.i
		c := p.src[start]
		switch {
		case c == '}':
			tail := p.tail()
			p.i++
			return items, tail, start
		case c == '"' || c == '\'' || isNameByte(c):
		default:
			p.fail(start, p.tokenEnd(start), fmt.Sprintf("Expected a plugin, if or \"}\", found %s", p.found(start)),
				fmt.Sprintf("The %s holds plugin blocks (name { ... }) and conditionals.", what))
		}
		if c != '"' && c != '\'' {
			switch p.word() {
			case "if":
				items = append(items, p.ifChain(section))
				continue
			case "else":
				p.fail(start, start+4, `"else" without "if"`,
					"An else or else if must come right after the closing brace of an if or else if.")
			case "elsif", "elseif", "elif", "else_if":
				p.fail(start, start+len(p.word()), fmt.Sprintf("Unknown keyword %q", p.word()), `Logstash writes "else if".`)
			}
		}
		items = append(items, p.plugin(section, what))
	}
}

// name parses a bare or quoted name.
func (p *lsParser) name() (string, int, int) {
	start := p.i
	if c := p.at(p.i); c == '"' || c == '\'' {
		s := p.quoted()
		return s, start, p.i
	}
	w := p.word()
	p.i += len(w)
	return w, start, p.i
}

// plugin parses name { attributes }.
func (p *lsParser) plugin(section, where string) *lsPlugin {
	pl := &lsPlugin{}
	p.lead(&pl.lsComments)
	pl.name, pl.start, pl.end = p.name()
	p.skip()
	switch c := p.at(p.i); {
	case c == '{':
	case c == '=' && p.at(p.i+1) == '>' || c == '=' || c == ':':
		p.fail(pl.start, pl.end, fmt.Sprintf("Option %q outside a plugin", pl.name),
			fmt.Sprintf("The %s holds plugin blocks; options go inside one: %s { %s => ... }.", where, examplePlugin(section), pl.name))
	default:
		p.fail(p.i, p.tokenEnd(p.i), fmt.Sprintf("Expected \"{\" after the plugin name %q, found %s", pl.name, p.found(p.i)),
			fmt.Sprintf("A plugin is written %s { option => value ... }.", pl.name))
	}
	pl.open = p.i
	p.i++
	for {
		p.skip()
		if p.i >= len(p.src) {
			p.fail(pl.open, pl.open+1, "Unclosed \"{\"",
				fmt.Sprintf("The %s block opened here on line %d is never closed: add its \"}\".", pl.name, p.line(pl.open)))
		}
		switch c := p.src[p.i]; {
		case c == '}':
			pl.tail = p.tail()
			pl.close = p.i
			p.i++
			p.setTrail(&pl.lsComments, p.i)
			return pl
		case c == ',':
			p.i++
			continue
		case c == '"' || c == '\'' || isNameByte(c):
		default:
			p.fail(p.i, p.tokenEnd(p.i), fmt.Sprintf("Expected an option or \"}\", found %s", p.found(p.i)),
				fmt.Sprintf("The %s block holds options written name => value, and ends with \"}\".", pl.name))
		}
		pl.attrs = append(pl.attrs, p.attr(pl))
	}
}

func examplePlugin(section string) string {
	switch section {
	case "input":
		return "stdin"
	case "output":
		return "stdout"
	}
	return "mutate"
}

// attr parses name => value in a plugin block.
func (p *lsParser) attr(pl *lsPlugin) *lsAttr {
	a := &lsAttr{}
	p.lead(&a.lsComments)
	a.name, a.start, a.end = p.name()
	p.skip()
	p.arrow("option", a.name, a.end, func() string {
		if p.at(p.i) == '{' {
			if k := p.kindOf(a.name); k != "" {
				return fmt.Sprintf(" %s is %s %s plugin: the %s block opened on line %d is probably missing its closing \"}\".",
					a.name, articleOf(k), k, pl.name, p.line(pl.open))
			}
			return fmt.Sprintf(" If %s is a plugin, the %s block opened on line %d is missing its closing \"}\".", a.name, pl.name, p.line(pl.open))
		}
		return ""
	})
	p.skip()
	a.value = p.value(true)
	p.setTrail(&a.lsComments, a.value.end)
	return a
}

// arrow consumes "=>" after a name, or fails saying what was found.
func (p *lsParser) arrow(what, name string, nameEnd int, more func() string) {
	if p.at(p.i) == '=' && p.at(p.i+1) == '>' {
		p.i += 2
		return
	}
	c := p.at(p.i)
	switch {
	case c == '=' || c == ':':
		p.fail(p.i, p.i+1, fmt.Sprintf("Expected \"=>\" after the %s %q, found %q", what, name, string(c)),
			fmt.Sprintf("Logstash writes %s => value.", quoteFor(what, name)))
	case p.i >= len(p.src) || c == '}' || c == ']' || c == ',':
		p.fail(nameEnd-len(name), nameEnd, fmt.Sprintf("Expected \"=>\" and a value after the %s %q", what, name),
			fmt.Sprintf("Write %s => value.", quoteFor(what, name))+more())
	}
	p.fail(p.i, p.tokenEnd(p.i), fmt.Sprintf("Expected \"=>\" after the %s %q, found %s", what, name, p.found(p.i)),
		fmt.Sprintf("Write %s => value.", quoteFor(what, name))+more())
}

// quoteFor writes a name as the user would: a hash key quoted, an option
// bare when it can be.
func quoteFor(what, name string) string {
	if what == "hash key" {
		return fmt.Sprintf("%q", name)
	}
	return lsQuoteName(name)
}

func lsQuoteName(name string) string {
	for i := 0; i < len(name); i++ {
		if !isNameByte(name[i]) {
			return fmt.Sprintf("%q", name)
		}
	}
	if name == "" {
		return `""`
	}
	return name
}

// quoted parses a quoted string and returns its value: the text between the
// quotes as written (config.support_escapes is false).
func (p *lsParser) quoted() string {
	q := p.src[p.i]
	start := p.i
	p.i++
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case '\\':
			if p.at(p.i+1) == q {
				p.i += 2
				continue
			}
		case q:
			p.i++
			if bytes.IndexByte(p.src[start:p.i], '\n') >= 0 {
				p.multiline = start
			}
			return string(p.src[start+1 : p.i-1])
		}
		p.i++
	}
	end := bytes.IndexByte(p.src[start:], '\n')
	if end < 0 {
		end = len(p.src) - start
	}
	p.fail(start, start+end, "Unterminated string",
		fmt.Sprintf("The string that starts here (line %d) has no closing %c: add it; a %c inside the string is written \\%c.", p.line(start), q, q, q))
	return ""
}

// value parses a value; plugin allows a codec with options (name { ... }).
func (p *lsParser) value(plugin bool) *lsValue {
	v := &lsValue{start: p.i}
	c := p.at(p.i)
	switch {
	case c == '"' || c == '\'':
		v.kind = lsString
		v.text = p.quoted()
	case c == '-' || c >= '0' && c <= '9':
		j := p.i
		if c == '-' {
			j++
		}
		digits := j
		for j < len(p.src) && p.src[j] >= '0' && p.src[j] <= '9' {
			j++
		}
		if j == digits {
			p.fail(p.i, p.tokenEnd(p.i), "Expected a value, found \"-\"", "A number is written -?[0-9]+(.[0-9]*)?; quote anything else.")
		}
		if p.at(j) == '.' {
			j++
			for j < len(p.src) && p.src[j] >= '0' && p.src[j] <= '9' {
				j++
			}
		}
		if isNameByte(p.at(j)) || p.at(j) == '.' {
			k := p.tokenEnd(j)
			for k < len(p.src) && (isNameByte(p.src[k]) || p.src[k] == '.') {
				k++
			}
			p.fail(p.i, k, fmt.Sprintf("Invalid number %q", p.src[p.i:k]),
				fmt.Sprintf("A value that is not a plain number is a string: write \"%s\".", p.src[p.i:k]))
		}
		v.kind, v.text = lsNumber, string(p.src[p.i:j])
		p.i = j
	case c == '[':
		v.kind = lsArray
		p.i++
		for {
			p.skip()
			if p.at(p.i) == ']' {
				break
			}
			if p.i >= len(p.src) {
				p.fail(v.start, v.start+1, "Unclosed \"[\"", fmt.Sprintf("The array opened here on line %d is never closed: add its \"]\".", p.line(v.start)))
			}
			var lead lsComments
			p.lead(&lead)
			it := p.value(false)
			it.lead = lead.lead
			v.items = append(v.items, it)
			p.setTrail(&it.lsComments, it.end)
			p.skip()
			switch p.at(p.i) {
			case ',':
				p.i++
				continue
			case ']':
			default:
				if p.i >= len(p.src) {
					continue
				}
				p.fail(p.i, p.tokenEnd(p.i), fmt.Sprintf("Expected \",\" or \"]\" in the array, found %s", p.found(p.i)),
					fmt.Sprintf("The items of the array opened on line %d are separated by commas: [\"a\", \"b\"].", p.line(v.start)))
			}
		}
		v.tail = p.tail()
		p.i++
	case c == '{':
		v.kind = lsHash
		p.i++
		for {
			p.skip()
			if p.at(p.i) == '}' {
				break
			}
			if p.i >= len(p.src) {
				p.fail(v.start, v.start+1, "Unclosed \"{\"", fmt.Sprintf("The hash opened here on line %d is never closed: add its \"}\".", p.line(v.start)))
			}
			if p.at(p.i) == ',' {
				p.i++
				continue
			}
			e := &lsEntry{}
			p.lead(&e.lsComments)
			kc := p.at(p.i)
			if !(kc == '"' || kc == '\'' || kc == '-' || isNameByte(kc)) {
				p.fail(p.i, p.tokenEnd(p.i), fmt.Sprintf("Expected a hash key or \"}\", found %s", p.found(p.i)),
					fmt.Sprintf("The hash opened on line %d holds entries written \"key\" => value.", p.line(v.start)))
			}
			ks := p.i
			if kc == '"' || kc == '\'' {
				e.key = &lsValue{kind: lsString, start: ks, text: p.quoted()}
			} else {
				w := p.word()
				p.i += len(w)
				if w == "" { // a lone "-"
					p.i++
					w = "-"
				}
				e.key = &lsValue{kind: lsBare, start: ks, text: w}
				if w[0] == '-' || w[0] >= '0' && w[0] <= '9' {
					e.key.kind = lsNumber
				}
			}
			e.key.end = p.i
			p.skip()
			p.arrow("hash key", e.key.text, e.key.end, func() string { return "" })
			p.skip()
			e.value = p.value(false)
			v.entries = append(v.entries, e)
			p.setTrail(&e.lsComments, e.value.end)
		}
		v.tail = p.tail()
		p.i++
	case isBareStart(c):
		w := p.word()
		for i := 0; i < len(w); i++ {
			if !isBareByte(w[i]) {
				w = w[:i]
				break
			}
		}
		p.i += len(w)
		v.kind, v.text = lsBare, w
		if plugin {
			save := p.i
			pending := len(p.pending)
			p.skip()
			if p.at(p.i) == '{' {
				p.i = v.start
				p.pending = p.pending[:pending]
				pl := p.plugin("", "")
				v.kind, v.plugin = lsPluginValue, pl
				v.end = p.i
				return v
			}
			p.i = save
			p.pending = p.pending[:pending]
		}
	default:
		p.fail(p.i, p.tokenEnd(p.i), fmt.Sprintf("Expected a value, found %s", p.found(p.i)),
			`A value is a "string", a number, a bare word, an array [ ... ] or a hash { "key" => value }.`)
	}
	v.end = p.i
	return v
}

// ifChain parses if ... { } else if ... { } else { }.
func (p *lsParser) ifChain(section string) *lsIf {
	n := &lsIf{}
	b := p.branch(section, "if")
	n.branches = append(n.branches, b)
	for {
		p.skip()
		if p.word() != "else" {
			return n // comments seen stay pending for the next item
		}
		kw := p.i
		p.i += 4
		p.skip()
		if p.word() == "if" {
			p.i = kw
			n.branches = append(n.branches, p.branch(section, "else if"))
			continue
		}
		if p.at(p.i) != '{' {
			p.fail(p.i, p.tokenEnd(p.i), fmt.Sprintf("Expected \"{\" or \"if\" after else, found %s", p.found(p.i)),
				"Write else { ... } or else if <condition> { ... }.")
		}
		p.i = kw
		n.els = p.branch(section, "else")
		return n
	}
}

// branch parses one branch from its keyword.
func (p *lsParser) branch(section, kw string) *lsBranch {
	b := &lsBranch{start: p.i}
	p.lead(&b.lsComments)
	if kw == "if" {
		p.i += 2
	} else {
		p.i += 4
		p.skip()
		if kw == "else if" {
			p.i += 2
		}
	}
	b.end = p.i
	if section == "input" {
		p.fail(b.start, b.end, "Conditional in the input section",
			"Inputs cannot be conditional (as in Logstash): test [type] or [tags] in the filter or output section instead.")
	}
	if kw != "else" {
		for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t' || p.src[p.i] == '\r' || p.src[p.i] == '\n') {
			p.i++
		}
		b.condStart = p.i
		b.condEnd = p.condition(kw, b.start)
		b.cond = string(p.src[b.condStart:b.condEnd])
		if strings.TrimSpace(b.cond) == "" {
			p.fail(b.start, b.end, "Missing condition",
				fmt.Sprintf("Write the condition between %s and \"{\": %s [status] >= 500 { ... }.", kw, kw))
		}
	} else {
		p.skip()
	}
	if p.at(p.i) != '{' {
		p.fail(p.i, p.tokenEnd(p.i), fmt.Sprintf("Expected \"{\" after else, found %s", p.found(p.i)), "Write else { ... }.")
	}
	b.open = p.i
	p.i++
	what := "if block"
	if kw != "if" {
		what = kw + " block"
	}
	var closeAt int
	b.body, b.tail, closeAt = p.body(section, what, b.open)
	b.close = closeAt
	p.setTrail(&b.lsComments, closeAt+1)
	return b
}

// condition scans a condition up to the "{" that opens its block, and
// returns where the condition's text ends (trailing space excluded). It
// skips strings, regex literals, brackets and comments.
func (p *lsParser) condition(kw string, kwAt int) int {
	depth := 0
	end := p.i
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '{' && depth == 0:
			return end
		case c == '"' || c == '\'':
			p.quoted()
			end = p.i
			continue
		case c == '/':
			start := p.i
			p.i++
			for p.i < len(p.src) && p.src[p.i] != '/' && p.src[p.i] != '\n' {
				if p.src[p.i] == '\\' && p.at(p.i+1) == '/' {
					p.i++
				}
				p.i++
			}
			if p.at(p.i) != '/' {
				p.fail(start, p.i, "Unterminated regular expression",
					fmt.Sprintf("The regex that starts here (line %d) has no closing /: add it; a / inside is written \\/.", p.line(start)))
			}
			p.i++
			end = p.i
			continue
		case c == '#':
			for p.i < len(p.src) && p.src[p.i] != '\n' {
				p.i++
			}
			continue
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		case c == '}':
			p.fail(p.i, p.i+1, fmt.Sprintf("Expected \"{\" after the condition of the %s", kw),
				fmt.Sprintf("The %s on line %d has no block: write %s <condition> { ... }.", kw, p.line(kwAt), kw))
		}
		p.i++
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			end = p.i
		}
	}
	p.fail(kwAt, kwAt+len(kw), fmt.Sprintf("Expected \"{\" after the condition of the %s", kw),
		fmt.Sprintf("The %s on line %d has no block: write %s <condition> { ... }.", kw, p.line(kwAt), kw))
	return 0
}
