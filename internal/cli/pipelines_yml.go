package cli

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agext/levenshtein"
	"go.yaml.in/yaml/v3"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/pipeline/dlq"
)

// ymlPipeline is one entry of pipelines.yml, checked.
type ymlPipeline struct {
	// ID is pipeline.id.
	ID string
	// Line and Column are where the entry starts in pipelines.yml.
	Line, Column int
	// PathConfig is path.config ("" when config.string is given);
	// PathAt is where its value is.
	PathConfig string
	PathAt     ymlPos
	// ConfigString is config.string; HasString says it was given.
	ConfigString string
	HasString    bool
	// Overrides are the pipeline's own settings.
	Overrides settingsOverrides
}

// ymlPos is a place in pipelines.yml.
type ymlPos struct{ Line, Column, EndColumn int }

// settingsOverrides are the settings a pipelines.yml entry gives; nil means
// not given (the command-line flags or the defaults apply).
type settingsOverrides struct {
	Workers, BatchSize, BatchDelay *int
	ECSCompatibility               *string
	DLQEnable                      *bool
	DLQPath, DLQStoragePolicy      *string
	DLQMaxBytes                    *int64
	DLQFlushInterval               *int
}

// apply sets the given settings on s.
func (o *settingsOverrides) apply(s *pipeline.Settings) {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.Workers, o.Workers)
	set(&s.BatchSize, o.BatchSize)
	set(&s.BatchDelayMillis, o.BatchDelay)
	set(&s.DeadLetterQueue.FlushIntervalMillis, o.DLQFlushInterval)
	if o.ECSCompatibility != nil {
		s.ECSCompatibility = *o.ECSCompatibility
	}
	if o.DLQEnable != nil {
		s.DeadLetterQueue.Enable = *o.DLQEnable
	}
	if o.DLQPath != nil {
		s.DeadLetterQueue.Path = *o.DLQPath
	}
	if o.DLQStoragePolicy != nil {
		s.DeadLetterQueue.StoragePolicy = *o.DLQStoragePolicy
	}
	if o.DLQMaxBytes != nil {
		s.DeadLetterQueue.MaxBytes = *o.DLQMaxBytes
	}
}

// supportedKeys are the pipelines.yml settings pipe applies.
func supportedKeys() []string {
	return []string{
		"pipeline.id", "path.config", "config.string",
		"pipeline.workers", "pipeline.batch.size", "pipeline.batch.delay", "pipeline.ecs_compatibility",
		"dead_letter_queue.enable", "dead_letter_queue.max_bytes", "dead_letter_queue.storage_policy",
		"dead_letter_queue.flush_interval", "path.dead_letter_queue",
	}
}

// logstashOnlyKeys are the other per-pipeline settings Logstash accepts in
// pipelines.yml (its pipeline settings white list), which pipe does not
// implement.
func logstashOnlyKeys() []string {
	return []string{
		"config.debug", "config.support_escapes", "config.reload.automatic", "config.reload.interval",
		"dead_letter_queue.retain.age", "metric.collect", "pipeline.plugin_classloaders", "pipeline.java_execution",
		"path.queue", "pipeline.batch.metrics.sampling_mode", "pipeline.reloadable", "pipeline.system",
		"pipeline.ordered", "queue.checkpoint.acks", "queue.checkpoint.interval",
		"queue.checkpoint.writes", "queue.checkpoint.retry", "queue.drain", "queue.max_bytes",
		"queue.max_events", "queue.page_capacity", "queue.type",
	}
}

// envRef matches ${NAME} and ${NAME:default}, Logstash's substitution in
// pipelines.yml values.
var envRef = regexp.MustCompile(`\$\{(\w+)(?::([^}]*))?\}`)

// ymlParser checks one pipelines.yml.
type ymlParser struct {
	file  string
	data  []byte
	env   map[string]string
	diags conf.Diagnostics
}

