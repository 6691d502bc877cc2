package conf

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/pipeproject/pipe/pipeline"
)

// Options tune Load.
type Options struct {
	// Env is the environment for env.NAME and env("NAME", "default") (the
	// CLI passes the process environment).
	Env map[string]string
	// DefaultIO is -e: with no input section an stdin {} input is added,
	// with no output section an stdout {} output, as Logstash -e does.
	DefaultIO bool
}

// sectionNames are the blocks allowed at the top level.
var sectionNames = []string{"pipeline", "input", "filter", "output"}

// commonOptions are the options every plugin of a kind takes besides its
// own (Logstash's names); codec is handled apart.
var commonOptions = [...][]string{
	pipeline.KindInput:  {"id", "enable_metric", "type", "tags", "add_field"},
	pipeline.KindFilter: {"id", "enable_metric", "add_field", "add_tag", "remove_field", "remove_tag", "periodic_flush"},
	pipeline.KindOutput: {"id", "enable_metric"},
	pipeline.KindCodec:  nil,
}

// loader holds the state of one Load.
type loader struct {
	reg        *pipeline.Registry
	opts       Options
	ctx        *hcl.EvalContext
	files      map[string]*srcFile // by the file name given to hclsyntax
	diags      Diagnostics
	spec       pipeline.Spec
	settingsAt *hcl.Range
	counts     map[string]int // blocks seen per plugin name, for default ids
	ids        []idUse
	schemas    map[schemaKey]*pluginSchema
	sawInput   bool
	sawOutput  bool
	ls         map[string]*lsSource // the .conf sources, by file key (logstash_lower.go)
}

// idUse is the id of one plugin block, for the uniqueness check.
type idUse struct {
	id       string
	explicit bool
	rng      hcl.Range // the id value, or the block header for a default id
	header   hcl.Range
	what     string // "json filter"
}

// Load parses, checks and decodes the sources into a pipeline.Spec. The
// sources are one pipeline: their sections are concatenated in order. Load
// never touches the network or the filesystem. The spec is nil exactly when
// the diagnostics hold an error; the diagnostics are sorted by position.
func Load(srcs []Source, reg *pipeline.Registry, opts Options) (*pipeline.Spec, Diagnostics) {
	l := &loader{
		reg:     reg,
		opts:    opts,
		ctx:     evalContext(opts.Env),
		files:   make(map[string]*srcFile, len(srcs)),
		counts:  map[string]int{},
		schemas: map[schemaKey]*pluginSchema{},
	}
	l.spec.Settings.BatchDelayMillis = pipeline.BatchDelayUnset
	bodies := make([]*hclsyntax.Body, 0, len(srcs))
	for i, s := range srcs {
		key := s.Name
		if _, dup := l.files[key]; dup {
			key = fmt.Sprintf("%s\x00%d", s.Name, i)
		}
		if IsLogstash(s) {
			if body := l.logstash(key, s); body != nil {
				bodies = append(bodies, body)
			}
			continue
		}
		f := newSrcFile(s.Name, s.Data)
		l.files[key] = f
		file, diags := hclsyntax.ParseConfig(f.text, key, hcl.InitialPos)
		if diags.HasErrors() {
			// Only the first syntax error: hclsyntax's recovery reports
			// the text after it as more errors (an unterminated string
			// makes every following line one), and the rest of the checks
			// would only repeat them.
			l.addHCL(firstError(diags))
			continue
		}
		l.addHCL(diags)
		bodies = append(bodies, file.Body.(*hclsyntax.Body))
	}
	for _, b := range bodies {
		l.top(b)
	}
	if opts.DefaultIO {
		if !l.sawInput {
			if ps := l.defaultPlugin(pipeline.KindInput, "stdin"); ps != nil {
				l.spec.Inputs = append(l.spec.Inputs, ps)
			}
		}
		if !l.sawOutput {
			if ps := l.defaultPlugin(pipeline.KindOutput, "stdout"); ps != nil {
				l.spec.Outputs = append(l.spec.Outputs, ps)
			}
		}
	}
	l.checkIDs()
	diags := l.diags.sorted()
	diags = slices.Compact(diags)
	if diags.HasErrors() {
		return nil, diags
	}
	return &l.spec, diags
}

