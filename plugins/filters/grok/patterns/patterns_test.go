package patterns

import (
	"bufio"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2"
)

// This file holds a differential test between pipe's pattern library and
// Logstash's logstash-patterns-core, which is read at test time from
// <module root>/../shared/logstash-patterns-core/patterns. It contains a
// small test-only grok expander: it is not pipe's grok implementation.

// patternSet is one loaded set: pattern name -> definition, and the group
// file each name was defined in.
type patternSet struct {
	defs  map[string]string
	group map[string]string
	// groups lists the group file names, sorted.
	groups []string
}

// loadSet reads every group file of a set, in Logstash's way: lines whose
// first non-blank character is '#' are comments; otherwise the line is split
// at the first run of blanks into name and definition (trailing blanks of the
// definition are kept, as Logstash only chomps the newline).
func loadSet(fsys fs.FS) (*patternSet, error) {
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	ps := &patternSet{defs: map[string]string{}, group: map[string]string{}}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		ps.groups = append(ps.groups, e.Name())
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSuffix(line, "\r")
			line = strings.TrimLeft(line, " \t")
			if line == "" || line[0] == '#' {
				continue
			}
			i := strings.IndexAny(line, " \t")
			if i < 0 {
				continue
			}
			name := line[:i]
			def := strings.TrimLeft(line[i:], " \t")
			if def == "" {
				continue
			}
			ps.defs[name] = def
			ps.group[name] = e.Name()
		}
	}
	sort.Strings(ps.groups)
	return ps, nil
}

// capture describes one named group of an expanded expression.
type capture struct {
	field string // grok field name, e.g. "[url][original]"
	typ   string // "", "int" or "float"
}

// grokRef matches a %{NAME}, %{NAME:field} or %{NAME:field:type} reference
// the way Logstash's grok does: the sub-name is made of the characters
// [@\[\]A-z0-9_:.-] and anything after it up to '}' is ignored.
var grokRef = regexp.MustCompile(`%\{([A-Za-z0-9_]+)(?::([@\[\]A-Za-z0-9_:.\-]+))?[^}]*\}`)

// rawNamed matches an explicit named group "(?<name>" in a definition.
var rawNamed = regexp.MustCompile(`\(\?<([^>!=][^>]*)>`)

// expander expands grok expressions of one pattern set.
type expander struct {
	set  *patternSet
	caps []capture
}

func (x *expander) groupName(field, typ string) string {
	x.caps = append(x.caps, capture{field: field, typ: typ})
	return fmt.Sprintf("g%d", len(x.caps))
}

// dialect rewrites the Oniguruma-only constructs used by pattern files into
// their regexp2 equivalents.
func dialect(re string) string {
	// POSIX brackets are Unicode-aware in Oniguruma: alnum is
	// Letter | Mark | Decimal_Number.
	re = strings.ReplaceAll(re, `[[[:alnum:]]`, `[\p{L}\p{M}\p{Nd}`)
	re = strings.ReplaceAll(re, `[:alnum:]`, `\p{L}\p{M}\p{Nd}`)
	// Ruby's (?m) is "dot matches newline", i.e. regexp2's (?s).
	re = strings.ReplaceAll(re, `(?m)`, `(?s)`)
	// Oniguruma reads "x?*" as "(?:x?)*"; regexp2 rejects the nested
	// quantifier (Logstash's SHOREWALL uses ".?*").
	re = strings.ReplaceAll(re, `.?*`, `(?:.?)*`)
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		if re[i] == '\\' && i+1 < len(re) {
			if re[i+1] == 'h' {
				b.WriteString(`[0-9A-Fa-f]`)
			} else {
				b.WriteByte(re[i])
				b.WriteByte(re[i+1])
			}
			i++
			continue
		}
		b.WriteByte(re[i])
	}
	return b.String()
}

func (x *expander) expand(expr string, depth int) (string, error) {
	if depth > 40 {
		return "", fmt.Errorf("recursion too deep")
	}
	expr = rawNamed.ReplaceAllStringFunc(expr, func(m string) string {
		name := rawNamed.FindStringSubmatch(m)[1]
		return "(?<" + x.groupName(name, "") + ">"
	})
	var err error
	out := grokRef.ReplaceAllStringFunc(expr, func(m string) string {
		if err != nil {
			return ""
		}
		sm := grokRef.FindStringSubmatch(m)
		def, ok := x.set.defs[sm[1]]
		if !ok {
			err = fmt.Errorf("unknown pattern %s", sm[1])
			return ""
		}
		var sub string
		sub, err = x.expand(def, depth+1)
		if err != nil {
			return ""
		}
		if sm[2] == "" {
			return "(?:" + sub + ")"
		}
		field, typ, _ := strings.Cut(sm[2], ":")
		typ, _, _ = strings.Cut(typ, ":")
		return "(?<" + x.groupName(field, typ) + ">" + sub + ")"
	})
	if err != nil {
		return "", err
	}
	return dialect(out), nil
}

