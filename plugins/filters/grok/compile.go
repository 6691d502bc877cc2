package grok

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agext/levenshtein"
	"github.com/dlclark/regexp2"

	"github.com/pipeproject/pipe/pipeline"
)

// ErrUnknownPattern is wrapped by the error for a %{NAME} that no pattern
// file or pattern_definitions defines.
var ErrUnknownPattern = errors.New("unknown grok pattern")

// ErrPatternCycle is wrapped by the error for a pattern that refers to
// itself, directly or through others.
var ErrPatternCycle = errors.New("grok pattern refers to itself")

// library maps pattern names to their (unexpanded) regexes.
type library map[string]string

// loadFS adds the pattern files of dir in fsys whose names match glob, in
// name order; later definitions win.
func (l library) loadFS(fsys fs.FS, dir, glob string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("read patterns %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if ok, err := path.Match(glob, e.Name()); err != nil {
			return fmt.Errorf("patterns_files_glob %q: %w", glob, err)
		} else if !ok {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return fmt.Errorf("read patterns: %w", err)
		}
		l.parse(string(data))
	}
	return nil
}

// parse reads a pattern file in Logstash's format: "NAME regex" per line,
// '#' comments and blank lines ignored. The regex is the rest of the line
// after the whitespace that follows the name.
// suggest returns the library's pattern name closest to name, if one is
// close enough to be a likely typo.
func (l library) suggest(name string) string {
	best, bestD := "", 3
	for k := range l {
		if d := levenshtein.Distance(strings.ToUpper(name), k, nil); d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	return best
}

func (l library) parse(text string) {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " \t\v\f")
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.IndexAny(line, " \t\v\f\r")
		if i < 0 {
			continue
		}
		name := line[:i]
		def := strings.TrimLeft(line[i:], " \t\v\f\r")
		def = strings.TrimSuffix(def, "\r")
		if def == "" {
			continue
		}
		l[name] = def
	}
}

// convType is a capture's type conversion (:int, :float).
type convType uint8

const (
	convNone convType = iota
	convInt
	convFloat
)

// capture is one named group of a compiled pattern.
type capture struct {
	group int               // regexp2 group number
	name  string            // the field as written in the pattern
	ref   pipeline.FieldRef // where the value goes (target applied)
	conv  convType
	first bool // first capture of this field in the pattern
	// next is the index of the next capture with the same field, or -1.
	next int
}

// compiled is one grok pattern ready to run.
type compiled struct {
	source   string // the pattern as written
	re       *regexp2.Regexp
	captures []capture
	pre      *prefilter // required literals; nil = none known
}

// expander turns a grok pattern into a regexp2 regex.
type expander struct {
	lib               library
	namedCapturesOnly bool
	groups            []rawCapture
	stack             []string
}

type rawCapture struct {
	name string // field as written (bracketed names included)
	conv convType
}

func (x *expander) group(name string, conv convType) string {
	x.groups = append(x.groups, rawCapture{name, conv})
	return "(?<g" + strconv.Itoa(len(x.groups)-1) + ">"
}

