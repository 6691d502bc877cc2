package grok

import (
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The prefilter rejects most lines a pattern cannot match before the
// backtracker runs: an unanchored backtracking search that fails tries the
// whole pattern at every position of the line (117 µs for
// COMBINEDAPACHELOG on a syslog line), while checking that the literals
// every match must contain are in the line takes a few strings.Contains.
//
// The analysis follows RE2's prefilter and Google Code Search's index
// queries: each node of the parsed regex is summarised either as the exact
// set of strings it matches, or as sets of possible prefixes and suffixes
// plus a boolean query of required literals; concatenation crosses a
// node's suffixes with the next node's prefixes, which finds the
// separators a log format is made of ("] \"", "Mar ", "0-").

// maxSet bounds the string sets the analysis keeps.
const maxSet = 64

// maxClass is the largest character class expanded into single characters.
const maxClass = 16

// prefilter is a pruned query with a one-pass literal scanner: the line
// is scanned once to learn which of the query's literals it contains (a
// table keyed by the literal's first two bytes keeps the candidates per
// position to about one), and the formula is evaluated on that set.
type prefilter struct {
	root   cnode
	lits   []string
	ids    map[string]int
	single [256]int16     // literal of one byte -> its index, or -1
	pairs  [1024][]uint16 // by hash of the first two bytes
}

// maxLits bounds the literals of one prefilter (the bit set's size).
const maxLits = 256

func newPrefilter(q *query) *prefilter {
	p := &prefilter{ids: map[string]int{}}
	for i := range p.single {
		p.single[i] = -1
	}
	var collect func(q *query) bool
	collect = func(q *query) bool {
		for _, l := range q.lits {
			if _, ok := p.ids[l]; ok {
				continue
			}
			if len(p.lits) == maxLits {
				return false
			}
			id := len(p.lits)
			p.ids[l] = id
			p.lits = append(p.lits, l)
			if len(l) == 1 {
				p.single[l[0]] = int16(id)
			} else {
				h := pairHash(l[0], l[1])
				p.pairs[h] = append(p.pairs[h], uint16(id))
			}
		}
		for _, s := range q.subs {
			if !collect(s) {
				return false
			}
		}
		return true
	}
	if !collect(q) {
		return nil
	}
	p.root = p.node(q)
	p.ids = nil
	return p
}

// cnode is a query node with literals as indices.
type cnode struct {
	and  bool
	ids  []uint16
	subs []cnode
}

func (p *prefilter) node(q *query) cnode {
	n := cnode{and: q.and}
	for _, l := range q.lits {
		n.ids = append(n.ids, uint16(p.ids[l]))
	}
	for _, s := range q.subs {
		n.subs = append(n.subs, p.node(s))
	}
	return n
}

func pairHash(a, b byte) int { return (int(a)*37 + int(b)) & 1023 }

// match reports whether s may match the pattern.
func (p *prefilter) match(s string) bool {
	var seen [maxLits / 64]uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if id := p.single[c]; id >= 0 {
			seen[id>>6] |= 1 << (id & 63)
		}
		if i+1 < len(s) {
			for _, id := range p.pairs[pairHash(c, s[i+1])] {
				l := p.lits[id]
				if len(l) <= len(s)-i && s[i:i+len(l)] == l {
					seen[id>>6] |= 1 << (id & 63)
				}
			}
		}
	}
	return p.eval(&p.root, &seen)
}

func (p *prefilter) eval(n *cnode, seen *[maxLits / 64]uint64) bool {
	if n.and {
		for _, id := range n.ids {
			if seen[id>>6]&(1<<(id&63)) == 0 {
				return false
			}
		}
		for i := range n.subs {
			if !p.eval(&n.subs[i], seen) {
				return false
			}
		}
		return true
	}
	for _, id := range n.ids {
		if seen[id>>6]&(1<<(id&63)) != 0 {
			return true
		}
	}
	for i := range n.subs {
		if p.eval(&n.subs[i], seen) {
			return true
		}
	}
	return false
}