// parsePipelinesYML reads pipelines.yml: a list of pipelines, each a map of
// settings written with dotted keys (pipeline.id: main) or nested
// (pipeline: {id: main}). Values may hold ${VAR} and ${VAR:default}. The
// entries are returned with the diagnostics; an entry with an error is
// left out.
func parsePipelinesYML(file string, data []byte, env map[string]string) ([]ymlPipeline, conf.Diagnostics) {
	p := &ymlParser{file: file, env: env, data: data}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.syntaxError(err)
		return nil, p.diags
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		p.diags = append(p.diags, conf.Diagnostic{File: file, Line: 1, Column: 1, Summary: "Empty pipelines.yml",
			Detail: "List the pipelines: - pipeline.id: main, followed by path.config or config.string."})
		return nil, p.diags
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.SequenceNode {
		p.errorAt(root, "Not a list of pipelines",
			fmt.Sprintf("pipelines.yml holds a list (one \"- pipeline.id: ...\" entry per pipeline), not %s.", kindName(root)))
		return nil, p.diags
	}
	if len(root.Content) == 0 {
		p.errorAt(root, "No pipelines in pipelines.yml",
			"The list is empty: add an entry such as - pipeline.id: main, followed by path.config or config.string.")
		return nil, p.diags
	}
	var out []ymlPipeline
	ids := map[string]*yaml.Node{}
	for _, item := range root.Content {
		yp, ok := p.entry(resolve(item))
		if !ok {
			continue
		}
		if first, dup := ids[yp.ID]; dup {
			p.errorAt(yp.idNode, fmt.Sprintf("Duplicate pipeline.id %q", yp.ID),
				fmt.Sprintf("The pipeline at line %d has this id already; each pipeline needs its own.", first.Line))
			continue
		}
		ids[yp.ID] = yp.idNode
		out = append(out, yp.ymlPipeline)
	}
	return out, p.diags
}

// entryResult is a checked entry and the node of its id.
type entryResult struct {
	ymlPipeline
	idNode *yaml.Node
}

// setting is one flattened key of an entry.
type setting struct {
	key       string
	keyNode   *yaml.Node
	value     *yaml.Node
	valueText string // after ${VAR} substitution, for scalars
}

