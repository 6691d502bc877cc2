package conf

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
)

// This file checks issue 8: running the HCL that Convert prints for a
// Logstash .conf gives byte-identical output to running the .conf itself on
// the same input. Every valid fixture is loaded twice through Load (as .conf,
// and as its conversion), both specs are built with the real engine
// (pipeline.New) and run on the same corpus of testdata/logstash/inputs, and
// what came out is compared byte for byte.
//
// What is swapped so that a run needs no network and is deterministic:
//
//   - stdin and generator inputs are the real plugins; stdin reads the
//     corpus file named after its id instead of the process's stdin.
//   - tcp and udp inputs are replaced by a feed that hands the corpus file
//     to the input's own codec, as a byte stream (tcp) or one datagram per
//     line (udp, empty lines skipped). The fields the socket inputs record
//     about the peer are not reproduced.
//   - a corpus file named extra.jsonl is fed, through a json_lines codec, by
//     an input added after the fixture's own, for fixtures whose filters read
//     fields their own inputs cannot carry (a generator, a plain stdin).
//   - inputs emit one after another in configuration order (the extra feed
//     last) and the pipeline has one worker, so event ids and order are the
//     same in both runs.
//   - an @timestamp that came from the clock (not earlier than the run's
//     start; the corpus only carries earlier dates) is set to a fixed instant
//     plus one second per event before the input's own decorations apply.
//   - every output plugin is replaced by a recorder with the same id and
//     codec that encodes each event it receives with that codec, so output
//     conditionals are evaluated by the engine as usual; an unconditional
//     recorder appended after the output section, and a filter inserted
//     before the filter section, record every event (json_lines, plus its
//     @metadata) as it leaves and enters the filters.
//
// The date filter reads the wall clock for the year of year-less patterns
// (syslog's "MMM dd HH:mm:ss"); its clock cannot be set from outside package
// date, so both runs use the current year: identical unless they straddle a
// new year.

// eqInputsDir holds one folder of input files per fixture.
const eqInputsDir = "testdata/logstash/inputs"

// eqExtraFeed is the corpus file of the added json_lines input.
const eqExtraFeed = "extra.jsonl"

// eqFrozenUnix is the @timestamp given to events whose time came from the
// clock (2025-03-09T14:00:00Z), in seconds since 1970.
const eqFrozenUnix = 1741528800

// TestConvertedRunsTheSame runs every valid fixture as .conf and as its
// conversion on the same input, and compares the outputs byte for byte.
func TestConvertedRunsTheSame(t *testing.T) {
	reg := all.Registry()
	fixtures := lsFixtures(t)
	seen := map[string]bool{}
	for _, fx := range fixtures {
		name := strings.TrimSuffix(fx.name, ".conf")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			corpus, err := readCorpus(filepath.Join(eqInputsDir, name))
			if err != nil {
				t.Fatal(err)
			}
			confSpec, hcl, hclSpec := loadBoth(t, name, fx.srcs, reg, nil)
			want, got := runBoth(t, confSpec, hclSpec, reg, corpus)
			for _, d := range compareRuns(want, got) {
				t.Errorf("%s\n--- HCL\n%s", d, hcl)
			}
			st := want.summary()
			t.Logf("fed %s; %s", corpus.describe(), st)
			if st.out == 0 {
				t.Errorf("no event came out of the filters: nothing was compared\n%s", want.render())
			}
			for id, n := range st.reached {
				if n == 0 {
					t.Errorf("no event reached output %s: its conditionals are not compared", id)
				}
			}
			if hasFilters(confSpec.Filters) && st.changed == 0 {
				t.Errorf("the filters changed no event: the comparison proves nothing about them\n%s", want.render())
			}
		})
	}
	entries, err := os.ReadDir(eqInputsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !seen[e.Name()] {
			t.Errorf("%s/%s matches no fixture of testdata/logstash/valid", eqInputsDir, e.Name())
		}
	}
}

