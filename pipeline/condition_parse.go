package pipeline

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// maxConditionDepth bounds the nesting of parentheses and lists.
const maxConditionDepth = 100

type boolOp uint8

const (
	boolAnd boolOp = iota
	boolOr
	boolNand
	boolXor
)

var boolOps = map[string]boolOp{"and": boolAnd, "or": boolOr, "nand": boolNand, "xor": boolXor}

// Kinds of rvalue.
const (
	rvString = iota
	rvNumber
	rvField
	rvList
	rvRegex
)

type rvalue struct {
	op    operand
	kind  int
	start int
	end   int
}

// expr is a parsed expression with its extent in the source.
type expr struct {
	n          node
	start, end int
	negated    bool // "!" applied to a field reference
}

type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) errAt(off int, format string, args ...any) *ConditionError {
	return &ConditionError{Offset: off, Message: fmt.Sprintf(format, args...)}
}

func (p *parser) parse() (node, error) {
	p.skipSpace()
	if p.pos == len(p.src) {
		return nil, p.errAt(p.pos, "empty condition")
	}
	return p.parseCondition()
}

// skipSpace skips white space and '#' comments.
func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\r', '\n':
			p.pos++
		case '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func isWordStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isWordChar(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' }

func isOpChar(c byte) bool { return strings.IndexByte("=!<>~&|", c) >= 0 }

// wordAt returns the identifier starting at i, or "".
func (p *parser) wordAt(i int) string {
	if i >= len(p.src) || !isWordStart(p.src[i]) {
		return ""
	}
	j := i + 1
	for j < len(p.src) && isWordChar(p.src[j]) {
		j++
	}
	return p.src[i:j]
}

// opRunAt returns the run of operator characters starting at i.
func (p *parser) opRunAt(i int) string {
	j := i
	for j < len(p.src) && isOpChar(p.src[j]) {
		j++
	}
	return p.src[i:j]
}

// found describes the token at i for error messages.
func (p *parser) found(i int) string {
	if i >= len(p.src) {
		return "end of condition"
	}
	tok := p.wordAt(i)
	if tok == "" {
		tok = p.opRunAt(i)
	}
	if tok == "" {
		j := i
		for j < len(p.src) && j-i < 24 && !strings.ContainsRune(" \t\r\n()", rune(p.src[j])) {
			j++
		}
		if j == i {
			j = i + 1
		}
		for j < len(p.src) && !utf8.RuneStart(p.src[j]) {
			j++
		}
		tok = p.src[i:j]
	}
	return quoteToken(tok)
}

func quoteToken(s string) string {
	if strings.ContainsRune(s, '"') && !strings.ContainsRune(s, '\'') {
		return "'" + s + "'"
	}
	return strconv.Quote(s)
}

