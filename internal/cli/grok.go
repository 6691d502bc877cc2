package cli

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/filters/grok"
)

const grokUsage = `Usage:
  pipe grok [options] 'PATTERN' [LINE ...]

Matches each LINE (or each line of standard input when none is given)
against a grok PATTERN with pipe's pattern library, and prints the event
the grok filter makes, in rubydebug. For a line that does not match, it
says how much of the pattern matched and where the line stops following it.

Options:
`

// prefixField is the capture the diagnosis wraps around a pattern prefix.
const prefixField = "pipe_grok_prefix"

// runGrok is the `pipe grok` subcommand.
func runGrok(env *Env, args []string) int {
	fs := flag.NewFlagSet("pipe grok", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	ecs := fs.String("ecs_compatibility", "v8", "pattern set: disabled (legacy) or v1/v8 (ecs-v1)")
	var defs stringList
	fs.Var(&defs, "pattern_definition", "extra pattern NAME=REGEX (repeatable)")
	fs.Usage = func() {
		fmt.Fprint(env.Stderr, grokUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return exitUsage
	}
	pattern := fs.Arg(0)
	var kvs []pipeline.KV
	for _, d := range defs {
		name, re, ok := strings.Cut(d, "=")
		if !ok || name == "" {
			fmt.Fprintf(env.Stderr, "pipe grok: -pattern_definition %q: write NAME=REGEX\n", d)
			return exitUsage
		}
		kvs = append(kvs, pipeline.KV{Key: name, Value: re})
	}
	g := &grokTester{env: env, ecs: *ecs, defs: kvs}
	f, err := g.filter(pattern)
	if err != nil {
		fmt.Fprintf(env.Stderr, "pipe grok: %v\n", err)
		return exitConfig
	}
	codec, err := env.Registry.BuildCodec("rubydebug", nil, pipeline.Deps{IsTerminal: env.StdoutTTY, Metrics: &pipeline.Metrics{}})
	if err != nil {
		fmt.Fprintf(env.Stderr, "pipe grok: %v\n", err)
		return exitConfig
	}
	lines := fs.Args()[1:]
	failed := 0
	each := func(n int, line string) {
		e := pipeline.NewMessageEvent(line)
		if f.Filter(e) != pipeline.FilterMatched {
			failed++
			fmt.Fprintf(env.Stdout, "line %d: no match\n", n)
			g.diagnose(pattern, line)
		} else {
			fmt.Fprintf(env.Stdout, "line %d: match\n", n)
		}
		_, _ = env.Stdout.Write(codec.Encode(nil, e))
	}
	if len(lines) > 0 {
		for i, l := range lines {
			each(i+1, l)
		}
	} else {
		sc := bufio.NewScanner(env.Stdin)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		n := 0
		for sc.Scan() {
			n++
			each(n, strings.TrimSuffix(sc.Text(), "\r"))
		}
		if err := sc.Err(); err != nil && err != io.EOF {
			fmt.Fprintf(env.Stderr, "pipe grok: read stdin: %v\n", err)
			return exitConfig
		}
	}
	if failed > 0 {
		return exitConfig
	}
	return exitOK
}

type grokTester struct {
	env  *Env
	ecs  string
	defs []pipeline.KV
}

// filter builds a grok filter matching message against pattern.
func (g *grokTester) filter(pattern string) (pipeline.Filter, error) {
	p, ok := g.env.Registry.Lookup(pipeline.KindFilter, "grok")
	if !ok {
		return nil, fmt.Errorf("this build has no grok filter")
	}
	cfg := p.NewConfig().(*grok.Config)
	cfg.Match = []pipeline.KV{{Key: "message", Value: pattern}}
	cfg.ECSCompatibility = g.ecs
	cfg.PatternDefinitions = g.defs
	cfg.TimeoutMillis = 5000
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	f, err := p.Build(cfg, pipeline.Deps{ID: "grok", Metrics: &pipeline.Metrics{}, Settings: pipeline.Settings{}.WithDefaults(),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	return f.(pipeline.Filter), nil
}

// diagnose finds the longest prefix of the pattern (cut between its
// top-level elements) that matches somewhere in the line, and prints what
// it matched and what the pattern expects next.
func (g *grokTester) diagnose(pattern, line string) {
	out := g.env.Stdout
	elems, ok := splitPattern(pattern)
	if !ok {
		fmt.Fprintln(out, "  (the pattern has alternatives at its top level: no prefix analysis)")
		return
	}
	ref := pipeline.MustFieldRef(prefixField)
	for k := len(elems) - 1; k >= 1; k-- {
		prefix := strings.Join(elems[:k], "")
		f, err := g.filter("(?<" + prefixField + ">" + prefix + ")")
		if err != nil {
			continue
		}
		e := pipeline.NewMessageEvent(line)
		if f.Filter(e) != pipeline.FilterMatched {
			continue
		}
		got, _ := e.GetString(ref)
		at := strings.Index(line, got)
		end := at + len(got)
		fmt.Fprintf(out, "  the pattern matches up to:  %s\n", prefix)
		fmt.Fprintf(out, "  which matches the line:     %q (columns %d-%d)\n", got, at+1, end)
		fmt.Fprintf(out, "  then the pattern expects:   %s\n", elems[k])
		fmt.Fprintf(out, "  where the line has:         %q\n", clip(line[end:], 60))
		return
	}
	fmt.Fprintf(out, "  not even the pattern's first element matches: %s\n", elems[0])
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// splitPattern cuts a grok pattern into its top-level elements: %{...}
// references, groups, character classes, escapes and single characters,
// each with its quantifier. ok is false when the pattern has a top-level
// alternation, where prefixes mean nothing.
func splitPattern(p string) ([]string, bool) {
	var elems []string
	i := 0
	for i < len(p) {
		start := i
		switch {
		case strings.HasPrefix(p[i:], "%{"):
			end := strings.IndexByte(p[i:], '}')
			if end < 0 {
				i = len(p)
			} else {
				i += end + 1
			}
		case p[i] == '\\':
			i = min(i+2, len(p))
		case p[i] == '(':
			i = skipGroup(p, i)
		case p[i] == '[':
			i = skipClass(p, i)
		case p[i] == '|':
			return nil, false
		default:
			i++
		}
		i = skipQuantifier(p, i)
		elems = append(elems, p[start:i])
	}
	return elems, len(elems) > 0
}

func skipGroup(p string, i int) int {
	depth := 0
	for i < len(p) {
		switch p[i] {
		case '\\':
			i++
		case '[':
			i = skipClass(p, i) - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return len(p)
}

func skipClass(p string, i int) int {
	i++ // '['
	if i < len(p) && p[i] == '^' {
		i++
	}
	if i < len(p) && p[i] == ']' {
		i++
	}
	for i < len(p) {
		switch p[i] {
		case '\\':
			i++
		case '[':
			if i+1 < len(p) && p[i+1] == ':' {
				if end := strings.Index(p[i:], ":]"); end >= 0 {
					i += end + 1
				}
			}
		case ']':
			return i + 1
		}
		i++
	}
	return len(p)
}

func skipQuantifier(p string, i int) int {
	if i >= len(p) {
		return i
	}
	switch p[i] {
	case '*', '+', '?':
		i++
	case '{':
		end := strings.IndexByte(p[i:], '}')
		if end < 0 {
			return i
		}
		inner := p[i+1 : i+end]
		if inner == "" || strings.Trim(inner, "0123456789,") != "" {
			return i
		}
		i += end + 1
	default:
		return i
	}
	if i < len(p) && (p[i] == '?' || p[i] == '+') {
		i++
	}
	return i
}