// expand rewrites pattern: %{NAME[:field[:type]]} is replaced by NAME's
// expansion (a named group when it has a field, or when named captures are
// not the only ones kept), raw named groups (?<name>...) get internal names,
// and Oniguruma syntax regexp2 lacks is rewritten.
func (x *expander) expand(pattern string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '%' && strings.HasPrefix(pattern[i:], "%{"):
			end := strings.IndexByte(pattern[i:], '}')
			if end < 0 {
				b.WriteByte(c)
				continue
			}
			spec := pattern[i+2 : i+end]
			name, field, typ, ok := parseRef(spec)
			if !ok {
				// Not a grok reference: literal text, as Logstash.
				b.WriteByte(c)
				continue
			}
			def, found := x.lib[name]
			if !found {
				hint := ""
				if sg := x.lib.suggest(name); sg != "" {
					hint = fmt.Sprintf(" (did you mean %s?)", sg)
				}
				return "", fmt.Errorf("%w %%{%s}: no pattern file nor pattern_definitions defines %s%s", ErrUnknownPattern, spec, name, hint)
			}
			if slices.Contains(x.stack, name) {
				return "", fmt.Errorf("%w: %s", ErrPatternCycle, strings.Join(append(x.stack, name), " -> "))
			}
			var conv convType
			switch typ {
			case "":
			case "int":
				conv = convInt
			case "float":
				conv = convFloat
			default:
				return "", fmt.Errorf("%%{%s}: unknown type %q: grok converts to int or float only", spec, typ)
			}
			switch {
			case field != "":
				b.WriteString(x.group(field, conv))
			case !x.namedCapturesOnly:
				b.WriteString(x.group(name, conv))
			default:
				b.WriteString("(?:")
			}
			x.stack = append(x.stack, name)
			sub, err := x.expand(def)
			x.stack = x.stack[:len(x.stack)-1]
			if err != nil {
				return "", err
			}
			b.WriteString(sub)
			b.WriteByte(')')
			i += end
		case c == '\\' && i+1 < len(pattern):
			n := pattern[i+1]
			switch n {
			case 'h':
				if inClass {
					b.WriteString("0-9A-Fa-f")
				} else {
					b.WriteString("[0-9A-Fa-f]")
				}
			case 'H':
				if inClass {
					b.WriteString(`\H`) // no rewrite inside a class: regexp2 reports it
				} else {
					b.WriteString("[^0-9A-Fa-f]")
				}
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			// A ']' first in a class is a literal.
			if i+1 < len(pattern) && pattern[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(pattern) && pattern[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
		case c == '(' && strings.HasPrefix(pattern[i:], "(?<") && i+3 < len(pattern) &&
			pattern[i+3] != '=' && pattern[i+3] != '!':
			end := strings.IndexByte(pattern[i:], '>')
			if end < 0 {
				b.WriteByte(c)
				continue
			}
			name := pattern[i+3 : i+end]
			field, typ, _ := strings.Cut(name, ":")
			var conv convType
			switch typ {
			case "int":
				conv = convInt
			case "float":
				conv = convFloat
			}
			b.WriteString(x.group(field, conv))
			i += end
		case c == '(' && strings.HasPrefix(pattern[i:], "(?") && i+2 < len(pattern) && isFlag(pattern[i+2]):
			// Inline options: Ruby's m is dot-all (regexp2's s); ^ and $
			// always work per line in Ruby (regexp2's Multiline, set).
			j := i + 2
			b.WriteString("(?")
			for j < len(pattern) && isFlag(pattern[j]) {
				if pattern[j] == 'm' {
					b.WriteByte('s')
				} else {
					b.WriteByte(pattern[j])
				}
				j++
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isFlag(c byte) bool { return c == 'i' || c == 'm' || c == 'x' || c == '-' }

// parseRef parses the inside of %{...}: NAME, NAME:field or
// NAME:field:type.
func parseRef(spec string) (name, field, typ string, ok bool) {
	name, rest, _ := strings.Cut(spec, ":")
	if name == "" {
		return "", "", "", false
	}
	for _, c := range []byte(name) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return "", "", "", false
		}
	}
	if rest == "" {
		return name, "", "", true
	}
	// The field may be a reference holding no ':'; the type follows the
	// last ':'.
	field = rest
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		field, typ = rest[:i], rest[i+1:]
	}
	if field == "" {
		return "", "", "", false
	}
	return name, field, typ, true
}

// compileOptions are the options that shape a compiled pattern.
type compileOptions struct {
	lib               library
	namedCapturesOnly bool
	target            string // normalised "[t]" form, or ""
	timeout           time.Duration
}

// compile expands and compiles one pattern.
func compile(pattern string, o compileOptions) (*compiled, error) {
	x := &expander{lib: o.lib, namedCapturesOnly: o.namedCapturesOnly}
	expanded, err := x.expand(pattern)
	if err != nil {
		return nil, err
	}
	re, err := regexp2.Compile(expanded, regexp2.ExplicitCapture|regexp2.Multiline)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	if o.timeout > 0 {
		re.MatchTimeout = o.timeout
	}
	c := &compiled{source: pattern, re: re}
	firstOf := map[string]int{}
	for i, g := range x.groups {
		full := fieldPath(g.name, o.target)
		ref, err := pipeline.ParseFieldRef(full)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: capture %q: %w", pattern, g.name, err)
		}
		cp := capture{group: re.GroupNumberFromName("g" + strconv.Itoa(i)), name: g.name, ref: ref, conv: g.conv, next: -1}
		if j, seen := firstOf[g.name]; seen {
			// Chain to the last capture of the same name.
			for c.captures[j].next >= 0 {
				j = c.captures[j].next
			}
			c.captures[j].next = len(c.captures)
		} else {
			firstOf[g.name] = len(c.captures)
			cp.first = true
		}
		c.captures = append(c.captures, cp)
	}
	c.pre = prefilterFor(expanded)
	return c, nil
}

// fieldPath puts a capture name under the target: "x" and "[x]" become
// "[t][x]"; without a target the name is used as it is.
func fieldPath(name, target string) string {
	if target == "" {
		return name
	}
	if strings.HasPrefix(name, "[") {
		return target + name
	}
	return target + "[" + name + "]"
}

// normaliseTarget turns "foo" into "[foo]" (Logstash's normalisation).
func normaliseTarget(t string) string {
	if t == "" || strings.HasPrefix(t, "[") {
		return t
	}
	return "[" + t + "]"
}

// rubyToI converts as Ruby's String#to_i: leading whitespace, an optional
// sign and the digits that follow (underscores between digits allowed);
// anything else gives 0.
func rubyToI(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' && i > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		if n > (1<<63-1-int64(c-'0'))/10 {
			if neg {
				return -1 << 63
			}
			return 1<<63 - 1
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

// rubyToF converts as Ruby's String#to_f: the longest leading decimal
// number; anything else gives 0.0.
func rubyToF(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	digits := func() int {
		n := 0
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
			n++
		}
		return n
	}
	intDigits := digits()
	if end < len(s) && s[end] == '.' {
		save := end
		end++
		if digits() == 0 {
			end = save
		}
	}
	if intDigits == 0 && !strings.Contains(s[:end], ".") {
		return 0
	}
	if end < len(s) && (s[end] == 'e' || s[end] == 'E') {
		save := end
		end++
		if end < len(s) && (s[end] == '+' || s[end] == '-') {
			end++
		}
		if digits() == 0 {
			end = save
		}
	}
	f, err := strconv.ParseFloat(s[:end], 64)
	if err != nil {
		return 0
	}
	return f
}