// entry checks one list item.
func (p *ymlParser) entry(n *yaml.Node) (entryResult, bool) {
	res := entryResult{ymlPipeline: ymlPipeline{Line: n.Line, Column: n.Column}}
	if n.Kind != yaml.MappingNode {
		p.errorAt(n, "Not a pipeline",
			fmt.Sprintf("Each entry of the list is a map of settings (pipeline.id, path.config, ...), not %s.", kindName(n)))
		return res, false
	}
	var settings []setting
	seen := map[string]*yaml.Node{}
	errorsBefore := p.errorCount()
	p.flatten(n, "", &settings, seen, map[*yaml.Node]bool{})
	var pathNode, stringNode *yaml.Node
	for i := range settings {
		s := &settings[i]
		if !p.substitute(s) {
			continue
		}
		switch s.key {
		case "pipeline.id":
			if v, ok := p.str(s); ok {
				switch {
				case strings.TrimSpace(v) == "":
					p.errorAt(s.value, "Empty pipeline.id", "Give the pipeline a name.")
				case strings.ContainsAny(v, `/\`) || v == "." || v == "..":
					p.errorAt(s.value, fmt.Sprintf("Invalid pipeline.id %q", v),
						"The id names the pipeline's dead letter queue folder: it cannot hold / or \\, nor be . or ..")
				default:
					res.ID, res.idNode = v, s.keyNode
				}
			}
		case "path.config":
			if v, ok := p.str(s); ok {
				if v == "" {
					p.errorAt(s.value, "Empty path.config", "Give a file, a folder or a glob.")
				}
				res.PathConfig, pathNode = v, s.keyNode
				res.PathAt = posOf(s.value)
			}
		case "config.string":
			if v, ok := p.str(s); ok {
				res.ConfigString, res.HasString, stringNode = v, true, s.keyNode
			}
		case "pipeline.workers":
			res.Overrides.Workers = p.intAtLeast(s, 1)
		case "pipeline.batch.size":
			res.Overrides.BatchSize = p.intAtLeast(s, 1)
		case "pipeline.batch.delay":
			res.Overrides.BatchDelay = p.intAtLeast(s, 0)
		case "dead_letter_queue.flush_interval":
			res.Overrides.DLQFlushInterval = p.intAtLeast(s, 1)
		case "pipeline.ecs_compatibility":
			res.Overrides.ECSCompatibility = p.oneOf(s, "disabled", "v1", "v8")
		case "dead_letter_queue.storage_policy":
			res.Overrides.DLQStoragePolicy = p.oneOf(s, dlq.DropNewer, dlq.DropOlder)
		case "dead_letter_queue.enable":
			res.Overrides.DLQEnable = p.boolean(s)
		case "path.dead_letter_queue":
			if v, ok := p.str(s); ok {
				if v == "" {
					p.errorAt(s.value, "Empty path.dead_letter_queue", "Give a folder, or leave the setting out.")
				} else {
					res.Overrides.DLQPath = &v
				}
			}
		case "dead_letter_queue.max_bytes":
			if v, ok := p.str(s); ok {
				n, err := dlq.ParseBytes(v)
				switch {
				case err != nil:
					p.errorAt(s.value, "Invalid dead_letter_queue.max_bytes", fmt.Sprintf("%v.", err))
				case n < 1:
					p.errorAt(s.value, "Invalid dead_letter_queue.max_bytes", "max_bytes must be at least 1.")
				default:
					res.Overrides.DLQMaxBytes = &n
				}
			}
		default:
			p.logstashOnly(s)
		}
	}
	if _, ok := seen["pipeline.id"]; !ok {
		p.errorAt(n, "Missing pipeline.id", "Every pipeline needs an id: - pipeline.id: main")
	}
	switch {
	case pathNode != nil && stringNode != nil:
		p.errorAt(stringNode, "Both path.config and config.string",
			fmt.Sprintf("This pipeline gives path.config at line %d too; give one of them.", pathNode.Line))
	case seen["path.config"] == nil && seen["config.string"] == nil:
		p.errorAt(n, "No configuration for the pipeline",
			"Give path.config (a file, a folder or a glob) or config.string (the configuration itself).")
	}
	return res, p.errorCount() == errorsBefore
}

// flatten walks a mapping, joining nested keys with dots.
func (p *ymlParser) flatten(n *yaml.Node, prefix string, out *[]setting, seen map[string]*yaml.Node, onPath map[*yaml.Node]bool) {
	onPath[n] = true
	defer delete(onPath, n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.errorAt(k, "Invalid key", "Setting names are plain words such as pipeline.id.")
			continue
		}
		key := prefix + k.Value
		if v.Kind == yaml.MappingNode && !isLeaf(key) {
			if onPath[v] {
				p.errorAt(k, "Recursive alias", fmt.Sprintf("The value of %s is an alias of a map that contains it.", key))
				continue
			}
			p.flatten(v, key+".", out, seen, onPath)
			continue
		}
		if first, dup := seen[key]; dup {
			p.errorAt(k, fmt.Sprintf("Duplicate setting %s", key),
				fmt.Sprintf("This pipeline sets %s already at line %d.", key, first.Line))
			continue
		}
		seen[key] = k
		*out = append(*out, setting{key: key, keyNode: k, value: v})
	}
}

// isLeaf reports whether key is a setting (rather than a prefix of some).
func isLeaf(key string) bool {
	return slices.Contains(supportedKeys(), key) || slices.Contains(logstashOnlyKeys(), key)
}

// substitute replaces ${VAR} and ${VAR:default} in a scalar value, as
// Logstash does in pipelines.yml.
func (p *ymlParser) substitute(s *setting) bool {
	if s.value.Kind != yaml.ScalarNode {
		return true
	}
	s.valueText = s.value.Value
	if !strings.Contains(s.valueText, "${") {
		return true
	}
	ok := true
	s.valueText = envRef.ReplaceAllStringFunc(s.valueText, func(m string) string {
		sm := envRef.FindStringSubmatch(m)
		if v, set := p.env[sm[1]]; set {
			return v
		}
		if strings.Contains(m, ":") {
			return sm[2]
		}
		ok = false
		p.errorAt(s.value, fmt.Sprintf("Cannot evaluate ${%s}", sm[1]),
			fmt.Sprintf("The environment variable %s is not set; set it, or give a default: ${%s:default}.", sm[1], sm[1]))
		return m
	})
	return ok
}

// str returns a scalar value as text.
func (p *ymlParser) str(s *setting) (string, bool) {
	if s.value.Kind != yaml.ScalarNode || isNull(s.value) {
		p.errorAt(s.value, fmt.Sprintf("Invalid %s", s.key), fmt.Sprintf("%s takes a string, not %s.", s.key, kindName(s.value)))
		return "", false
	}
	return s.valueText, true
}

// intAtLeast reads a whole number (written as a number or a string, as
// Logstash coerces) no smaller than lo.
func (p *ymlParser) intAtLeast(s *setting, lo int) *int {
	v, ok := p.str(s)
	if !ok {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		p.errorAt(s.value, fmt.Sprintf("Invalid %s", s.key), fmt.Sprintf("%s takes a whole number, not %q.", s.key, v))
		return nil
	}
	if n < lo {
		p.errorAt(s.value, fmt.Sprintf("Invalid %s", s.key), fmt.Sprintf("%s must be at least %d, not %d.", s.key, lo, n))
		return nil
	}
	return &n
}

// oneOf reads a string that must be one of the choices.
func (p *ymlParser) oneOf(s *setting, choices ...string) *string {
	v, ok := p.str(s)
	if !ok {
		return nil
	}
	if !slices.Contains(choices, v) {
		detail := fmt.Sprintf("Use %s.", quoteList(choices))
		if sg := suggest(v, choices); sg != "" {
			detail = fmt.Sprintf("Did you mean %q? %s", sg, detail)
		}
		p.errorAt(s.value, fmt.Sprintf("Invalid %s %q", s.key, v), detail)
		return nil
	}
	return &v
}

// boolean reads true or false (or the strings "true" and "false", as
// Logstash coerces).
func (p *ymlParser) boolean(s *setting) *bool {
	v, ok := p.str(s)
	if !ok {
		return nil
	}
	switch v {
	case "true":
		b := true
		return &b
	case "false":
		b := false
		return &b
	}
	p.errorAt(s.value, fmt.Sprintf("Invalid %s", s.key), fmt.Sprintf("%s takes true or false, not %q.", s.key, v))
	return nil
}

// logstashOnly reports a setting pipe does not apply: an error where
// ignoring it would change what happens to the events, a warning where it
// only changes how Logstash is run, and "Unknown setting" (with the closest
// name) for a name Logstash does not know either.
func (p *ymlParser) logstashOnly(s *setting) {
	v := s.valueText
	switch s.key {
	case "queue.type":
		if v == "memory" {
			return
		}
		p.errorAt(s.value, fmt.Sprintf("Unsupported queue.type %q", v),
			"pipe has only the memory queue (bounded; events in flight are lost on a crash, as with Logstash's memory queue). Remove queue.type or set it to memory.")
		return
	case "config.support_escapes":
		if v == "false" {
			return
		}
		p.errorAt(s.keyNode, "Unsupported setting config.support_escapes",
			"pipe does not interpret escapes such as \\n in strings of a Logstash config; remove the setting.")
		return
	case "config.reload.automatic":
		if v == "false" {
			return
		}
		p.warnAt(s.keyNode, "Unsupported setting config.reload.automatic",
			"pipe does not reload its configuration; restart pipe to apply a change. The setting is ignored.")
		return
	case "pipeline.ordered":
		if v == "auto" || v == "false" {
			return
		}
		p.warnAt(s.keyNode, "Unsupported setting pipeline.ordered",
			"pipe keeps the order of events only with pipeline.workers: 1 (as Logstash's auto). The setting is ignored.")
		return
	}
	if slices.Contains(logstashOnlyKeys(), s.key) {
		what := "pipe does not support this Logstash setting"
		if strings.HasPrefix(s.key, "queue.") || s.key == "path.queue" {
			what = "pipe has no persisted queue, so the queue settings do not apply"
		}
		p.warnAt(s.keyNode, fmt.Sprintf("Unsupported setting %s", s.key), what+"; it is ignored.")
		return
	}
	detail := "pipe applies " + strings.Join(supportedKeys(), ", ") + "."
	if sg := suggest(s.key, append(supportedKeys(), logstashOnlyKeys()...)); sg != "" {
		detail = fmt.Sprintf("Did you mean %q? %s", sg, detail)
	}
	p.errorAt(s.keyNode, fmt.Sprintf("Unknown setting %q", s.key), detail)
}

// syntaxError turns a YAML parse error into a diagnostic at its line.
func (p *ymlParser) syntaxError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	d := conf.Diagnostic{File: p.file, Summary: "Invalid YAML"}
	if m := regexp.MustCompile(`^line (\d+): (.*)$`).FindStringSubmatch(msg); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		d.Column = 1
		msg = m[2]
	}
	if d.Line == 0 {
		d.Line, d.Column = firstBadByte(p.data)
	}
	d.Detail = msg
	p.diags = append(p.diags, d)
}

// firstBadByte returns the line and column of the first byte YAML refuses
// (invalid UTF-8 or a control character other than tab and line ends), or
// 1:1 when there is none: a syntax error always has a position.
func firstBadByte(data []byte) (line, col int) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if (r == utf8.RuneError && size == 1) || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 1, 1
}

func (p *ymlParser) errorAt(n *yaml.Node, summary, detail string) {
	p.add(conf.SeverityError, n, summary, detail)
}

func (p *ymlParser) warnAt(n *yaml.Node, summary, detail string) {
	p.add(conf.SeverityWarning, n, summary, detail)
}

func (p *ymlParser) add(sev conf.Severity, n *yaml.Node, summary, detail string) {
	pos := posOf(n)
	p.diags = append(p.diags, conf.Diagnostic{Severity: sev, File: p.file, Line: pos.Line, Column: pos.Column,
		EndLine: pos.Line, EndColumn: pos.EndColumn, Summary: summary, Detail: detail})
}

func (p *ymlParser) errorCount() int {
	n := 0
	for _, d := range p.diags {
		if d.Severity == conf.SeverityError {
			n++
		}
	}
	return n
}

// posOf returns where a node starts, and where a one-line plain scalar ends.
func posOf(n *yaml.Node) ymlPos {
	pos := ymlPos{Line: n.Line, Column: n.Column, EndColumn: n.Column + 1}
	if n.Kind == yaml.ScalarNode && n.Style == 0 && !strings.Contains(n.Value, "\n") {
		pos.EndColumn = n.Column + max(1, utf8.RuneCountInString(n.Value))
	}
	return pos
}

// resolve follows an alias (*name) to its anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// kindName names a node's kind for messages.
func kindName(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a map"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "an empty value"
	}
	return fmt.Sprintf("%q", n.Value)
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// suggest returns the name closest to given (edit distance below 3), or ""
// (as conf does for plugin options).
func suggest(given string, names []string) string {
	best, bestDist := "", 3
	for _, o := range names {
		if d := levenshtein.Distance(given, o, nil); d < bestDist {
			best, bestDist = o, d
		}
	}
	return best
}
