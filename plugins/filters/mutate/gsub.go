package mutate

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/pipeproject/pipe/pipeline"
)

// gsubTimeout bounds one search of a backtracking (regexp2) regex, as
// grok's timeout_millis default does; a search that takes longer fails
// the filter. RE2 regexes run in linear time and need none.
const gsubTimeout = 30 * time.Second

// gsubOp is one field, regex, replacement triple.
type gsubOp struct {
	ref pipeline.FieldRef
	// re is the compiled regex; nil when the regex holds %{...} and is
	// compiled per event from needle, as Logstash does.
	re     *rubyRegex
	needle *pipeline.Template
	// repl is the parsed replacement; replTmpl is set instead when the
	// replacement holds %{...} (rendered, then parsed, per event).
	repl     []replPart
	replTmpl *pipeline.Template
}

func (c *compiler) gsubs(list []string) []gsubOp {
	if len(list)%3 != 0 {
		c.errorf("gsub", "needs field, regex, replacement triples",
			"gsub is a flat list of triples, e.g. [\"field\", \"/\", \"_\"]; it has %d strings, %d too many or %d too few",
			len(list), len(list)%3, 3-len(list)%3)
		return nil
	}
	out := make([]gsubOp, 0, len(list)/3)
	for i := 0; i+2 < len(list); i += 3 {
		field, needle, repl := list[i], list[i+1], list[i+2]
		op := gsubOp{ref: c.ref("gsub", field)}
		if strings.Contains(needle, "%{") {
			op.needle = c.template("gsub", needle)
		} else {
			re, err := compileRuby(needle)
			if err != nil {
				c.errorf("gsub", fmt.Sprintf("invalid regex %q for field %q", needle, field), "%v", err)
			}
			op.re = re
		}
		if strings.Contains(repl, "%{") {
			if t := c.template("gsub", repl); t != nil && !t.IsConstant() {
				op.replTmpl = t
			}
		}
		if op.replTmpl == nil {
			op.repl = parseRepl(repl)
		}
		out = append(out, op)
	}
	return out
}

// apply substitutes every match of the regex in s; changed is false when
// nothing matched (s is returned as it is).
func (op *gsubOp) apply(e *pipeline.Event, s string) (out string, changed bool, err error) {
	re := op.re
	if re == nil {
		src := op.needle.Render(e)
		if re, err = compileRuby(src); err != nil {
			return "", false, fmt.Errorf("regex %q (from %q): %w", src, op.needle.String(), err)
		}
	}
	repl := op.repl
	if op.replTmpl != nil {
		repl = parseRepl(op.replTmpl.Render(e))
	}
	return re.replaceAll(s, repl)
}

// rubyRegex is a Ruby regex compiled with Go's regexp (RE2) or, for what
// RE2 lacks (backreferences, lookaround, possessive quantifiers), with
// regexp2. Both run in multi-line mode: Ruby's ^ and $ match at line ends.
type rubyRegex struct {
	re *regexp.Regexp
	bt *regexp2.Regexp
}

// compileRuby compiles a Ruby regex, RE2 first. When neither engine takes
// it, the error is RE2's.
func compileRuby(pattern string) (*rubyRegex, error) {
	pattern = rubyFlags(pattern)
	_, rerr := syntax.Parse(pattern, syntax.Perl)
	if rerr == nil {
		re, err := regexp.Compile("(?m)" + pattern)
		if err == nil {
			return &rubyRegex{re: re}, nil
		}
		rerr = err
	}
	bt, err := regexp2.Compile(pattern, regexp2.Multiline)
	if err != nil {
		return nil, rerr
	}
	bt.MatchTimeout = gsubTimeout
	return &rubyRegex{bt: bt}, nil
}