// snippet is the source between start and end, shortened for messages.
func (p *parser) snippet(start, end int) string {
	s := strings.Join(strings.Fields(p.src[start:end]), " ")
	if len(s) > 40 {
		cut := 37
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// suggestion proposes the operator a user probably meant. boolOnly limits
// it to boolean operators.
func suggestion(tok string, boolOnly bool) string {
	switch tok {
	case "&&", "&", "AND", "And":
		return "and"
	case "||", "|", "OR", "Or":
		return "or"
	case "NAND", "Nand":
		return "nand"
	case "XOR", "Xor":
		return "xor"
	}
	if boolOnly {
		return ""
	}
	switch tok {
	case "=", "===":
		return "=="
	case "=>":
		return ">="
	case "=<":
		return "<="
	case "<>", "=!", "!", "!==":
		return "!="
	case "~=", "~", "==~":
		return "=~"
	case "~!", "!=~":
		return "!~"
	case "IN", "In":
		return "in"
	case "notin", "NOT", "Not", "NOTIN", "not_in":
		return "not in"
	}
	return ""
}

func (p *parser) parseCondition() (node, error) {
	first, err := p.parseExpression()
	if err != nil {
		return nil, err
	}
	nodes := []node{first.n}
	var ops []boolOp
	var opOffs []int
	last := first
	for {
		p.skipSpace()
		if p.pos == len(p.src) {
			break
		}
		if p.src[p.pos] == ')' {
			if p.depth > 0 {
				break
			}
			return nil, p.errAt(p.pos, "unexpected ')' after %s: there is no '(' to close", p.snippet(last.start, last.end))
		}
		start := p.pos
		word := p.wordAt(start)
		op, ok := boolOps[word]
		if !ok {
			return nil, p.afterExpressionError(last, start)
		}
		p.pos += len(word)
		p.skipSpace()
		if p.pos == len(p.src) {
			return nil, p.errAt(p.pos, "expected a condition after %q, found end of condition", word)
		}
		next, err := p.parseExpression()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, next.n)
		ops = append(ops, op)
		opOffs = append(opOffs, start)
		last = next
	}
	return p.combine(nodes, ops, opOffs)
}

// afterExpressionError reports what is wrong at i, after a complete
// expression (a comparison, a negation or a parenthesised condition).
func (p *parser) afterExpressionError(last expr, i int) *ConditionError {
	tok := p.wordAt(i)
	if tok == "" {
		tok = p.opRunAt(i)
	}
	if s := suggestion(tok, true); s != "" {
		return p.errAt(i, "unknown operator %q; did you mean %q?", tok, s)
	}
	want := "'and', 'or', 'xor' or 'nand'"
	if p.depth > 0 {
		want = "'and', 'or', 'xor', 'nand' or ')'"
	}
	msg := fmt.Sprintf("expected %s after %s, found %s", want, p.snippet(last.start, last.end), p.found(i))
	if last.negated && tok != "" && !isWordStart(tok[0]) {
		msg += "; '!' negates only a field reference or a parenthesised condition: write !(...)"
	}
	return p.errAt(i, "%s", msg)
}

// combine joins expressions with boolean operators as Logstash's compiler
// does (lscl.rb, Condition#join_conditions): an operator stack where "and"
// (precedence 2) outranks "or" (1) and, on meeting a lower operator, only
// the top of the stack is popped. "nand" and "xor" have no precedence
// there, so Logstash refuses them next to any other boolean operator.
func (p *parser) combine(nodes []node, ops []boolOp, opOffs []int) (node, error) {
	if len(ops) == 0 {
		return nodes[0], nil
	}
	if len(ops) == 1 {
		return makeBool(ops[0], nodes[0], nodes[1]), nil
	}
	for i, op := range ops {
		if op == boolNand || op == boolXor {
			name := "nand"
			if op == boolXor {
				name = "xor"
			}
			return nil, p.errAt(opOffs[i], "%q cannot be combined with other boolean operators at the same level (Logstash rejects it too); add parentheses", name)
		}
	}
	type item struct {
		n  node
		op boolOp
	}
	prec := func(op boolOp) int {
		if op == boolAnd {
			return 2
		}
		return 1
	}
	out := []item{{n: nodes[0]}}
	var stack []boolOp
	for i, op := range ops {
		if k := len(stack) - 1; k >= 0 && prec(stack[k]) > prec(op) {
			out = append(out, item{op: stack[k]})
			stack = stack[:k]
		}
		stack = append(stack, op)
		out = append(out, item{n: nodes[i+1]})
	}
	for k := len(stack) - 1; k >= 0; k-- {
		out = append(out, item{op: stack[k]})
	}
	var st []node
	for _, it := range out {
		if it.n != nil {
			st = append(st, it.n)
			continue
		}
		k := len(st)
		st = append(st[:k-2], makeBool(it.op, st[k-2], st[k-1]))
	}
	return st[0], nil
}

func makeBool(op boolOp, l, r node) node {
	switch op {
	case boolAnd:
		return &andNode{l, r}
	case boolOr:
		return &orNode{l, r}
	case boolNand:
		return &nandNode{l, r}
	default:
		return &xorNode{l, r}
	}
}

func (p *parser) enter(at int) error {
	p.depth++
	if p.depth > maxConditionDepth {
		return p.errAt(at, "condition nested too deeply (more than %d levels)", maxConditionDepth)
	}
	return nil
}

// parseParen parses "(" condition ")" at p.pos.
func (p *parser) parseParen() (node, error) {
	open := p.pos
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	p.skipSpace()
	if p.pos == len(p.src) {
		return nil, p.errAt(p.pos, "expected a condition after '(', found end of condition")
	}
	if p.src[p.pos] == ')' {
		return nil, p.errAt(p.pos, "empty parentheses")
	}
	n, err := p.parseCondition()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos == len(p.src) {
		return nil, p.errAt(p.pos, "expected ')' to close the '(' at offset %d, found end of condition", open)
	}
	p.pos++ // parseCondition stops only at the end or at ')'
	p.depth--
	return n, nil
}

func (p *parser) parseExpression() (expr, error) {
	p.skipSpace()
	start := p.pos
	if p.pos == len(p.src) {
		return expr{}, p.errAt(p.pos, "expected a condition, found end of condition")
	}
	switch p.src[p.pos] {
	case '(':
		n, err := p.parseParen()
		if err != nil {
			return expr{}, err
		}
		return expr{n: n, start: start, end: p.pos}, nil
	case '!':
		p.pos++
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == '(' {
			n, err := p.parseParen()
			if err != nil {
				return expr{}, err
			}
			return expr{n: &notNode{n}, start: start, end: p.pos}, nil
		}
		if p.pos < len(p.src) && p.src[p.pos] == '[' {
			if _, ok := p.selectorEnd(p.pos); ok {
				rv, err := p.parseRValue()
				if err != nil {
					return expr{}, err
				}
				return expr{n: &notNode{&truthyNode{rv.op}}, start: start, end: p.pos, negated: true}, nil
			}
		}
		return expr{}, p.errAt(p.pos, "expected a field reference or '(' after '!', found %s", p.found(p.pos))
	}
	left, err := p.parseRValue()
	if err != nil {
		return expr{}, err
	}
	p.skipSpace()
	opStart := p.pos
	if p.pos == len(p.src) || p.src[p.pos] == ')' {
		return p.bare(left)
	}
	if word := p.wordAt(p.pos); word != "" {
		switch word {
		case "and", "or", "nand", "xor":
			return p.bare(left)
		case "in":
			p.pos += len(word)
			return p.parseIn(left, start, false)
		case "not":
			p.pos += len(word)
			ws := p.pos
			p.skipSpace()
			if p.pos == ws || p.wordAt(p.pos) != "in" {
				return expr{}, p.errAt(p.pos, "expected \"in\" after \"not\", found %s", p.found(p.pos))
			}
			p.pos += 2
			return p.parseIn(left, start, true)
		}
		if s := suggestion(word, false); s != "" {
			return expr{}, p.errAt(opStart, "unknown operator %q; did you mean %q?", word, s)
		}
		return expr{}, p.errAt(opStart, "expected an operator or 'and'/'or' after %s, found %s", p.snippet(left.start, left.end), p.found(opStart))
	}
	run := p.opRunAt(p.pos)
	if run == "" {
		return expr{}, p.errAt(opStart, "expected an operator or 'and'/'or' after %s, found %s", p.snippet(left.start, left.end), p.found(opStart))
	}
	p.pos += len(run)
	switch run {
	case "==", "!=", "<", ">", "<=", ">=":
		return p.parseCompare(left, start, run)
	case "=~", "!~":
		return p.parseMatch(left, start, run == "!~")
	}
	if s := suggestion(run, false); s != "" {
		return expr{}, p.errAt(opStart, "unknown operator %q; did you mean %q?", run, s)
	}
	return expr{}, p.errAt(opStart, "unknown operator %q", run)
}

// bare makes a value alone into an expression: its truthiness.
func (p *parser) bare(v rvalue) (expr, error) {
	x := expr{start: v.start, end: v.end}
	switch {
	case v.kind == rvRegex:
		return expr{}, p.errAt(v.start, "a regex can only follow =~ or !~")
	case v.op.field:
		x.n = &truthyNode{v.op}
	default:
		x.n = &constNode{truthy(v.op.val)}
	}
	return x, nil
}

// right parses the right operand of op.
func (p *parser) right(op string) (rvalue, error) {
	p.skipSpace()
	if p.pos == len(p.src) {
		return rvalue{}, p.errAt(p.pos, "expected a value after %q, found end of condition", op)
	}
	rv, err := p.parseRValue()
	if err != nil {
		return rvalue{}, err
	}
	if rv.kind == rvRegex {
		return rvalue{}, p.errAt(rv.start, "a regex can only follow =~ or !~, not %q", op)
	}
	return rv, nil
}

func (p *parser) noRegexLeft(left rvalue, op string) error {
	if left.kind == rvRegex {
		return p.errAt(left.start, "a regex can only follow =~ or !~, not come before %q", op)
	}
	return nil
}

// fold evaluates a node whose operands are both constants.
func (p *parser) fold(n node, l, r rvalue, at int) (node, error) {
	if l.op.field || r.op.field {
		return n, nil
	}
	b, err := n.eval(nil)
	if err != nil {
		return nil, p.errAt(at, "%v", err)
	}
	return &constNode{b}, nil
}

func (p *parser) parseCompare(left rvalue, start int, op string) (expr, error) {
	if err := p.noRegexLeft(left, op); err != nil {
		return expr{}, err
	}
	r, err := p.right(op)
	if err != nil {
		return expr{}, err
	}
	var n node
	switch op {
	case "==", "!=":
		neg := op == "!="
		switch {
		case left.op.field && r.kind == rvString:
			n = &eqStringNode{ref: left.op.ref, s: r.op.val.(string), neg: neg}
		case r.op.field && left.kind == rvString:
			n = &eqStringNode{ref: r.op.ref, s: left.op.val.(string), neg: neg}
		default:
			n = &eqNode{l: left.op, r: r.op, neg: neg}
		}
	default:
		c := &cmpNode{l: left.op, r: r.op, text: p.src[start:r.end]}
		switch op {
		case "<":
			c.op = opLT
		case ">":
			c.op = opGT
		case "<=":
			c.op = opLE
		default:
			c.op = opGE
		}
		n = c
	}
	n, err = p.fold(n, left, r, start)
	if err != nil {
		return expr{}, err
	}
	return expr{n: n, start: start, end: r.end}, nil
}

func (p *parser) parseIn(left rvalue, start int, neg bool) (expr, error) {
	op := "in"
	if neg {
		op = "not in"
	}
	if err := p.noRegexLeft(left, op); err != nil {
		return expr{}, err
	}
	r, err := p.right(op)
	if err != nil {
		return expr{}, err
	}
	var n node
	if r.kind == rvList {
		// Items are compared by their string forms; a nested list never
		// matches (in Logstash its form is "[...]").
		in := &inListNode{l: left.op, neg: neg}
		for _, v := range r.op.val.([]any) {
			if _, nested := v.([]any); !nested {
				in.items = append(in.items, ValueString(v))
			}
		}
		if len(in.items) >= inListSetMin {
			in.set = make(map[string]struct{}, len(in.items))
			for _, s := range in.items {
				in.set[s] = struct{}{}
			}
		}
		n = in
	} else {
		n = &inNode{l: left.op, r: r.op, neg: neg}
	}
	n, err = p.fold(n, left, r, start)
	if err != nil {
		return expr{}, err
	}
	return expr{n: n, start: start, end: r.end}, nil
}

func (p *parser) parseMatch(left rvalue, start int, neg bool) (expr, error) {
	op := "=~"
	if neg {
		op = "!~"
	}
	if err := p.noRegexLeft(left, op); err != nil {
		return expr{}, err
	}
	p.skipSpace()
	if p.pos == len(p.src) {
		return expr{}, p.errAt(p.pos, "expected a regex /.../ or a string after %q, found end of condition", op)
	}
	c := p.src[p.pos]
	if c != '/' && c != '"' && c != '\'' {
		return expr{}, p.errAt(p.pos, "expected a regex /.../ or a string after %q, found %s", op, p.found(p.pos))
	}
	r, err := p.parseRValue()
	if err != nil {
		return expr{}, err
	}
	pattern := r.op.val.(string)
	m := &matchNode{l: left.op, neg: neg, text: p.src[start:r.end]}
	re, rerr := compileRE2(pattern)
	if rerr == nil {
		m.re = re
	} else {
		bt, err := regexp2.Compile(pattern, regexp2.Multiline)
		if err != nil {
			return expr{}, p.errAt(r.start, "invalid regex %s: %v", p.snippet(r.start, r.end), rerr)
		}
		m.bt = bt
	}
	n, err := p.fold(m, left, r, start)
	if err != nil {
		return expr{}, err
	}
	return expr{n: n, start: start, end: r.end}, nil
}

// compileRE2 compiles a Ruby-syntax pattern with Go's regexp in multi-line
// mode (Ruby's ^ and $ always match at line ends). A syntax error is
// reported without the "(?m)" prefix.
func compileRE2(pattern string) (*regexp.Regexp, error) {
	if _, err := syntax.Parse(pattern, syntax.Perl); err != nil {
		return nil, err
	}
	return regexp.Compile("(?m)" + pattern)
}

// selectorEnd reports whether the brackets at i start a field reference:
// a run of [name] parts with no quote, comma or bracket inside a name and
// a name that is not all blank. end is where the run stops. A '[' that
// never closes and holds nothing that marks a list is a broken field
// reference: ok is true and end is -1.
func (p *parser) selectorEnd(i int) (end int, ok bool) {
	s := p.src
	end = i
	for end < len(s) && s[end] == '[' {
		j := end + 1
		blank := true
		for ; j < len(s); j++ {
			c := s[j]
			if c == ']' || c == '[' || c == ',' || c == '"' || c == '\'' {
				break
			}
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				blank = false
			}
		}
		if j == len(s) {
			if !blank {
				return -1, true
			}
			return end, end > i
		}
		if s[j] != ']' || blank {
			return end, end > i
		}
		end = j + 1
	}
	return end, true
}