// query is a boolean formula over literals: with and, every literal and
// sub-query must hold; otherwise one of them. An and-query with nothing in
// it is true.
type query struct {
	and  bool
	lits []string
	subs []*query
}

var trueQuery = &query{and: true}

func (q *query) isTrue() bool { return q.and && len(q.lits) == 0 && len(q.subs) == 0 }

func (q *query) key() string {
	var b strings.Builder
	q.write(&b)
	return b.String()
}

func (q *query) write(b *strings.Builder) {
	if q.and {
		b.WriteString("and(")
	} else {
		b.WriteString("or(")
	}
	for _, l := range q.lits {
		b.WriteString(strconvQuote(l))
		b.WriteByte(',')
	}
	for _, s := range q.subs {
		s.write(b)
		b.WriteByte(',')
	}
	b.WriteByte(')')
}

func strconvQuote(s string) string { return "\"" + strings.ReplaceAll(s, "\"", "\\\"") + "\"" }

// andOf is the conjunction of qs, flattened and without duplicates.
func andOf(qs ...*query) *query {
	out := &query{and: true}
	seen := map[string]bool{}
	var add func(q *query)
	add = func(q *query) {
		if q.and {
			for _, l := range q.lits {
				if !slices.Contains(out.lits, l) {
					out.lits = append(out.lits, l)
				}
			}
			for _, s := range q.subs {
				add(s)
			}
			return
		}
		k := q.key()
		if !seen[k] {
			seen[k] = true
			out.subs = append(out.subs, q)
		}
	}
	for _, q := range qs {
		add(q)
	}
	// A literal implied by a longer one is redundant.
	out.lits = slices.DeleteFunc(out.lits, func(l string) bool {
		for _, o := range out.lits {
			if o != l && strings.Contains(o, l) {
				return true
			}
		}
		return false
	})
	if len(out.lits) == 0 && len(out.subs) == 1 {
		return out.subs[0]
	}
	return out
}

// orOf is the disjunction of qs; true when any is.
func orOf(qs ...*query) *query {
	out := &query{}
	for _, q := range qs {
		if q.isTrue() {
			return trueQuery
		}
		if !q.and {
			out.lits = append(out.lits, q.lits...)
			out.subs = append(out.subs, q.subs...)
			continue
		}
		if len(q.subs) == 0 && len(q.lits) == 1 {
			out.lits = append(out.lits, q.lits[0])
			continue
		}
		out.subs = append(out.subs, q)
	}
	slices.Sort(out.lits)
	out.lits = slices.Compact(out.lits)
	return out
}

// anyOf is the query "one of set": true when set holds "".
func anyOf(set []string) *query {
	if len(set) == 0 || slices.Contains(set, "") {
		return trueQuery
	}
	// A string that contains another of the set adds nothing.
	var lits []string
	for _, s := range set {
		implied := false
		for _, o := range set {
			if o != s && strings.Contains(s, o) {
				implied = true
				break
			}
		}
		if !implied {
			lits = append(lits, s)
		}
	}
	slices.Sort(lits)
	lits = slices.Compact(lits)
	if len(lits) == 1 {
		return &query{and: true, lits: lits}
	}
	return &query{lits: lits}
}

// info summarises what a regex node matches.
type info struct {
	exact    []string // non-nil: the node matches exactly these strings
	prefix   []string // otherwise: every match starts with one of these
	suffix   []string // ... and ends with one of these
	canEmpty bool
	match    *query // ... and satisfies this
}

var unknown = []string{""}

func anyInfo(canEmpty bool) info {
	return info{prefix: unknown, suffix: unknown, canEmpty: canEmpty, match: trueQuery}
}

func exactInfo(set ...string) info { return info{exact: set} }

func (i info) pre() []string {
	if i.exact != nil {
		return i.exact
	}
	return i.prefix
}

func (i info) suf() []string {
	if i.exact != nil {
		return i.exact
	}
	return i.suffix
}