// loadBoth loads a fixture as .conf and as its conversion, which edit (if
// not nil) may change first.
func loadBoth(t *testing.T, name string, srcs []Source, reg *pipeline.Registry, edit func([]byte) []byte) (confSpec *pipeline.Spec, hcl []byte, hclSpec *pipeline.Spec) {
	t.Helper()
	confSpec, diags := Load(srcs, reg, Options{Env: lsEnv})
	if diags.HasErrors() {
		t.Fatalf("the .conf does not load:\n%s", diagText(diags, srcs))
	}
	hcl, diags = Convert(srcs, reg)
	if diags.HasErrors() {
		t.Fatalf("convert:\n%s", diagText(diags, srcs))
	}
	if edit != nil {
		hcl = edit(hcl)
	}
	hsrcs := []Source{{Name: name + ".hcl", Data: hcl}}
	hclSpec, diags = Load(hsrcs, reg, Options{Env: lsEnv})
	if diags.HasErrors() {
		t.Fatalf("the converted HCL does not load:\n%s\n%s", diagText(diags, hsrcs), hcl)
	}
	return confSpec, hcl, hclSpec
}

// runBoth runs the two specs on the corpus.
func runBoth(t *testing.T, confSpec, hclSpec *pipeline.Spec, reg *pipeline.Registry, corpus *eqCorpus) (want, got *eqRun) {
	t.Helper()
	want, err := runEquivalence(t.Context(), confSpec, reg, corpus)
	if err != nil {
		t.Fatalf(".conf: %v", err)
	}
	got, err = runEquivalence(t.Context(), hclSpec, reg, corpus)
	if err != nil {
		t.Fatalf(".hcl: %v", err)
	}
	return want, got
}

// compareRuns returns the differences between the run of the .conf (want)
// and the run of the .hcl (got): per event, and per output's bytes.
func compareRuns(want, got *eqRun) []string {
	var diffs []string
	if wt, gt := want.render(), got.render(); wt != gt {
		diffs = append(diffs, "events differ: "+firstDiff(wt, gt))
	}
	ws, gs := want.streams(), got.streams()
	for _, id := range slices.Sorted(maps.Keys(ws)) {
		w := ws[id]
		g, ok := gs[id]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("output %s is missing from the .hcl", id))
			continue
		}
		if !bytes.Equal(g, w) {
			diffs = append(diffs, fmt.Sprintf("output %s: the .hcl wrote %d bytes, the .conf %d: %s", id, len(g), len(w), firstDiff(string(w), string(g))))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(gs)) {
		if _, ok := ws[id]; !ok {
			diffs = append(diffs, fmt.Sprintf("output %s is not in the .conf", id))
		}
	}
	return diffs
}