func (p *parser) parseRValue() (rvalue, error) {
	start := p.pos
	if p.pos == len(p.src) {
		return rvalue{}, p.errAt(p.pos, "expected a value, found end of condition")
	}
	c := p.src[p.pos]
	switch {
	case c == '"' || c == '\'':
		s, err := p.parseString()
		if err != nil {
			return rvalue{}, err
		}
		return rvalue{op: operand{val: s, text: p.src[start:p.pos]}, kind: rvString, start: start, end: p.pos}, nil
	case c == '-' || c >= '0' && c <= '9':
		v, err := p.parseNumber()
		if err != nil {
			return rvalue{}, err
		}
		return rvalue{op: operand{val: v, text: p.src[start:p.pos]}, kind: rvNumber, start: start, end: p.pos}, nil
	case c == '/':
		s, err := p.parseRegex()
		if err != nil {
			return rvalue{}, err
		}
		return rvalue{op: operand{val: s, text: p.src[start:p.pos]}, kind: rvRegex, start: start, end: p.pos}, nil
	case c == '[':
		end, ok := p.selectorEnd(start)
		if !ok {
			if err := p.enter(start); err != nil {
				return rvalue{}, err
			}
			l, err := p.parseList()
			p.depth--
			if err != nil {
				return rvalue{}, err
			}
			return rvalue{op: operand{val: l, text: p.src[start:p.pos]}, kind: rvList, start: start, end: p.pos}, nil
		}
		if end < 0 {
			j := start
			for j < len(p.src) && !strings.ContainsRune(" \t\r\n", rune(p.src[j])) {
				j++
			}
			return rvalue{}, p.errAt(start, "invalid field reference %s: missing ']'", p.src[start:j])
		}
		text := p.src[start:end]
		ref, err := ParseFieldRef(text)
		if err != nil {
			return rvalue{}, p.errAt(start, "invalid field reference %s: %v", text, err)
		}
		p.pos = end
		return rvalue{op: operand{ref: ref, field: true, text: text}, kind: rvField, start: start, end: end}, nil
	case isWordStart(c):
		return rvalue{}, p.wordError(start)
	}
	return rvalue{}, p.errAt(start, "expected a value, a field reference, '!' or '(', found %s", p.found(start))
}