// compiled is one expanded, compiled grok expression.
type compiled struct {
	re     *regexp2.Regexp
	caps   []capture
	rename map[string]string
}

// refRenames lists the deliberate differences of capture names: reference
// field name -> pipe's field name. They are applied to the reference's
// results before comparing.
var refRenames = map[string]string{
	// ecs-v1 CISCOFW302013_302014_302015_302016 writes
	// %{DATA:[source][user][name?]}, which Logstash reads as the field
	// "[source][user][name" (the sub-name stops at '?'); pipe uses the
	// intended "[source][user][name]".
	"[source][user][name": "[source][user][name]",
}

func compile(set *patternSet, name string) (*compiled, error) {
	x := &expander{set: set}
	src, err := x.expand("%{"+name+"}", 0)
	if err != nil {
		return nil, err
	}
	re, err := regexp2.Compile(src, regexp2.ExplicitCapture)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = 2 * time.Second
	return &compiled{re: re, caps: x.caps}, nil
}

// rubyInt converts like Ruby's String#to_i: leading blanks, optional sign,
// then digits; anything else gives 0.
func rubyInt(s string) string {
	s = strings.TrimLeft(s, " \t\n")
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '_' && j > i) {
		j++
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s[:j], "_", ""), 10, 64)
	if err != nil {
		return "0"
	}
	return strconv.FormatInt(v, 10)
}

// rubyFloat converts like Ruby's String#to_f (the longest leading float).
var floatPrefix = regexp.MustCompile(`^\s*[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?`)

func rubyFloat(s string) string {
	m := floatPrefix.FindString(s)
	v, err := strconv.ParseFloat(strings.TrimSpace(m), 64)
	if err != nil {
		return "0"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// result is the outcome of matching a line: nil when it does not match,
// otherwise field -> values (typed, in group order, empty captures dropped
// like Logstash does without keep_empty_captures), plus "@match" holding the
// whole matched text.
type result map[string][]string

func (c *compiled) match(line string) (result, error) {
	m, err := c.re.FindStringMatch(line)
	if err != nil || m == nil {
		return nil, err
	}
	r := result{"@match": {m.String()}}
	for i, cp := range c.caps {
		g := m.GroupByName(fmt.Sprintf("g%d", i+1))
		if g == nil || len(g.Captures) == 0 || g.String() == "" {
			continue
		}
		v := g.String()
		switch cp.typ {
		case "int":
			v = "int:" + rubyInt(v)
		case "float":
			v = "float:" + rubyFloat(v)
		}
		field := cp.field
		if nf, ok := c.rename[field]; ok {
			field = nf
		}
		r[field] = append(r[field], v)
	}
	return r, nil
}

func (r result) String() string {
	if r == nil {
		return "<no match>"
	}
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n\t\t%s = %q", k, r[k])
	}
	return b.String()
}

func (r result) equal(o result) bool {
	if (r == nil) != (o == nil) || len(r) != len(o) {
		return false
	}
	for k, v := range r {
		w, ok := o[k]
		if !ok || len(v) != len(w) {
			return false
		}
		for i := range v {
			if v[i] != w[i] {
				return false
			}
		}
	}
	return true
}

// referenceDir finds ../shared/logstash-patterns-core/patterns relative to
// the module root (the directory holding go.mod).
func referenceDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
	ref := filepath.Join(dir, "..", "shared", "logstash-patterns-core", "patterns")
	if _, err := os.Stat(ref); err != nil {
		t.Fatalf("reference patterns not found: %v", err)
	}
	return ref
}

// corpusLine is one sample of testdata/*.txt: "NAME<TAB>line" (the reference
// must match it in at least one set), "!NAME<TAB>line" (the reference must
// match it in no set) or "*<TAB>line" (a line of the shared pool, run through
// every pattern). Every pattern is run on the lines of every pattern of its
// group and on the shared pool.
type corpusLine struct {
	file, name, text string
	lineno           int
	negative         bool
	variant          bool // a mutation of a corpus line: compared, not marked
}