// firstError returns the syntax error that comes first in the text.
func firstError(diags hcl.Diagnostics) hcl.Diagnostics {
	var first *hcl.Diagnostic
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if first == nil || d.Subject != nil && (first.Subject == nil || d.Subject.Start.Byte < first.Subject.Start.Byte) {
			first = d
		}
	}
	return hcl.Diagnostics{first}
}

// top walks a file's top level.
func (l *loader) top(body *hclsyntax.Body) {
	for _, a := range sortedAttrs(body.Attributes) {
		l.errorf(a.NameRange, fmt.Sprintf("Unexpected argument %q", a.Name),
			"The top level holds only the pipeline, input, filter and output blocks; settings go inside pipeline { }.")
	}
	for _, b := range body.Blocks {
		if b.Type != "pipeline" && b.Type != "input" && b.Type != "filter" && b.Type != "output" {
			l.unknownSection(b)
			continue
		}
		if len(b.Labels) > 0 {
			l.errorf(b.LabelRanges[0], "Unexpected label", fmt.Sprintf("The %s block takes no label: write %s { ... }.", b.Type, b.Type))
		}
		switch b.Type {
		case "pipeline":
			l.settings(b)
		case "input":
			l.sawInput = true
			for _, n := range l.nodes(b.Body, pipeline.KindInput) {
				if ps, ok := n.(*pipeline.PluginSpec); ok {
					l.spec.Inputs = append(l.spec.Inputs, ps)
				}
			}
		case "filter":
			l.spec.Filters = append(l.spec.Filters, l.nodes(b.Body, pipeline.KindFilter)...)
		case "output":
			l.sawOutput = true
			l.spec.Outputs = append(l.spec.Outputs, l.nodes(b.Body, pipeline.KindOutput)...)
		}
	}
}

func (l *loader) unknownSection(b *hclsyntax.Block) {
	var detail strings.Builder
	if s := suggest(b.Type, sectionNames); s != "" {
		fmt.Fprintf(&detail, "Did you mean %q? ", s)
	} else if k, ok := l.kindOf(b.Type, -1); ok && k != pipeline.KindCodec {
		fmt.Fprintf(&detail, "%s is %s %s plugin: put it inside an %s { } block. ", b.Type, article(k), k, k)
	}
	detail.WriteString("The top level holds only the pipeline, input, filter and output blocks.")
	l.errorf(b.TypeRange, fmt.Sprintf("Unknown section %q", b.Type), detail.String())
}