// wordError explains a bare word where a value was expected.
func (p *parser) wordError(i int) *ConditionError {
	w := p.wordAt(i)
	j := i + len(w)
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	switch {
	case j < len(p.src) && p.src[j] == '(':
		return p.errAt(i, "method calls such as %s(...) are not supported in conditions", w)
	case w == "true" || w == "false" || w == "nil" || w == "null":
		return p.errAt(i, "unexpected word %q: conditions have no %s literal; test a field alone ([flag] or ![flag]) or compare it with a string", w, w)
	case w == "and" || w == "or" || w == "nand" || w == "xor" || w == "in" || w == "not":
		return p.errAt(i, "expected a value before %q", w)
	}
	return p.errAt(i, "unexpected word %q: write a field reference as [%s] and a string as \"%s\"", w, w, w)
}

// parseString reads a quoted string. As in Logstash, \" (or \') does not
// end it and no escape is processed: the value is the text between the
// quotes.
func (p *parser) parseString() (string, error) {
	start := p.pos
	q := p.src[start]
	for i := start + 1; i < len(p.src); i++ {
		switch p.src[i] {
		case '\\':
			if i+1 < len(p.src) && p.src[i+1] == q {
				i++
			}
		case q:
			p.pos = i + 1
			return p.src[start+1 : i], nil
		}
	}
	return "", p.errAt(start, "unterminated string")
}