// TestEquivalenceDetectsDifferences checks that the comparison fails when
// the HCL side is changed: a condition of the output section, an output's
// codec option, a filter option.
func TestEquivalenceDetectsDifferences(t *testing.T) {
	reg := all.Registry()
	for _, tc := range []struct {
		name, fixture, old, new string
	}{
		{"output condition", "nested", `"[type] == 'noise'"`, `"[type] == 'nois'"`},
		{"output codec option", "nested", `metadata = true`, `metadata = false`},
		{"filter option", "syslog", `"received_from" = "%{host}"`, `"received_from" = "%{type}"`},
		{"filter condition", "apache", `"'_grokparsefailure' in [tags]"`, `"'_grokparsefailur' in [tags]"`},
		{"input decoration", "stdin_stdout", `"[source][kind]" = "stdin"`, `"[source][kind]" = "stdin!"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs, err := ReadSources([]string{filepath.Join("testdata/logstash/valid", tc.fixture+".conf")})
			if err != nil {
				t.Fatal(err)
			}
			corpus, err := readCorpus(filepath.Join(eqInputsDir, tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			edited := false
			confSpec, hcl, hclSpec := loadBoth(t, tc.fixture, srcs, reg, func(b []byte) []byte {
				e := bytes.Replace(b, []byte(tc.old), []byte(tc.new), 1)
				edited = !bytes.Equal(e, b)
				return e
			})
			if !edited {
				t.Fatalf("%s is not in the converted HCL:\n%s", tc.old, hcl)
			}
			want, got := runBoth(t, confSpec, hclSpec, reg, corpus)
			if diffs := compareRuns(want, got); len(diffs) == 0 {
				t.Errorf("the change from %s to %s went unnoticed", tc.old, tc.new)
			}
		})
	}
}

// hasFilters reports whether a filter section holds a plugin.
func hasFilters(nodes []pipeline.Node) bool {
	for _, n := range nodes {
		switch n := n.(type) {
		case *pipeline.PluginSpec:
			return true
		case *pipeline.If:
			for _, br := range n.Branches {
				if hasFilters(br.Body) {
					return true
				}
			}
			if hasFilters(n.Else) {
				return true
			}
		}
	}
	return false
}

// eqCorpus is the input of one fixture: file contents by input id, and the
// extra json_lines feed (nil when there is none).
type eqCorpus struct {
	byID  map[string][]byte
	extra []byte
}

func readCorpus(dir string) (*eqCorpus, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("the fixture's input corpus: %w", err)
	}
	c := &eqCorpus{byID: map[string][]byte{}}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read corpus: %w", err)
		}
		if e.Name() == eqExtraFeed {
			c.extra = data
			continue
		}
		c.byID[strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))] = data
	}
	return c, nil
}

func (c *eqCorpus) describe() string {
	var parts []string
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range c.byID {
			if !yield(id) {
				return
			}
		}
	}) {
		parts = append(parts, fmt.Sprintf("%s %d lines", id, bytes.Count(c.byID[id], []byte("\n"))))
	}
	if c.extra != nil {
		parts = append(parts, fmt.Sprintf("extra feed %d lines", bytes.Count(c.extra, []byte("\n"))))
	}
	return strings.Join(parts, ", ")
}

// eqRecord is what one recorder saw of one event: Encode's bytes.
type eqRecord struct {
	at    string // the recorder: an output's id, or eqEntry / eqExit
	event uint64
	data  []byte
}

// The recorders around the filters.
const (
	eqEntry = "(entering the filters)"
	eqExit  = "(leaving the filters)"
)

// eqRun is one run of a fixture: everything the recorders saw, in the
// order they saw it.
type eqRun struct {
	mu      sync.Mutex
	records []eqRecord
	outputs []string // the recorded outputs' ids, in configuration order
}

func (r *eqRun) add(at string, id uint64, data []byte) {
	r.mu.Lock()
	r.records = append(r.records, eqRecord{at: at, event: id, data: data})
	r.mu.Unlock()
}

// byEvent returns the records sorted by event id, each event's records in
// the order they were made (batches may be cut differently in two runs; an
// event meets the steps in configuration order whatever the cut).
func (r *eqRun) byEvent() []eqRecord {
	recs := slices.Clone(r.records)
	slices.SortStableFunc(recs, func(a, b eqRecord) int {
		switch {
		case a.event < b.event:
			return -1
		case a.event > b.event:
			return 1
		}
		return 0
	})
	return recs
}

// render writes the run as text: per event, every recorder it reached with
// what the recorder encoded.
func (r *eqRun) render() string {
	var b strings.Builder
	last := uint64(0)
	for _, rec := range r.byEvent() {
		if rec.event != last {
			fmt.Fprintf(&b, "== event %d\n", rec.event)
			last = rec.event
		}
		fmt.Fprintf(&b, "-> %s\n", rec.at)
		b.Write(rec.data)
		if !bytes.HasSuffix(rec.data, []byte("\n")) {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// streams returns what each output wrote, in event order: the bytes the
// original output would have got from its codec.
func (r *eqRun) streams() map[string][]byte {
	out := map[string][]byte{}
	for _, id := range r.outputs {
		out[id] = []byte{}
	}
	for _, rec := range r.byEvent() {
		if rec.at != eqEntry && rec.at != eqExit {
			out[rec.at] = append(out[rec.at], rec.data...)
		}
	}
	return out
}

// eqSummary counts a run's events.
type eqSummary struct {
	in, out, changed int
	reached          map[string]int
}

func (s eqSummary) String() string {
	var parts []string
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range s.reached {
			if !yield(id) {
				return
			}
		}
	}) {
		parts = append(parts, fmt.Sprintf("%s %d", id, s.reached[id]))
	}
	return fmt.Sprintf("events compared: %d into the filters, %d out (%d changed by them); outputs reached: %s",
		s.in, s.out, s.changed, strings.Join(parts, ", "))
}

func (r *eqRun) summary() eqSummary {
	s := eqSummary{reached: map[string]int{}}
	for _, id := range r.outputs {
		s.reached[id] = 0
	}
	entry := map[uint64][]byte{}
	for _, rec := range r.records {
		switch rec.at {
		case eqEntry:
			s.in++
			entry[rec.event] = rec.data
		case eqExit:
			s.out++
			if in, ok := entry[rec.event]; !ok || !bytes.Equal(in, rec.data) {
				s.changed++
			}
		default:
			s.reached[rec.at]++
		}
	}
	return s
}

// runEquivalence runs the spec on the corpus with the swaps described at
// the top of this file and returns what the recorders saw.
func runEquivalence(ctx context.Context, spec *pipeline.Spec, reg *pipeline.Registry, corpus *eqCorpus) (*eqRun, error) {
	run := &eqRun{}
	jsonLines, ok := reg.Lookup(pipeline.KindCodec, "json_lines")
	if !ok {
		return nil, fmt.Errorf("no json_lines codec in the registry")
	}
	start := time.Now()
	var counter atomic.Int64
	n := len(spec.Inputs)
	if corpus.extra != nil {
		n++
	}
	turns := make([]chan struct{}, n+1)
	for i := range turns {
		turns[i] = make(chan struct{})
	}
	close(turns[0])
	used := map[string]bool{}
	var inputs []*pipeline.PluginSpec
	for i, in := range spec.Inputs {
		data, has := corpus.byID[in.Common.ID]
		if has {
			used[in.Common.ID] = true
		}
		switch in.Plugin.Name {
		case "stdin", "tcp", "udp":
			if !has {
				return nil, fmt.Errorf("input %s (%s) has no corpus file", in.Common.ID, in.Plugin.Name)
			}
		case "generator":
			if has {
				return nil, fmt.Errorf("input %s is a generator: it reads no corpus", in.Common.ID)
			}
		default:
			return nil, fmt.Errorf("input %s: no stand-in for the %s input", in.Common.ID, in.Plugin.Name)
		}
		cp := *in
		cp.Plugin = eqInputPlugin(in.Plugin, data, &eqTurn{wait: turns[i], next: turns[i+1], start: start, counter: &counter})
		inputs = append(inputs, &cp)
	}
	for id := range corpus.byID {
		if !used[id] {
			return nil, fmt.Errorf("corpus file for %q: no input has that id", id)
		}
	}
	if corpus.extra != nil {
		feed := pipeline.Plugin{Kind: pipeline.KindInput, Name: "equivalence_feed", StreamCodec: true,
			NewConfig: func() any { return &struct{}{} }}
		feed = eqInputPlugin(feed, corpus.extra, &eqTurn{wait: turns[n-1], next: turns[n], start: start, counter: &counter})
		inputs = append(inputs, &pipeline.PluginSpec{Plugin: feed, Codec: &pipeline.CodecSpec{Plugin: jsonLines},
			Common: pipeline.Common{ID: "equivalence_feed", EnableMetric: true}, Pos: eqExtraFeed})
	}

	entry := &pipeline.PluginSpec{Plugin: eqRecorderPlugin(pipeline.KindFilter, "equivalence_entry", reg, run),
		Common: pipeline.Common{ID: eqEntry, EnableMetric: true}, Pos: "equivalence"}
	exit := &pipeline.PluginSpec{Plugin: eqRecorderPlugin(pipeline.KindOutput, "equivalence_exit", reg, run),
		Common: pipeline.Common{ID: eqExit, EnableMetric: true}, Pos: "equivalence"}
	test := &pipeline.Spec{
		Settings: spec.Settings,
		Inputs:   inputs,
		Filters:  append([]pipeline.Node{entry}, spec.Filters...),
		Outputs:  append(eqOutputs(spec.Outputs, reg, run), exit),
	}
	test.Settings.Workers = 1
	test.Settings.BatchDelayMillis = 0
	p, err := pipeline.New(test, pipeline.Options{Registry: reg})
	if err != nil {
		return nil, fmt.Errorf("build the pipeline: %w", err)
	}
	if err := p.Run(ctx, ctx); err != nil {
		return nil, fmt.Errorf("run the pipeline: %w", err)
	}
	return run, nil
}

// eqOutputs replaces every output plugin of the section with a recorder
// keeping its id and codec; conditionals stay.
func eqOutputs(nodes []pipeline.Node, reg *pipeline.Registry, run *eqRun) []pipeline.Node {
	out := make([]pipeline.Node, 0, len(nodes))
	for _, n := range nodes {
		switch n := n.(type) {
		case *pipeline.PluginSpec:
			cp := *n
			cp.Plugin = eqRecorderPlugin(pipeline.KindOutput, n.Plugin.Name, reg, run)
			run.outputs = append(run.outputs, n.Common.ID)
			out = append(out, &cp)
		case *pipeline.If:
			cp := &pipeline.If{Pos: n.Pos}
			for _, br := range n.Branches {
				cp.Branches = append(cp.Branches, pipeline.Branch{Cond: br.Cond, Body: eqOutputs(br.Body, reg, run)})
			}
			if n.Else != nil {
				cp.Else = eqOutputs(n.Else, reg, run)
			}
			out = append(out, cp)
		}
	}
	return out
}

// eqTurn serializes the inputs: an input waits for wait to close, emits
// everything, then closes next.
type eqTurn struct {
	wait, next chan struct{}
	start      time.Time
	counter    *atomic.Int64
}

// eqInputPlugin stands in for an input plugin: stdin and generator are
// built as themselves (stdin reading data), any other input is a feed of
// data through the input's codec. The stand-in waits for its turn and
// freezes the clock's timestamps.
func eqInputPlugin(orig pipeline.Plugin, data []byte, turn *eqTurn) pipeline.Plugin {
	p := orig
	p.Build = func(cfg any, d pipeline.Deps) (any, error) {
		var inner pipeline.Input
		switch orig.Name {
		case "stdin", "generator":
			d.Stdin = bytes.NewReader(data)
			plug, err := orig.Build(cfg, d)
			if err != nil {
				return nil, fmt.Errorf("build %s: %w", orig.Name, err)
			}
			in, ok := plug.(pipeline.Input)
			if !ok {
				return nil, fmt.Errorf("%s is not an input", orig.Name)
			}
			inner = in
		default:
			if d.Codec == nil {
				return nil, fmt.Errorf("%s has no codec", d.ID)
			}
			inner = &eqFeed{codec: d.Codec, data: data, datagrams: !orig.StreamCodec}
		}
		return &eqInput{inner: inner, turn: turn}, nil
	}
	return p
}

// eqInput runs an input in its turn, through a freezing emitter.
type eqInput struct {
	inner pipeline.Input
	turn  *eqTurn
}

var _ pipeline.Input = (*eqInput)(nil)

// Run implements pipeline.Input.
func (in *eqInput) Run(ctx context.Context, out pipeline.Emitter) error {
	defer close(in.turn.next)
	select {
	case <-in.turn.wait:
	case <-ctx.Done():
		return fmt.Errorf("waiting for the previous input: %w", ctx.Err())
	}
	if err := in.inner.Run(ctx, &eqEmitter{out: out, turn: in.turn}); err != nil {
		return fmt.Errorf("input: %w", err)
	}
	return nil
}

// eqEmitter sets the @timestamp of events that got theirs from the clock
// to a fixed instant, one second apart, then emits them.
type eqEmitter struct {
	out  pipeline.Emitter
	turn *eqTurn
}

var _ pipeline.Emitter = (*eqEmitter)(nil)

func (e *eqEmitter) freeze(ev *pipeline.Event) {
	if ts, ok := ev.Timestamp(); ok && ts.Time().Before(e.turn.start) {
		return
	}
	n := e.turn.counter.Add(1)
	ev.SetTimestamp(pipeline.NewTimestamp(time.Unix(eqFrozenUnix+n, 0)))
}

// Emit implements pipeline.Emitter.
func (e *eqEmitter) Emit(ev *pipeline.Event) {
	e.freeze(ev)
	e.out.Emit(ev)
}

// EmitAll implements pipeline.Emitter.
func (e *eqEmitter) EmitAll(evs []*pipeline.Event) {
	for _, ev := range evs {
		e.freeze(ev)
	}
	e.out.EmitAll(evs)
}

// eqFeed decodes data with a codec: as one stream, or as one datagram per
// non-empty line.
type eqFeed struct {
	codec     pipeline.Codec
	data      []byte
	datagrams bool
}

var _ pipeline.Input = (*eqFeed)(nil)

// Run implements pipeline.Input.
func (f *eqFeed) Run(_ context.Context, out pipeline.Emitter) error {
	dec := f.codec.NewDecoder()
	emit := func(e *pipeline.Event) { out.Emit(e) }
	if !f.datagrams {
		dec.Decode(f.data, emit)
		dec.Flush(emit)
		return nil
	}
	for line := range bytes.Lines(f.data) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		if len(line) == 0 {
			continue
		}
		dec.Decode(line, emit)
		dec.Flush(emit)
	}
	return nil
}

// eqRecorderPlugin is a filter that records every event (json_lines and
// @metadata) and leaves it alone, or an output that records every event
// with its codec (json_lines and @metadata when it has none).
func eqRecorderPlugin(kind pipeline.Kind, name string, reg *pipeline.Registry, run *eqRun) pipeline.Plugin {
	return pipeline.Plugin{Kind: kind, Name: name, NewConfig: func() any { return &struct{}{} },
		Build: func(_ any, d pipeline.Deps) (any, error) {
			canon, err := reg.BuildCodec("json_lines", nil, d)
			if err != nil {
				return nil, fmt.Errorf("recorder %s: %w", d.ID, err)
			}
			return &eqRecorder{id: d.ID, codec: d.Codec, canon: canon, run: run}, nil
		}}
}

// eqRecorder records the events it sees.
type eqRecorder struct {
	id    string
	codec pipeline.Codec // the output's own; nil for the filter and the exit
	canon pipeline.Codec // json_lines
	run   *eqRun
}

var (
	_ pipeline.Filter = (*eqRecorder)(nil)
	_ pipeline.Output = (*eqRecorder)(nil)
)

func (r *eqRecorder) encode(e *pipeline.Event) []byte {
	if r.codec != nil {
		return r.codec.Encode(nil, e)
	}
	b := r.canon.Encode(nil, e)
	if e.HasMetadata() {
		b = append(b, "@metadata "...)
		b = pipeline.AppendJSONValue(b, e.Metadata())
		b = append(b, '\n')
	}
	return b
}

// Filter implements pipeline.Filter.
func (r *eqRecorder) Filter(e *pipeline.Event) pipeline.FilterResult {
	r.run.add(r.id, e.ID(), r.encode(e))
	return pipeline.FilterSkipped
}

// Write implements pipeline.Output.
func (r *eqRecorder) Write(_ context.Context, evs []*pipeline.Event) error {
	for _, e := range evs {
		r.run.add(r.id, e.ID(), r.encode(e))
	}
	return nil
}

// firstDiff describes where two texts part: the first differing line of
// each, with the line before.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g || i >= len(wl) || i >= len(gl) {
			prev := ""
			if i > 0 {
				prev = wl[i-1]
			}
			return fmt.Sprintf("at line %d, after %q:\n  .conf: %q\n  .hcl:  %q", i+1, prev, w, g)
		}
	}
	return "no line differs"
}