// nodes walks the body of a section or of a conditional branch.
func (l *loader) nodes(body *hclsyntax.Body, kind pipeline.Kind) []pipeline.Node {
	for _, a := range sortedAttrs(body.Attributes) {
		l.errorf(a.NameRange, fmt.Sprintf("Unexpected argument %q", a.Name),
			fmt.Sprintf("The %s section holds plugin blocks; options go inside a plugin block.", kind))
	}
	var out []pipeline.Node
	var chain *pipeline.If // the if chain an else may continue
	var elseAt *hcl.Range  // the final else of chain
	for _, b := range body.Blocks {
		if (b.Type == "if" || b.Type == "else") && kind == pipeline.KindInput {
			l.errorf(b.TypeRange, "Conditional in the input section",
				"Inputs cannot be conditional (as in Logstash): test [type] or [tags] in the filter or output section instead.")
			chain = nil
			continue
		}
		switch b.Type {
		case "if":
			n := &pipeline.If{Pos: l.pos(b.TypeRange)}
			var cond *pipeline.Condition
			switch {
			case len(b.Labels) == 0:
				l.errorf(b.OpenBraceRange, "Missing condition", `Write the condition in quotes after if: if "[status] >= 500" { ... }.`)
			case len(b.Labels) > 1:
				l.errorf(b.LabelRanges[1], "Unexpected label", `An if block takes one label, its condition in quotes: if "[status] >= 500" { ... }.`)
			default:
				cond = l.condition(b, 0)
			}
			n.Branches = []pipeline.Branch{{Cond: cond, Body: l.nodes(b.Body, kind)}}
			out = append(out, n)
			chain, elseAt = n, nil
		case "else":
			elseIf := len(b.Labels) > 0 && b.Labels[0] == "if"
			what := `"else"`
			if elseIf {
				what = `"else if"`
			}
			if chain == nil {
				l.errorf(b.TypeRange, what+` without "if"`,
					"An else or else if block must come right after the closing brace of an if or else if block.")
				l.nodes(b.Body, kind)
				continue
			}
			if elseAt != nil {
				line, _ := l.lineCol(*elseAt)
				l.errorf(b.TypeRange, what+` after "else"`,
					fmt.Sprintf("The chain already ended with the else on line %d; the final else comes last, after every else if.", line))
				l.nodes(b.Body, kind)
				continue
			}
			switch {
			case len(b.Labels) == 0:
				chain.Else = l.nodes(b.Body, kind)
				r := b.TypeRange
				elseAt = &r
			case elseIf && len(b.Labels) == 2:
				cond := l.condition(b, 1)
				chain.Branches = append(chain.Branches, pipeline.Branch{Cond: cond, Body: l.nodes(b.Body, kind)})
			case elseIf && len(b.Labels) == 1:
				l.errorf(b.OpenBraceRange, "Missing condition", `Write the condition in quotes after else if: else if "[status] >= 500" { ... }.`)
				l.nodes(b.Body, kind)
			case elseIf:
				l.errorf(b.LabelRanges[2], "Unexpected label", `An else if block takes one condition in quotes: else if "[status] >= 500" { ... }.`)
				l.nodes(b.Body, kind)
			default:
				l.errorf(b.LabelRanges[0], "Invalid else", `Write else { ... } or else if "<condition>" { ... }.`)
				l.nodes(b.Body, kind)
			}
		default:
			chain, elseAt = nil, nil
			if ps := l.plugin(b, kind); ps != nil {
				out = append(out, ps)
			}
		}
	}
	return out
}

// condition compiles the condition in label idx of b.
func (l *loader) condition(b *hclsyntax.Block, idx int) *pipeline.Condition {
	c, err := pipeline.ParseCondition(b.Labels[idx])
	if err == nil {
		return c
	}
	var ce *pipeline.ConditionError
	if errors.As(err, &ce) {
		l.errorInString(b.LabelRanges[idx], true, ce.Offset, "Invalid condition", ce.Message)
	} else {
		l.errorf(b.LabelRanges[idx], "Invalid condition", err.Error())
	}
	return nil
}

// plugin decodes a plugin block of a section.
func (l *loader) plugin(b *hclsyntax.Block, kind pipeline.Kind) *pipeline.PluginSpec {
	p, ok := l.reg.Lookup(kind, b.Type)
	if !ok {
		l.unknownPlugin(b.Type, b.TypeRange, kind)
		return nil
	}
	if len(b.Labels) > 0 {
		l.errorf(b.LabelRanges[0], "Unexpected label", fmt.Sprintf("A plugin block takes no label: write %s { ... }.", b.Type))
	}
	l.counts[b.Type]++
	what := b.Type + " " + kind.String()
	id := idUse{id: fmt.Sprintf("%s_%d", b.Type, l.counts[b.Type]), rng: b.TypeRange, header: b.TypeRange, what: what}
	ps := &pipeline.PluginSpec{Plugin: p, Pos: l.pos(b.TypeRange), Common: pipeline.Common{EnableMetric: true}}

	body := b.Body
	var codecAttr *hclsyntax.Attribute
	var codecBlocks []*hclsyntax.Block
	if kind == pipeline.KindInput || kind == pipeline.KindOutput {
		codecAttr, codecBlocks, body = splitCodec(body)
	}
	cfg, content := l.decodeConfig(body, p, what, b.TypeRange)
	ps.Config = cfg
	l.common(&ps.Common, content, l.schema(p).common, &id)
	if kind == pipeline.KindInput || kind == pipeline.KindOutput {
		ps.Codec = l.codec(p, b, codecAttr, codecBlocks)
	}
	ps.Common.ID = id.id
	l.ids = append(l.ids, id)
	return ps
}