// parseRegex reads /.../; \/ does not end it and stays in the pattern.
func (p *parser) parseRegex() (string, error) {
	start := p.pos
	for i := start + 1; i < len(p.src); i++ {
		switch p.src[i] {
		case '\\':
			if i+1 < len(p.src) && p.src[i+1] == '/' {
				i++
			}
		case '/':
			p.pos = i + 1
			return p.src[start+1 : i], nil
		}
	}
	return "", p.errAt(start, "unterminated regex")
}

// parseNumber reads -?[0-9]+(.[0-9]*)?: a float with a dot, else an int64.
func (p *parser) parseNumber() (any, error) {
	start := p.pos
	i := start
	if p.src[i] == '-' {
		i++
	}
	digits := i
	for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
		i++
	}
	if i == digits {
		return nil, p.errAt(start, "invalid number %s: expected a digit after '-'", p.found(start))
	}
	float := false
	if i < len(p.src) && p.src[i] == '.' {
		float = true
		i++
		for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
			i++
		}
	}
	if w := p.wordAt(i); w != "" {
		if _, ok := boolOps[w]; !ok && w != "in" && w != "not" {
			return nil, p.errAt(start, "invalid number %q", p.src[start:i+len(w)])
		}
	}
	text := p.src[start:i]
	p.pos = i
	if float {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, p.errAt(start, "invalid number %q", text)
		}
		return f, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil, p.errAt(start, "integer %s out of range", text)
	}
	return n, nil
}