// q is everything the node requires.
func (i info) q() *query {
	if i.exact != nil {
		return anyOf(i.exact)
	}
	return andOf(i.match, anyOf(i.prefix), anyOf(i.suffix))
}

func cross(a, b []string) ([]string, bool) {
	if len(a)*len(b) > maxSet {
		return nil, false
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

func union(a, b []string) []string {
	if len(a)+len(b) > maxSet {
		return unknown
	}
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

func concat(a, b info) info {
	if a.exact != nil && b.exact != nil {
		if x, ok := cross(a.exact, b.exact); ok {
			return exactInfo(x...)
		}
	}
	r := info{canEmpty: a.canEmpty && b.canEmpty}
	parts := []*query{a.q(), b.q()}
	if mid, ok := cross(a.suf(), b.pre()); ok {
		parts = append(parts, anyOf(mid))
	}
	r.match = andOf(parts...)
	switch {
	case a.exact != nil:
		if x, ok := cross(a.exact, b.pre()); ok {
			r.prefix = x
		} else {
			r.prefix = a.exact
		}
	case a.canEmpty:
		r.prefix = unknown
	default:
		r.prefix = a.prefix
	}
	switch {
	case b.exact != nil:
		if x, ok := cross(a.suf(), b.exact); ok {
			r.suffix = x
		} else {
			r.suffix = b.exact
		}
	case b.canEmpty:
		r.suffix = unknown
	default:
		r.suffix = b.suffix
	}
	return r
}

func alternate(a, b info) info {
	if a.exact != nil && b.exact != nil && len(a.exact)+len(b.exact) <= maxSet {
		return exactInfo(union(a.exact, b.exact)...)
	}
	return info{
		prefix:   union(a.pre(), b.pre()),
		suffix:   union(a.suf(), b.suf()),
		canEmpty: a.canEmpty || b.canEmpty || slices.Contains(a.exact, "") || slices.Contains(b.exact, ""),
		match:    orOf(a.q(), b.q()),
	}
}

// plus is x+ (and x{n,m} with n >= 1): it starts and ends as x does.
func plus(x info) info {
	if x.exact != nil {
		return info{prefix: x.exact, suffix: x.exact, canEmpty: slices.Contains(x.exact, ""), match: trueQuery}
	}
	return x
}

func analyse(re *syntax.Regexp) info {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return exactInfo("")
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return foldLiteral(re.Rune)
		}
		return exactInfo(string(re.Rune))
	case syntax.OpCharClass:
		n := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			n += int(re.Rune[i+1]-re.Rune[i]) + 1
			if n > maxClass {
				return anyInfo(false)
			}
		}
		set := make([]string, 0, n)
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				set = append(set, string(r))
			}
		}
		return exactInfo(set...)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return anyInfo(false)
	case syntax.OpCapture:
		return analyse(re.Sub[0])
	case syntax.OpStar:
		return anyInfo(true)
	case syntax.OpQuest:
		x := analyse(re.Sub[0])
		if x.exact != nil && len(x.exact) < maxSet {
			return exactInfo(union(x.exact, unknown)...)
		}
		return anyInfo(true)
	case syntax.OpPlus:
		return plus(analyse(re.Sub[0]))
	case syntax.OpRepeat:
		x := analyse(re.Sub[0])
		if re.Min == 0 {
			if re.Max == 1 && x.exact != nil && len(x.exact) < maxSet {
				return exactInfo(union(x.exact, unknown)...)
			}
			return anyInfo(true)
		}
		if x.exact != nil && re.Min == re.Max {
			r, ok := x, true
			for k := 1; k < re.Min && ok; k++ {
				var c []string
				c, ok = cross(r.exact, x.exact)
				r = exactInfo(c...)
			}
			if ok {
				return r
			}
		}
		return plus(x)
	case syntax.OpConcat:
		if len(re.Sub) == 0 {
			return exactInfo("")
		}
		r := analyse(re.Sub[0])
		for _, s := range re.Sub[1:] {
			r = concat(r, analyse(s))
		}
		return r
	case syntax.OpAlternate:
		if len(re.Sub) == 0 {
			return anyInfo(false)
		}
		r := analyse(re.Sub[0])
		for _, s := range re.Sub[1:] {
			r = alternate(r, analyse(s))
		}
		return r
	}
	return anyInfo(true)
}