// splitCodec separates the codec attribute and blocks from a body.
func splitCodec(body *hclsyntax.Body) (*hclsyntax.Attribute, []*hclsyntax.Block, *hclsyntax.Body) {
	attr := body.Attributes["codec"]
	var codecs []*hclsyntax.Block
	for _, blk := range body.Blocks {
		if blk.Type == "codec" {
			codecs = append(codecs, blk)
		}
	}
	if attr == nil && codecs == nil {
		return nil, nil, body
	}
	rest := &hclsyntax.Body{Attributes: make(hclsyntax.Attributes, len(body.Attributes)), SrcRange: body.SrcRange, EndRange: body.EndRange}
	for name, a := range body.Attributes {
		if name != "codec" {
			rest.Attributes[name] = a
		}
	}
	for _, blk := range body.Blocks {
		if blk.Type != "codec" {
			rest.Blocks = append(rest.Blocks, blk)
		}
	}
	return attr, codecs, rest
}

func (l *loader) unknownPlugin(name string, rng hcl.Range, kind pipeline.Kind) {
	names := l.reg.Names(kind)
	var detail strings.Builder
	if s := suggest(name, names); s != "" {
		fmt.Fprintf(&detail, "Did you mean %q? ", s)
	} else if k, ok := l.kindOf(name, kind); ok {
		if k == pipeline.KindCodec {
			fmt.Fprintf(&detail, "%s is a codec, set with codec = %q in an input or output. ", name, name)
		} else {
			fmt.Fprintf(&detail, "%s is %s %s plugin: move it to the %s section. ", name, article(k), k, k)
		}
	}
	if len(names) == 0 {
		fmt.Fprintf(&detail, "This build of pipe has no %s plugins.", kind)
	} else {
		fmt.Fprintf(&detail, "The %s plugins are: %s.", kind, strings.Join(names, ", "))
	}
	l.errorf(rng, fmt.Sprintf("Unknown %s plugin %q", kind, name), detail.String())
}

// kindOf finds a plugin of that name of another kind than not (inputs,
// filters and outputs before codecs).
func (l *loader) kindOf(name string, not pipeline.Kind) (pipeline.Kind, bool) {
	for _, k := range []pipeline.Kind{pipeline.KindInput, pipeline.KindFilter, pipeline.KindOutput, pipeline.KindCodec} {
		if _, ok := l.reg.Lookup(k, name); ok && k != not {
			return k, true
		}
	}
	return 0, false
}

func article(k pipeline.Kind) string {
	if k == pipeline.KindInput || k == pipeline.KindOutput {
		return "an"
	}
	return "a"
}

// codec resolves the codec of an input or output.
func (l *loader) codec(owner pipeline.Plugin, b *hclsyntax.Block, attr *hclsyntax.Attribute, blocks []*hclsyntax.Block) *pipeline.CodecSpec {
	switch {
	case attr != nil && len(blocks) > 0:
		line, _ := l.lineCol(attr.NameRange)
		l.errorf(blocks[0].TypeRange, "Duplicate codec",
			fmt.Sprintf("The codec is already set on line %d; give either codec = \"name\" or one codec \"name\" { ... } block.", line))
	case len(blocks) > 1:
		line, _ := l.lineCol(blocks[0].TypeRange)
		l.errorf(blocks[1].TypeRange, "Duplicate codec",
			fmt.Sprintf("The codec is already set on line %d; a plugin has one codec.", line))
	}
	switch {
	case attr != nil:
		var name string
		if !l.decode("codec", attr.Expr, &name) {
			return nil
		}
		cp, ok := l.reg.Lookup(pipeline.KindCodec, name)
		if !ok {
			l.unknownPlugin(name, attr.Expr.Range(), pipeline.KindCodec)
			return nil
		}
		cfg := newConfig(cp)
		if v, ok := cfg.(pipeline.Validator); ok {
			l.validate(v.Validate(), nil, attr.Expr.Range(), name+" codec")
		}
		return &pipeline.CodecSpec{Plugin: cp, Config: cfg}
	case len(blocks) > 0:
		cb := blocks[0]
		if len(cb.Labels) == 0 {
			l.errorf(cb.TypeRange, "Missing codec name", `Name the codec as the block's label: codec "line" { format = "%{message}" }.`)
			return nil
		}
		if len(cb.Labels) > 1 {
			l.errorf(cb.LabelRanges[1], "Unexpected label", `A codec block takes one label, the codec's name: codec "line" { ... }.`)
		}
		cp, ok := l.reg.Lookup(pipeline.KindCodec, cb.Labels[0])
		if !ok {
			l.unknownPlugin(cb.Labels[0], cb.LabelRanges[0], pipeline.KindCodec)
			return nil
		}
		cfg, _ := l.decodeConfig(cb.Body, cp, cp.Name+" codec", hcl.RangeBetween(cb.TypeRange, cb.LabelRanges[0]))
		return &pipeline.CodecSpec{Plugin: cp, Config: cfg}
	case owner.DefaultCodec != "":
		cp, ok := l.reg.Lookup(pipeline.KindCodec, owner.DefaultCodec)
		if !ok {
			l.errorf(b.TypeRange, "Unknown default codec",
				fmt.Sprintf("The default codec of %s, %q, is not in this build of pipe; set codec = \"...\" in the block.", owner.Name, owner.DefaultCodec))
			return nil
		}
		return &pipeline.CodecSpec{Plugin: cp, Config: newConfig(cp)}
	}
	return nil
}