// parseList reads a list literal: [ value, ... ] where a value is a string,
// a number, a list or a bare word (a string).
func (p *parser) parseList() ([]any, error) {
	open := p.pos
	p.pos++
	list := []any{}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return list, nil
	}
	for {
		p.skipSpace()
		if p.pos == len(p.src) {
			return nil, p.errAt(open, "unterminated list: missing ']'")
		}
		v, err := p.parseListValue()
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		p.skipSpace()
		if p.pos == len(p.src) {
			return nil, p.errAt(open, "unterminated list: missing ']'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return list, nil
		default:
			return nil, p.errAt(p.pos, "expected ',' or ']' in the list, found %s", p.found(p.pos))
		}
	}
}

func (p *parser) parseListValue() (any, error) {
	start := p.pos
	c := p.src[p.pos]
	switch {
	case c == '"' || c == '\'':
		return p.parseString()
	case c == '-' || c >= '0' && c <= '9':
		return p.parseNumber()
	case c == '[':
		if err := p.enter(start); err != nil {
			return nil, err
		}
		l, err := p.parseList()
		p.depth--
		return l, err
	case isWordStart(c):
		w := p.wordAt(start)
		p.pos += len(w)
		return w, nil
	case c == '{':
		return nil, p.errAt(start, "hash literals are not supported in conditions")
	}
	return nil, p.errAt(start, "expected a value in the list, found %s", p.found(start))
}