// rubyFlags rewrites what Ruby's regexes (Onigmo) write differently: the
// inline option m (dot-all) becomes s, the name both engines give it, in
// "(?m)", "(?mi-x)" and "(?m:...)"; \h and \H (hexadecimal digit or not)
// become classes. Other escapes are left alone. Multi-line anchors need no
// option: they are always on, as in Ruby.
func rubyFlags(p string) string {
	if !strings.Contains(p, "(?") && !strings.Contains(p, `\h`) && !strings.Contains(p, `\H`) {
		return p
	}
	b := make([]byte, 0, len(p)+16)
	class := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			switch d := p[i+1]; {
			case d == 'h' && class > 0:
				b = append(b, "0-9a-fA-F"...)
			case d == 'h':
				b = append(b, "[0-9a-fA-F]"...)
			case d == 'H' && class == 0:
				b = append(b, "[^0-9a-fA-F]"...)
			default:
				b = append(b, c, d)
			}
			i++
			continue
		case c == '[':
			class++
		case c == ']' && class > 0:
			class--
		case c == '(' && class == 0 && i+2 < len(p) && p[i+1] == '?':
			j := i + 2
			for j < len(p) && strings.IndexByte("imx-", p[j]) >= 0 {
				j++
			}
			if j > i+2 && j < len(p) && (p[j] == ')' || p[j] == ':') {
				b = append(b, '(', '?')
				for k := i + 2; k < j; k++ {
					if p[k] == 'm' {
						b = append(b, 's')
					} else {
						b = append(b, p[k])
					}
				}
				i = j - 1
				continue
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// groupIndex returns the number of a named group, or -1.
func (r *rubyRegex) groupIndex(name string) int {
	if r.re != nil {
		return r.re.SubexpIndex(name)
	}
	return r.bt.GroupNumberFromName(name)
}

// matches returns the submatch byte offsets of every match, as
// regexp.FindAllStringSubmatchIndex.
func (r *rubyRegex) matches(s string) ([][]int, error) {
	if r.re != nil {
		return r.re.FindAllStringSubmatchIndex(s, -1), nil
	}
	m, err := r.bt.FindStringMatch(s)
	if err != nil || m == nil {
		return nil, err
	}
	// regexp2 counts in runes; map rune positions to byte offsets.
	offs := make([]int, 0, utf8.RuneCountInString(s)+1)
	for i := range s {
		offs = append(offs, i)
	}
	offs = append(offs, len(s))
	nums := r.bt.GetGroupNumbers()
	top := 0
	for _, n := range nums {
		top = max(top, n)
	}
	var out [][]int
	for m != nil {
		idx := make([]int, 2*(top+1))
		for i := range idx {
			idx[i] = -1
		}
		for _, n := range nums {
			g := m.GroupByNumber(n)
			if g == nil || len(g.Captures) == 0 {
				continue
			}
			idx[2*n], idx[2*n+1] = offs[g.Index], offs[g.Index+g.Length]
		}
		out = append(out, idx)
		if m, err = r.bt.FindNextMatch(m); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// replaceAll is Ruby's String#gsub(regex, replacement).
func (r *rubyRegex) replaceAll(s string, repl []replPart) (string, bool, error) {
	if r.re != nil && len(repl) <= 1 && (len(repl) == 0 || repl[0].kind == replLiteral) {
		// A plain text replacement: no submatch offsets needed, and
		// nothing allocated when nothing matches.
		if r.re.FindStringIndex(s) == nil {
			return s, false, nil
		}
		text := ""
		if len(repl) == 1 {
			text = repl[0].text
		}
		return r.re.ReplaceAllLiteralString(s, text), true, nil
	}
	all, err := r.matches(s)
	if err != nil {
		return "", false, fmt.Errorf("regex search: %w", err)
	}
	if len(all) == 0 {
		return s, false, nil
	}
	b := make([]byte, 0, len(s)+16)
	last := 0
	for _, idx := range all {
		b = append(b, s[last:idx[0]]...)
		if b, err = r.expand(b, s, idx, repl); err != nil {
			return "", false, err
		}
		last = idx[1]
	}
	b = append(b, s[last:]...)
	return string(b), true, nil
}

// replKind is a piece of a replacement string.
type replKind uint8

const (
	replLiteral replKind = iota
	replGroup            // \0 \& \1 ... \9
	replNamed            // \k<name>
	replPre              // \`
	replPost             // \'
	replLast             // \+
)

type replPart struct {
	kind replKind
	text string // literal text or group name
	n    int    // group number
}

// parseRepl parses a replacement as Ruby's gsub reads it: \1 to \9 (one
// digit), \0 and \& the match, \k<name> a named group, \` before the
// match, \' after it, \+ the last group that matched, \\ a backslash; any
// other backslash is kept as written.
func parseRepl(s string) []replPart {
	var parts []replPart
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			parts = append(parts, replPart{kind: replLiteral, text: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			lit = append(lit, c)
			continue
		}
		d := s[i+1]
		i++
		switch {
		case d >= '1' && d <= '9':
			flush()
			parts = append(parts, replPart{kind: replGroup, n: int(d - '0')})
		case d == '0' || d == '&':
			flush()
			parts = append(parts, replPart{kind: replGroup})
		case d == '`':
			flush()
			parts = append(parts, replPart{kind: replPre})
		case d == '\'':
			flush()
			parts = append(parts, replPart{kind: replPost})
		case d == '+':
			flush()
			parts = append(parts, replPart{kind: replLast})
		case d == '\\':
			lit = append(lit, '\\')
		case d == 'k' && i+1 < len(s) && s[i+1] == '<' && strings.IndexByte(s[i+2:], '>') >= 0:
			end := i + 2 + strings.IndexByte(s[i+2:], '>')
			flush()
			parts = append(parts, replPart{kind: replNamed, text: s[i+2 : end]})
			i = end
		default:
			lit = append(lit, '\\', d)
		}
	}
	flush()
	if len(parts) == 0 {
		parts = []replPart{} // an empty replacement
	}
	return parts
}

// expand appends the replacement for one match.
func (r *rubyRegex) expand(dst []byte, s string, idx []int, repl []replPart) ([]byte, error) {
	group := func(n int) {
		if n >= 0 && 2*n+1 < len(idx) && idx[2*n] >= 0 {
			dst = append(dst, s[idx[2*n]:idx[2*n+1]]...)
		}
	}
	for _, p := range repl {
		switch p.kind {
		case replLiteral:
			dst = append(dst, p.text...)
		case replGroup:
			group(p.n)
		case replNamed:
			n := r.groupIndex(p.text)
			if n < 1 {
				return nil, fmt.Errorf("undefined group name reference \\k<%s> in the replacement", p.text)
			}
			group(n)
		case replPre:
			dst = append(dst, s[:idx[0]]...)
		case replPost:
			dst = append(dst, s[idx[1]:]...)
		case replLast:
			for n := len(idx)/2 - 1; n > 0; n-- {
				if idx[2*n] >= 0 {
					group(n)
					break
				}
			}
		}
	}
	return dst, nil
}