func newConfig(p pipeline.Plugin) any {
	if p.NewConfig == nil {
		return nil
	}
	return p.NewConfig()
}

// defaultPlugin is the stdin input or stdout output that -e adds.
func (l *loader) defaultPlugin(kind pipeline.Kind, name string) *pipeline.PluginSpec {
	p, ok := l.reg.Lookup(kind, name)
	if !ok {
		l.diags = append(l.diags, Diagnostic{Summary: fmt.Sprintf("No %s section and no %s plugin", kind, name),
			Detail: fmt.Sprintf("With -e, a config without an %s section gets %s {}, which this build of pipe lacks; write the %s section.", kind, name, kind)})
		return nil
	}
	l.counts[name]++
	ps := &pipeline.PluginSpec{Plugin: p, Config: newConfig(p), Pos: "(default " + kind.String() + ")",
		Common: pipeline.Common{ID: fmt.Sprintf("%s_%d", name, l.counts[name]), EnableMetric: true}}
	if p.DefaultCodec != "" {
		if cp, ok := l.reg.Lookup(pipeline.KindCodec, p.DefaultCodec); ok {
			ps.Codec = &pipeline.CodecSpec{Plugin: cp, Config: newConfig(cp)}
		}
	}
	l.ids = append(l.ids, idUse{id: ps.Common.ID, what: name + " " + kind.String()})
	return ps
}

// checkIDs reports ids used twice.
func (l *loader) checkIDs() {
	first := make(map[string]int, len(l.ids))
	for i, u := range l.ids {
		j, dup := first[u.id]
		if !dup {
			first[u.id] = i
			continue
		}
		prev := l.ids[j]
		switch {
		case u.explicit:
			l.errorf(u.rng, "Duplicate id",
				fmt.Sprintf("The id %q is already used by the %s at %s; ids must be unique in the pipeline.", u.id, prev.what, l.pos(prev.header)))
		case prev.explicit:
			l.errorf(prev.rng, "Duplicate id",
				fmt.Sprintf("The id %q is also the default id of the %s at %s; choose another id.", u.id, u.what, l.pos(u.header)))
		}
	}
}

// settingsConfig is the pipeline block; pointers tell which were given.
type settingsConfig struct {
	ID               *string    `hcl:"id,optional"`
	Workers          *int       `hcl:"workers,optional"`
	BatchSize        *int       `hcl:"batch_size,optional"`
	BatchDelay       *int       `hcl:"batch_delay,optional"`
	QueueSize        *int       `hcl:"queue_size,optional"`
	ECSCompatibility *string    `hcl:"ecs_compatibility,optional"`
	DeadLetterQueue  *dlqConfig `hcl:"dead_letter_queue,block"` // conf/dlq.go
}

var ecsValues = []string{"disabled", "v1", "v8"}