// foldLiteral is a case-insensitive literal: every case variant, when
// there are few.
func foldLiteral(runes []rune) info {
	set := []string{""}
	for _, r := range runes {
		var variants []string
		for f := r; ; {
			variants = append(variants, string(f))
			f = unicode.SimpleFold(f)
			if f == r {
				break
			}
		}
		var ok bool
		if set, ok = cross(set, variants); !ok {
			return anyInfo(false)
		}
	}
	return exactInfo(set...)
}

// prefilterFor returns the query of literals every match of the regexp2
// regex expr must contain, or nil when none is known (or the regex is
// beyond what the analysis reads).
func prefilterFor(expr string) *prefilter {
	src, ok := toRE2(expr)
	if !ok {
		return nil
	}
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil
	}
	q := prune(analyse(re).q(), 0)
	if q.isTrue() {
		return nil
	}
	return newPrefilter(q)
}

// Pruning keeps the query cheap to evaluate: dropping a clause of an
// and-query, or making a whole or-query true, only weakens it, so the
// prefilter stays sound.
const (
	maxOrLits  = 40 // an or-query with more literals is dropped
	maxAndOrs  = 4  // or-clauses kept per and-query
	maxAndLits = 8  // literals kept per and-query
	maxDepth   = 4
)

func prune(q *query, depth int) *query {
	if depth > maxDepth {
		return trueQuery
	}
	if !q.and {
		if len(q.lits)+len(q.subs) > maxOrLits || minLen(q) < 2 {
			return trueQuery
		}
		out := &query{lits: q.lits}
		for _, s := range q.subs {
			p := prune(s, depth+1)
			if p.isTrue() {
				return trueQuery
			}
			out.subs = append(out.subs, p)
		}
		return out
	}
	out := &query{and: true}
	lits := slices.Clone(q.lits)
	slices.SortStableFunc(lits, func(a, b string) int { return len(b) - len(a) })
	out.lits = lits[:min(len(lits), maxAndLits)]
	var subs []*query
	for _, s := range q.subs {
		if p := prune(s, depth+1); !p.isTrue() {
			subs = append(subs, p)
		}
	}
	// The most selective first: longest shortest literal, then fewest.
	slices.SortStableFunc(subs, func(a, b *query) int {
		if la, lb := min(minLen(a), 4), min(minLen(b), 4); la != lb {
			return lb - la
		}
		return size(a) - size(b)
	})
	out.subs = subs[:min(len(subs), maxAndOrs)]
	if len(out.lits) == 0 && len(out.subs) == 1 {
		return out.subs[0]
	}
	return out
}

// minLen is the length of the shortest literal an or-query may be
// satisfied by (a large number for and-queries made of long literals).
func minLen(q *query) int {
	m := 1 << 30
	if q.and {
		m = 0
		for _, l := range q.lits {
			m = max(m, len(l))
		}
		for _, s := range q.subs {
			m = max(m, minLen(s))
		}
		return m
	}
	for _, l := range q.lits {
		m = min(m, len(l))
	}
	for _, s := range q.subs {
		m = min(m, minLen(s))
	}
	return m
}

func size(q *query) int {
	n := len(q.lits)
	for _, s := range q.subs {
		n += size(s)
	}
	return n
}

// parseCount parses the inside of {n}, {n,} or {n,m}; hi is large for
// {n,}.
func parseCount(s string) (lo, hi int, ok bool) {
	a, b, comma := strings.Cut(s, ",")
	lo, err := strconv.Atoi(a)
	if err != nil || lo < 0 {
		return 0, 0, false
	}
	if !comma {
		return lo, lo, true
	}
	if b == "" {
		return lo, 1 << 30, true
	}
	hi, err = strconv.Atoi(b)
	if err != nil || hi < lo {
		return 0, 0, false
	}
	return lo, hi, true
}