// mutate derives deterministic variants of each corpus line (truncations
// and character substitutions) so that the comparison also covers lines
// that almost match.
func mutate(corpus []corpusLine) []corpusLine {
	const chars = " \t:/.-[]()0aZ\"'@#%,;=9_"
	rng := rand.New(rand.NewPCG(1, 2))
	var out []corpusLine
	for _, c := range corpus {
		r := []rune(c.text)
		if len(r) == 0 {
			continue
		}
		add := func(text string) {
			v := c
			v.text, v.variant, v.negative = text, true, false
			out = append(out, v)
		}
		add(string(r[:len(r)/3]))
		add(string(r[:2*len(r)/3]))
		for range 3 {
			m := append([]rune(nil), r...)
			m[rng.IntN(len(m))] = rune(chars[rng.IntN(len(chars))])
			add(string(m))
		}
	}
	return out
}

func loadCorpus(t *testing.T) []corpusLine {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusLine
	for _, fn := range files {
		f, err := os.Open(fn)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		n := 0
		for sc.Scan() {
			n++
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			name, text, ok := strings.Cut(line, "\t")
			if !ok {
				t.Fatalf("%s:%d: no tab", fn, n)
			}
			// "\n" in a sample stands for a newline (multi-line events).
			text = strings.ReplaceAll(text, `\n`, "\n")
			cl := corpusLine{file: filepath.Base(fn), name: name, text: text, lineno: n}
			if strings.HasPrefix(name, "!") {
				cl.negative = true
				cl.name = name[1:]
			}
			out = append(out, cl)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

type loaded struct {
	set       string
	ref, ours *patternSet
}

func loadBoth(t *testing.T) []loaded {
	t.Helper()
	refDir := referenceDir(t)
	var out []loaded
	for _, s := range Sets() {
		ref, err := loadSet(os.DirFS(filepath.Join(refDir, s)))
		if err != nil {
			t.Fatal(err)
		}
		sub, err := fs.Sub(FS, s)
		if err != nil {
			t.Fatal(err)
		}
		ours, err := loadSet(sub)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, loaded{set: s, ref: ref, ours: ours})
	}
	return out
}

// doneGroups returns the reference groups that our set has; the others are
// reported as not done yet.
func doneGroups(t *testing.T, l loaded) map[string]bool {
	done := map[string]bool{}
	var missing []string
	have := map[string]bool{}
	for _, g := range l.ours.groups {
		have[g] = true
	}
	for _, g := range l.ref.groups {
		if have[g] {
			done[g] = true
		} else {
			missing = append(missing, g)
		}
	}
	if len(missing) > 0 {
		t.Logf("%s: groups not done yet (not checked): %s", l.set, strings.Join(missing, ", "))
	}
	return done
}

func TestGroupsMatchReference(t *testing.T) {
	for _, l := range loadBoth(t) {
		ref := map[string]bool{}
		for _, g := range l.ref.groups {
			ref[g] = true
		}
		for _, g := range l.ours.groups {
			if !ref[g] {
				t.Errorf("%s: group %s does not exist in the reference set", l.set, g)
			}
		}
		doneGroups(t, l)
	}
}

func TestNamesMatchReference(t *testing.T) {
	for _, l := range loadBoth(t) {
		done := doneGroups(t, l)
		n := 0
		for name, g := range l.ref.group {
			if !done[g] {
				continue
			}
			n++
			og, ok := l.ours.group[name]
			if !ok {
				t.Errorf("%s: pattern %s (%s) missing", l.set, name, g)
			} else if og != g {
				t.Errorf("%s: pattern %s is in group %s, reference has it in %s", l.set, name, og, g)
			}
		}
		for name := range l.ours.defs {
			if _, ok := l.ref.defs[name]; !ok && !strings.HasPrefix(name, "PIPE_") {
				t.Errorf("%s: pattern %s is not in the reference (private helpers need the PIPE_ prefix)", l.set, name)
			}
		}
		t.Logf("%s: %d reference patterns in done groups, ours has %d patterns", l.set, n, len(l.ours.defs))
	}
}

func TestSets(t *testing.T) {
	for _, s := range Sets() {
		ents, err := fs.ReadDir(FS, s)
		if err != nil {
			t.Fatalf("set %s: %v", s, err)
		}
		if len(ents) == 0 {
			t.Errorf("set %s is empty", s)
		}
	}
}

func TestOursCompile(t *testing.T) {
	for _, l := range loadBoth(t) {
		for name := range l.ours.defs {
			if _, err := compile(l.ours, name); err != nil {
				t.Errorf("%s: %s: %v", l.set, name, err)
			}
		}
	}
}

func TestDifferential(t *testing.T) {
	corpus := loadCorpus(t)
	if len(corpus) == 0 {
		t.Fatal("empty corpus")
	}
	nlines := len(corpus)
	corpus = append(corpus, mutate(corpus)...)
	// Each name of the corpus must exist in at least one reference set, and
	// each positive/negative mark must hold for the reference.
	sets := loadBoth(t)
	refMatched := map[int]bool{}
	for _, l := range sets {
		done := doneGroups(t, l)
		// Lines by group: every pattern of a group is run on every corpus
		// line whose pattern belongs to that group.
		byGroup := map[string][]int{}
		var shared []int
		for i, c := range corpus {
			if c.name == "*" {
				shared = append(shared, i)
				continue
			}
			if g, ok := l.ref.group[c.name]; ok {
				byGroup[g] = append(byGroup[g], i)
			}
		}
		names := make([]string, 0, len(l.ref.defs))
		for n := range l.ref.defs {
			names = append(names, n)
		}
		sort.Strings(names)
		checked, compared := 0, 0
		var unmatched []string
		for _, name := range names {
			g := l.ref.group[name]
			if !done[g] {
				continue
			}
			if _, ok := l.ours.defs[name]; !ok {
				continue // reported by TestNamesMatchReference
			}
			rc, err := compile(l.ref, name)
			if err != nil {
				t.Errorf("%s: reference %s does not compile: %v", l.set, name, err)
				continue
			}
			rc.rename = refRenames
			oc, err := compile(l.ours, name)
			if err != nil {
				t.Errorf("%s: ours %s does not compile: %v", l.set, name, err)
				continue
			}
			checked++
			hit := false
			lines := append(append([]int(nil), byGroup[g]...), shared...)
			for _, i := range lines {
				c := corpus[i]
				rr, err := rc.match(c.text)
				if err != nil {
					t.Errorf("%s: reference %s on %s:%d: %v", l.set, name, c.file, c.lineno, err)
					continue
				}
				or, err := oc.match(c.text)
				if err != nil {
					t.Errorf("%s: ours %s on %s:%d: %v", l.set, name, c.file, c.lineno, err)
					continue
				}
				compared++
				if c.name == name && rr != nil {
					refMatched[i] = true
				}
				if rr != nil && !c.variant {
					hit = true
				}
				if !rr.equal(or) {
					t.Errorf("%s: %s differs on %s:%d %q\n\treference:%s\n\tours:%s",
						l.set, name, c.file, c.lineno, c.text, rr, or)
				}
			}
			if !hit {
				unmatched = append(unmatched, name)
			}
		}
		sort.Strings(unmatched)
		if len(unmatched) > 0 {
			t.Errorf("%s: the reference matches no corpus line for: %s", l.set, strings.Join(unmatched, " "))
		}
		t.Logf("%s: %d patterns compared on %d (pattern, line) pairs; %d without a matching line: %s",
			l.set, checked, compared, len(unmatched), strings.Join(unmatched, " "))
	}
	for i, c := range corpus {
		if c.name == "*" || c.variant {
			continue
		}
		found := false
		for _, l := range sets {
			if _, ok := l.ref.defs[c.name]; ok {
				found = true
			}
		}
		if !found {
			t.Errorf("%s:%d: unknown pattern %s", c.file, c.lineno, c.name)
			continue
		}
		// Marks are only checked for lines whose group is done in some set.
		doneSomewhere := false
		for _, l := range sets {
			if g, ok := l.ref.group[c.name]; ok {
				if _, ok := l.ours.group[c.name]; ok && g != "" {
					doneSomewhere = true
				}
			}
		}
		if !doneSomewhere {
			continue
		}
		if c.negative && refMatched[i] {
			t.Errorf("%s:%d: %s must not match but the reference matches %q", c.file, c.lineno, c.name, c.text)
		}
		if !c.negative && !refMatched[i] {
			t.Errorf("%s:%d: %s must match but the reference does not match %q", c.file, c.lineno, c.name, c.text)
		}
	}
	t.Logf("corpus: %d lines, %d derived variants", nlines, len(corpus)-nlines)
}