func (l *loader) settings(b *hclsyntax.Block) {
	if l.settingsAt != nil {
		l.errorf(b.TypeRange, "Duplicate pipeline block",
			fmt.Sprintf("The pipeline block is already at %s; put every setting in that one block.", l.pos(*l.settingsAt)))
		return
	}
	r := b.TypeRange
	l.settingsAt = &r
	var c settingsConfig
	diags := gohcl.DecodeBody(b.Body, l.ctx, &c)
	failed := map[string]bool{}
	for _, d := range diags {
		for name, a := range b.Body.Attributes {
			if d.Subject != nil && a.Expr.Range().Overlaps(*d.Subject) {
				l.retype(d, name, a.Expr)
				failed[name] = true
			}
		}
	}
	l.dlqRetype(b, diags, failed)
	l.addHCL(dropFollowUps(diags))
	l.deadLetterQueue(b, c.DeadLetterQueue, failed)
	at := func(name string) hcl.Range { return b.Body.Attributes[name].Expr.Range() }
	s := &l.spec.Settings
	if c.ID != nil {
		if *c.ID == "" {
			l.errorf(at("id"), "Empty pipeline id", "Give the pipeline a name, or leave id out for \"main\".")
		}
		s.ID = *c.ID
	}
	positive := func(name string, v *int, min int, dst *int) {
		if v == nil || failed[name] {
			return
		}
		if *v < min {
			l.errorf(at(name), fmt.Sprintf("Invalid %s", name), fmt.Sprintf("%s must be at least %d, not %d.", name, min, *v))
			return
		}
		*dst = *v
	}
	positive("workers", c.Workers, 1, &s.Workers)
	positive("batch_size", c.BatchSize, 1, &s.BatchSize)
	positive("batch_delay", c.BatchDelay, 0, &s.BatchDelayMillis)
	positive("queue_size", c.QueueSize, 1, &s.QueueSize)
	if c.ECSCompatibility != nil && !failed["ecs_compatibility"] {
		v := *c.ECSCompatibility
		if slices.Contains(ecsValues, v) {
			s.ECSCompatibility = v
		} else {
			detail := `Use "disabled", "v1" or "v8".`
			if sg := suggest(v, ecsValues); sg != "" {
				detail = fmt.Sprintf("Did you mean %q? %s", sg, detail)
			}
			l.errorf(at("ecs_compatibility"), fmt.Sprintf("Invalid ecs_compatibility %q", v), detail)
		}
	}
}

// suggest returns the option closest to given (edit distance below 3), or "".
func suggest(given string, options []string) string {
	best, bestDist := "", 3
	for _, o := range options {
		if d := levenshtein.Distance(given, o, nil); d < bestDist {
			best, bestDist = o, d
		}
	}
	return best
}

func sortedAttrs(attrs hclsyntax.Attributes) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hclsyntax.Attribute) int { return a.SrcRange.Start.Byte - b.SrcRange.Start.Byte })
	return out
}

// Positions and diagnostics.

// file returns the source of a range.
func (l *loader) file(rng hcl.Range) *srcFile { return l.files[rng.Filename] }

// lineCol returns the user's line and column where rng starts.
func (l *loader) lineCol(rng hcl.Range) (int, int) {
	f := l.file(rng)
	if f == nil {
		return rng.Start.Line, rng.Start.Column
	}
	return f.lineCol(f.origOffset(rng.Start.Byte))
}

// pos formats where rng starts as "file:line:col".
func (l *loader) pos(rng hcl.Range) string {
	line, col := l.lineCol(rng)
	name := rng.Filename
	if f := l.file(rng); f != nil {
		name = f.name
	}
	return fmt.Sprintf("%s:%d:%d", name, line, col)
}

// diagAt builds a diagnostic over a range of the rewritten text.
func (l *loader) diagAt(rng hcl.Range, sev Severity, summary, detail string) Diagnostic {
	d := Diagnostic{Severity: sev, File: rng.Filename, Summary: summary, Detail: detail}
	f := l.file(rng)
	if f == nil {
		d.Line, d.Column = rng.Start.Line, rng.Start.Column
		d.EndLine, d.EndColumn = rng.End.Line, rng.End.Column
		return d
	}
	d.File = f.name
	d.Line, d.Column = f.lineCol(f.origOffset(rng.Start.Byte))
	d.EndLine, d.EndColumn = f.lineCol(f.origOffset(rng.End.Byte))
	return d
}

func (l *loader) errorf(rng hcl.Range, summary, detail string) {
	l.diags = append(l.diags, l.diagAt(rng, SeverityError, summary, detail))
}