// toRE2 rewrites an Oniguruma/.NET regex into one Go's parser reads and
// that matches at least what the original matches (for finding required
// literals only): look-arounds are dropped, atomic and named groups become
// plain groups. ok is false for constructs it does not know.
func toRE2(s string) (string, bool) {
	var b strings.Builder
	type open struct {
		drop bool
		at   int
	}
	var stack []open
	inClass := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return "", false
			}
			n := s[i+1]
			switch n {
			case 'k', 'g':
				return "", false // back-references
			case 'Z':
				if !inClass {
					b.WriteString(`$`)
				}
			case 'G':
			case 'A', 'z':
				if !inClass {
					b.WriteByte('\\')
					b.WriteByte(n)
				}
			default:
				if n >= '1' && n <= '9' && !inClass {
					return "", false
				}
				b.WriteByte('\\')
				b.WriteByte(n)
			}
			i++
		case inClass:
			if c == '[' {
				return "", false // nested class (Oniguruma set operations)
			}
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(s) && s[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(s) && s[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case c == '(':
			rest := s[i:]
			switch {
			case strings.HasPrefix(rest, "(?=") || strings.HasPrefix(rest, "(?!"):
				stack = append(stack, open{drop: true, at: b.Len()})
				b.WriteString("(?:")
				i += 2
			case strings.HasPrefix(rest, "(?<=") || strings.HasPrefix(rest, "(?<!"):
				stack = append(stack, open{drop: true, at: b.Len()})
				b.WriteString("(?:")
				i += 3
			case strings.HasPrefix(rest, "(?>"):
				stack = append(stack, open{})
				b.WriteString("(?:")
				i += 2
			case strings.HasPrefix(rest, "(?<"):
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					return "", false
				}
				stack = append(stack, open{})
				b.WriteString("(?:")
				i += end
			case strings.HasPrefix(rest, "(?:") || !strings.HasPrefix(rest, "(?"):
				stack = append(stack, open{})
				b.WriteByte('(')
			default:
				// Inline flags (?i) or (?i:...).
				j := 2
				for j < len(rest) && isFlag(rest[j]) {
					j++
				}
				if j >= len(rest) || (rest[j] != ')' && rest[j] != ':') {
					return "", false
				}
				flags := strings.ReplaceAll(rest[2:j], "m", "s")
				if rest[j] == ':' {
					stack = append(stack, open{})
				}
				b.WriteString("(?" + flags + string(rest[j]))
				i += j
			}
		case c == ')':
			if len(stack) == 0 {
				return "", false
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if o.drop {
				str := b.String()[:o.at]
				b.Reset()
				b.WriteString(str)
				// A quantifier after a dropped look-around applies to
				// nothing: skip it.
				for i+1 < len(s) && strings.IndexByte("?*+", s[i+1]) >= 0 {
					i++
				}
				continue
			}
			b.WriteByte(')')
		case c == '{':
			// Counted repetitions: Go refuses nested counts beyond 1000
			// (ECS's EMAILLOCALPART); large ones become * or +, which
			// match more.
			end := strings.IndexByte(s[i:], '}')
			lo, hi, ok := parseCount(s[i+1 : i+max(end, 1)])
			switch {
			case end < 0 || !ok:
				b.WriteString(`\{`)
			case lo <= 8 && hi <= 8:
				b.WriteString(s[i : i+end+1])
				i += end
			case lo == 0:
				b.WriteByte('*')
				i += end
			default:
				b.WriteByte('+')
				i += end
			}
		default:
			b.WriteByte(c)
		}
	}
	if len(stack) != 0 || inClass {
		return "", false
	}
	out := b.String()
	return out, utf8.ValidString(out)
}