// errorInString reports an error at byte off of the value of the string
// literal at rng (a quoted string, a bare identifier label or key); for
// anything else (a heredoc, a template with interpolations) at its start.
func (l *loader) errorInString(rng hcl.Range, literal bool, off int, summary, detail string) {
	f := l.file(rng)
	if f == nil {
		l.errorf(rng, summary, detail)
		return
	}
	start := f.origOffset(rng.Start.Byte)
	o := start
	if literal {
		if ls := l.ls[rng.Filename]; ls != nil {
			o = ls.valueOffset(start, off)
		} else {
			o = valueOffset(f.orig, start, off)
		}
	}
	d := Diagnostic{Severity: SeverityError, File: f.name, Summary: summary, Detail: detail}
	d.Line, d.Column = f.lineCol(o)
	d.EndLine, d.EndColumn = d.Line, d.Column+1
	l.diags = append(l.diags, d)
}

// valueOffset maps byte off of a string's value to its offset in the
// user's text, where the string is written from start: a quoted string
// (escapes as the preprocessor leaves them) or a bare word.
func valueOffset(src []byte, start, off int) int {
	if start >= len(src) || src[start] != '"' {
		return min(start+off, len(src))
	}
	i, v := start+1, 0
	for i < len(src) && v < off {
		c := src[i]
		switch {
		case c == '"' || c == '\n':
			return i
		case c == '\\':
			switch n := escapeLen(src[i:]); n {
			case 0: // kept as written: the backslash is part of the value
				v++
				i++
			case 2:
				v++
				i += 2
			default:
				var r rune
				for _, h := range src[i+2 : i+n] {
					r = r<<4 | rune(hexVal(h))
				}
				v += max(1, utf8.RuneLen(r))
				i += n
			}
		case c == '$' && i+2 < len(src) && src[i+1] == '$' && src[i+2] == '{':
			v += 2
			i += 3
		default:
			v++
			i++
		}
	}
	return i
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// addHCL converts hclsyntax/gohcl diagnostics, mapping their positions to
// the user's text and adding hints for Logstash habits.
func (l *loader) addHCL(diags hcl.Diagnostics) {
	for _, hd := range diags {
		rng := hd.Subject
		if rng == nil {
			rng = hd.Context
		}
		sev := SeverityError
		if hd.Severity == hcl.DiagWarning {
			sev = SeverityWarning
		}
		if rng == nil {
			l.diags = append(l.diags, Diagnostic{Severity: sev, Summary: hd.Summary, Detail: hd.Detail})
			continue
		}
		d := l.diagAt(*rng, sev, hd.Summary, hd.Detail)
		if f := l.file(*rng); f != nil && l.ls[rng.Filename] == nil {
			d.Detail += hint(f, f.origOffset(rng.Start.Byte), hd)
		}
		l.diags = append(l.diags, d)
	}
}

var (
	hashRocket   = regexp.MustCompile(`^(?:[\w-]+\s*)?=>`)
	unquotedCond = regexp.MustCompile(`^(?:if|else\s+if)\s+[^"\s{]`)
)

// hint returns advice for common mistakes of Logstash users, read from the
// user's text around a diagnostic at offset o.
func hint(f *srcFile, o int, hd *hcl.Diagnostic) string {
	src := f.orig
	line := src[f.lines[sort.SearchInts(f.lines, o+1)-1]:o]
	switch {
	case hd.Summary == "Unknown variable":
		return ` Environment variables are read as env.NAME, or env("NAME", "default").`
	case hd.Summary == "Unsupported attribute" && bytes.HasSuffix(bytes.TrimRight(line, " \t."), []byte("env")):
		return ` The environment has no such variable: set it, or give a default with env("NAME", "default").`
	}
	rest := src[o:]
	if end := bytes.IndexByte(rest, '\n'); end >= 0 {
		rest = rest[:end]
	}
	switch {
	case hashRocket.Match(rest) || o > 0 && src[o-1] == '=' && bytes.HasPrefix(rest, []byte(">")):
		return " HCL sets options with =, not Logstash's =>: write name = value."
	case unquotedCond.Match(rest):
		return ` Conditions are written in quotes: if "[status] >= 500" { ... }.`
	}
	return ""
}
