package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pipeproject/pipe/pipeline/dlq"
)

// Defaults of the pipeline settings (Logstash's).
const (
	DefaultBatchSize        = 125
	DefaultBatchDelayMillis = 50
	DefaultECSCompatibility = "v8"
	// BatchDelayUnset in Settings.BatchDelayMillis stands for the default.
	BatchDelayUnset = -1
)

// Options are what the process gives a pipeline besides its Spec.
type Options struct {
	// Registry builds codecs named in the spec.
	Registry *Registry
	// Logger receives the engine's and the plugins' logs (default: discard).
	Logger *slog.Logger
	// Stdin and Stdout are handed to plugins through Deps.
	Stdin  io.Reader
	Stdout io.Writer
	// IsTerminal reports whether Stdout is a terminal.
	IsTerminal bool
	// RetryBackoff is the first wait before an output's failed Write is
	// retried; it doubles up to MaxRetryBackoff (defaults 2 s and 64 s,
	// Logstash's elasticsearch output policy).
	RetryBackoff    time.Duration
	MaxRetryBackoff time.Duration
}

// WithDefaults returns s with every unset setting at its default.
func (s Settings) WithDefaults() Settings {
	if s.ID == "" {
		s.ID = "main"
	}
	if s.Workers <= 0 {
		s.Workers = runtime.NumCPU()
	}
	if s.BatchSize <= 0 {
		s.BatchSize = DefaultBatchSize
	}
	if s.BatchDelayMillis < 0 {
		s.BatchDelayMillis = DefaultBatchDelayMillis
	}
	if s.QueueSize <= 0 {
		s.QueueSize = s.Workers * s.BatchSize * 4
	}
	if s.ECSCompatibility == "" {
		s.ECSCompatibility = DefaultECSCompatibility
	}
	return s
}

// PluginStats is one plugin's counters, for the summary and monitoring.
type PluginStats struct {
	Kind    Kind
	Name    string
	ID      string
	Metrics *Metrics
}

// Pipeline is a built pipeline, ready to Run once.
type Pipeline struct {
	settings Settings
	log      *slog.Logger
	inputs   []*inputRunner
	filters  []step
	outputs  []step
	closers  []namedCloser
	ifs      []*ifStep
	stats    []PluginStats
	q        *queue
	dlq      *dlq.Writer // nil when the dead-letter queue is disabled

	backoff, maxBackoff time.Duration

	eventsIn       atomic.Int64
	eventsFiltered atomic.Int64
	eventsOut      atomic.Int64
	nextID         atomic.Uint64
}

type namedCloser struct {
	id string
	c  Closer
}

// step is a built node of the filter or output section.
type step interface{}

type filterStep struct {
	id      string
	f       Filter
	m       *Metrics
	deco    *decorations
	metrics bool
}

type outputStep struct {
	id      string
	o       Output
	m       *Metrics
	log     *slog.Logger
	metrics bool // the enable_metric option
}

type ifStep struct {
	pos      string
	branches []ifBranch
	elseBody []step
	typeErrs atomic.Int64
	logged   atomic.Bool
}

type ifBranch struct {
	cond *Condition
	body []step
}

// decorations are a filter's add_field, remove_field, add_tag and
// remove_tag, or an input's type, tags and add_field.
type decorations struct {
	typ         string
	tags        []string
	addField    []tmplKV
	addTag      []*Template
	removeField []*Template
	removeTag   []*Template

	log      *slog.Logger
	failures *atomic.Int64
	logged   atomic.Bool
}

// tmplKV is one add_field entry: key is nil when the key is a constant,
// parsed once into ref.
type tmplKV struct {
	key   *Template
	ref   FieldRef
	value *Template
}

func (d *decorations) empty() bool {
	return d.typ == "" && len(d.tags) == 0 && len(d.addField) == 0 && len(d.addTag) == 0 &&
		len(d.removeField) == 0 && len(d.removeTag) == 0
}

// New builds a pipeline from a spec: every plugin is constructed (no I/O
// happens until Run).
func New(spec *Spec, opts Options) (*Pipeline, error) {
	s := spec.Settings.WithDefaults()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("pipeline", s.ID)
	p := &Pipeline{settings: s, log: log, q: newQueue(s.QueueSize),
		backoff: opts.RetryBackoff, maxBackoff: opts.MaxRetryBackoff}
	if p.backoff <= 0 {
		p.backoff = 2 * time.Second
	}
	if p.maxBackoff < p.backoff {
		p.maxBackoff = 64 * time.Second
	}
	if s.DeadLetterQueue.Enable {
		c := s.DeadLetterQueue.WithDefaults()
		w, err := dlq.New(dlq.Dir(c.Path, s.ID), c, dlq.Options{Logger: log.With("dead_letter_queue", dlq.Dir(c.Path, s.ID))})
		if err != nil {
			return nil, err
		}
		p.dlq = w
	}
	b := &builder{p: p, opts: opts}
	for _, in := range spec.Inputs {
		plug, d, err := b.build(in)
		if err != nil {
			return nil, err
		}
		input, ok := plug.(Input)
		if !ok {
			return nil, fmt.Errorf("%s: %s is not an input", in.Pos, in.Plugin.Name)
		}
		deco, err := newDecorations(in.Common, d)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", in.Pos, d.ID, err)
		}
		p.inputs = append(p.inputs, &inputRunner{p: p, id: d.ID, name: in.Plugin.Name, in: input, m: d.Metrics, deco: deco,
			log: d.Logger, metrics: in.Common.EnableMetric})
	}
	var err error
	if p.filters, err = b.steps(spec.Filters, KindFilter); err != nil {
		return nil, err
	}
	if p.outputs, err = b.steps(spec.Outputs, KindOutput); err != nil {
		return nil, err
	}
	return p, nil
}

type builder struct {
	p    *Pipeline
	opts Options
}

func (b *builder) build(ps *PluginSpec) (any, Deps, error) {
	id := ps.Common.ID
	if id == "" {
		id = ps.Plugin.Name
	}
	m := &Metrics{}
	d := Deps{
		ID:         id,
		Logger:     b.p.log.With("plugin", id),
		Metrics:    m,
		Settings:   b.p.settings,
		Stdin:      b.opts.Stdin,
		Stdout:     b.opts.Stdout,
		IsTerminal: b.opts.IsTerminal,
		DLQ:        b.p.dlq,
	}
	if ps.Codec != nil {
		cd := d
		cd.Metrics = m // a codec's counters (linetoolong, ...) belong to its plugin
		cs := ps.Codec
		if sc, switched := b.opts.Registry.StreamingCodec(ps.Plugin, cs); switched {
			d.Logger.Info("switching to a streaming codec, as Logstash does", "from", cs.Plugin.Name, "to", sc.Plugin.Name)
			cs = sc
		}
		codec, err := cs.Build(cd)
		if err != nil {
			return nil, d, fmt.Errorf("%s: %s: %w", ps.Pos, id, err)
		}
		d.Codec = codec
	}
	cfg := ps.Config
	if cfg == nil {
		cfg = ps.Plugin.NewConfig()
	}
	plug, err := ps.Plugin.Build(cfg, d)
	if err != nil {
		return nil, d, fmt.Errorf("%s: %s: %w", ps.Pos, id, err)
	}
	b.p.stats = append(b.p.stats, PluginStats{Kind: ps.Plugin.Kind, Name: ps.Plugin.Name, ID: id, Metrics: m})
	if c, ok := plug.(Closer); ok {
		b.p.closers = append(b.p.closers, namedCloser{id: id, c: c})
	}
	return plug, d, nil
}

func (b *builder) steps(nodes []Node, kind Kind) ([]step, error) {
	var out []step
	for _, n := range nodes {
		switch t := n.(type) {
		case *PluginSpec:
			plug, d, err := b.build(t)
			if err != nil {
				return nil, err
			}
			switch kind {
			case KindFilter:
				f, ok := plug.(Filter)
				if !ok {
					return nil, fmt.Errorf("%s: %s is not a filter", t.Pos, t.Plugin.Name)
				}
				deco, err := newDecorations(t.Common, d)
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %w", t.Pos, d.ID, err)
				}
				if deco.empty() {
					deco = nil
				}
				out = append(out, &filterStep{id: d.ID, f: f, m: d.Metrics, deco: deco, metrics: t.Common.EnableMetric})
			case KindOutput:
				o, ok := plug.(Output)
				if !ok {
					return nil, fmt.Errorf("%s: %s is not an output", t.Pos, t.Plugin.Name)
				}
				out = append(out, &outputStep{id: d.ID, o: o, m: d.Metrics, log: d.Logger, metrics: t.Common.EnableMetric})
			}
		case *If:
			is := &ifStep{pos: t.Pos}
			b.p.ifs = append(b.p.ifs, is)
			for _, br := range t.Branches {
				body, err := b.steps(br.Body, kind)
				if err != nil {
					return nil, err
				}
				is.branches = append(is.branches, ifBranch{cond: br.Cond, body: body})
			}
			var err error
			if is.elseBody, err = b.steps(t.Else, kind); err != nil {
				return nil, err
			}
			out = append(out, is)
		default:
			return nil, fmt.Errorf("unknown node %T", n)
		}
	}
	return out, nil
}

func newDecorations(c Common, d0 Deps) (*decorations, error) {
	d := &decorations{typ: c.Type, tags: c.Tags, log: d0.Logger}
	if len(c.AddField) > 0 {
		d.failures = d0.Metrics.Counter("add_field_failures")
	}
	var errs []error
	parse := func(s string) *Template {
		t, err := ParseTemplate(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", s, err))
			return nil
		}
		return t
	}
	for _, kv := range c.AddField {
		tk := tmplKV{key: parse(kv.Key), value: parse(kv.Value)}
		if tk.key != nil && tk.key.IsConstant() {
			ref, err := ParseFieldRef(kv.Key)
			if err != nil {
				errs = append(errs, fmt.Errorf("add_field key %q: %w", kv.Key, err))
			}
			tk.key, tk.ref = nil, ref
		}
		d.addField = append(d.addField, tk)
	}
	for _, s := range c.AddTag {
		d.addTag = append(d.addTag, parse(s))
	}
	for _, s := range c.RemoveField {
		d.removeField = append(d.removeField, parse(s))
	}
	for _, s := range c.RemoveTag {
		d.removeTag = append(d.removeTag, parse(s))
	}
	return d, errors.Join(errs...)
}

// addField applies add_field as Logstash does: key and value are sprintf
// formats; an existing value becomes a list and the new value is appended
// (even when equal, as Logstash). A key that is no field reference, or a
// path through a scalar, is counted and logged once per plugin.
func (d *decorations) applyAddField(e *Event) {
	for i := range d.addField {
		kv := &d.addField[i]
		ref := kv.ref
		if kv.key != nil {
			var err error
			if ref, err = ParseFieldRef(kv.key.Render(e)); err != nil {
				d.fail(e, "add_field: the key is not a field reference", kv.key.String(), err)
				continue
			}
		}
		v := kv.value.Render(e)
		old, ok := e.Get(ref)
		var err error
		switch t := old.(type) {
		case nil:
			if ok && t == nil {
				err = e.Set(ref, []any{nil, v})
			} else {
				err = e.Set(ref, v)
			}
		case []any:
			err = e.Set(ref, append(t, v))
		default:
			err = e.Set(ref, []any{old, v})
		}
		if err != nil {
			d.fail(e, "add_field: cannot set the field", ref.String(), err)
		}
	}
}

// fail counts a decoration that could not be applied and logs the first.
func (d *decorations) fail(e *Event, msg, field string, err error) {
	d.failures.Add(1)
	if d.logged.CompareAndSwap(false, true) {
		d.log.Warn(msg+" (logged once per plugin; counted as add_field_failures)",
			"field", field, "event_id", e.ID(), "error", err)
	}
}

// applyFilterMatched runs Logstash's filter_matched: add_field, remove_field,
// add_tag, remove_tag, in that order.
func (d *decorations) applyFilterMatched(e *Event) {
	d.applyAddField(e)
	for _, t := range d.removeField {
		name := t.Render(e)
		if ref, err := ParseFieldRef(name); err == nil {
			e.Remove(ref)
		}
	}
	for _, t := range d.addTag {
		e.AddTag(t.Render(e))
	}
	for _, t := range d.removeTag {
		e.RemoveTag(t.Render(e))
	}
}

// Settings returns the effective settings.
func (p *Pipeline) Settings() Settings { return p.settings }

// Stats returns every plugin's counters, in configuration order.
func (p *Pipeline) Stats() []PluginStats { return p.stats }

// Counts returns the pipeline's event counters: in (emitted by inputs),
// filtered (came out of the filters) and out (accepted by the outputs).
func (p *Pipeline) Counts() (in, filtered, out int64) {
	return p.eventsIn.Load(), p.eventsFiltered.Load(), p.eventsOut.Load()
}

// ConditionErrors returns how many condition evaluations met a type error.
func (p *Pipeline) ConditionErrors() int64 {
	var n int64
	for _, is := range p.ifs {
		n += is.typeErrs.Load()
	}
	return n
}

// InFlight returns the number of events in the queue.
func (p *Pipeline) InFlight() int { return p.q.len() }

// Run runs the pipeline until every input has returned (or ctx is done,
// which stops the inputs), then drains the queue through the filters and
// outputs, closes the plugins and returns. Cancelling hard stops outputs
// that are retrying and makes Run return without waiting for the drain.
func (p *Pipeline) Run(ctx context.Context, hard context.Context) error {
	p.log.Info("pipeline started", "workers", p.settings.Workers, "batch_size", p.settings.BatchSize,
		"batch_delay_ms", p.settings.BatchDelayMillis, "queue_size", p.settings.QueueSize)
	var inputs sync.WaitGroup
	var inputErrs []error
	var errMu sync.Mutex
	for _, in := range p.inputs {
		inputs.Add(1)
		go func() {
			defer inputs.Done()
			if err := in.run(ctx); err != nil {
				errMu.Lock()
				inputErrs = append(inputErrs, fmt.Errorf("input %s: %w", in.id, err))
				errMu.Unlock()
			}
		}()
	}
	var workers sync.WaitGroup
	for i := 0; i < p.settings.Workers; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			p.worker(hard)
		}()
	}
	inputsDone := make(chan struct{})
	go func() { inputs.Wait(); close(inputsDone) }()
	select {
	case <-inputsDone:
	case <-hard.Done():
		// Inputs blocked on a full queue give up their events now.
		p.q.close()
		return fmt.Errorf("pipeline stopped before the inputs did: %d events still queued: %w", p.q.len(), hard.Err())
	}
	p.log.Debug("inputs stopped; draining", "queued", p.q.len())
	p.q.close()
	drained := make(chan struct{})
	go func() { workers.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-hard.Done():
		return fmt.Errorf("pipeline stopped before draining: %d events still queued: %w", p.q.len(), hard.Err())
	}
	var errs []error
	errs = append(errs, inputErrs...)
	for _, c := range p.closers {
		if err := c.c.Close(hard); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", c.id, err))
		}
	}
	if p.dlq != nil {
		if err := p.dlq.Close(); err != nil {
			errs = append(errs, err)
		}
		st := p.dlq.Stats()
		p.log.Info("dead letter queue counters", "path", p.dlq.Dir(), "written", st.WrittenEvents, "written_bytes", st.WrittenBytes,
			"dropped", st.DroppedEvents, "dropped_bytes", st.DroppedBytes, "deleted_segments", st.DeletedSegments)
	}
	in, filtered, out := p.Counts()
	p.log.Info("pipeline finished", "events_in", in, "events_filtered", filtered, "events_out", out)
	p.logStats()
	return errors.Join(errs...)
}

// logStats logs every plugin's counters, one line each, and the
// conditionals that met type errors.
func (p *Pipeline) logStats() {
	for _, is := range p.ifs {
		if n := is.typeErrs.Load(); n > 0 {
			p.log.Warn("conditional counters", "at", is.pos, "type_errors", n)
		}
	}
	for _, s := range p.stats {
		attrs := []any{"kind", s.Kind.String(), "plugin", s.Name, "id", s.ID,
			"in", s.Metrics.In.Load(), "out", s.Metrics.Out.Load(), "failed", s.Metrics.Failed.Load(),
			"duration", time.Duration(s.Metrics.DurationNanos.Load()).Round(time.Microsecond).String()}
		for _, c := range s.Metrics.Snapshot() {
			attrs = append(attrs, c.Name, c.Value)
		}
		p.log.Info("plugin counters", attrs...)
	}
}

type inputRunner struct {
	p    *Pipeline
	id   string
	name string
	in   Input
	m    *Metrics
	deco *decorations
	log  *slog.Logger
	// metrics is the enable_metric option.
	metrics bool
}

func (r *inputRunner) run(ctx context.Context) error {
	r.log.Debug("input started", "input", r.name)
	err := r.in.Run(ctx, r)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = nil
	}
	if err != nil {
		r.log.Error("input failed", "error", err)
	} else {
		r.log.Debug("input finished")
	}
	return err
}

// Emit implements Emitter.
func (r *inputRunner) Emit(e *Event) {
	var one [1]*Event
	one[0] = e
	r.EmitAll(one[:])
}

// EmitAll implements Emitter.
func (r *inputRunner) EmitAll(evs []*Event) {
	if len(evs) == 0 {
		return
	}
	if r.deco != nil {
		for _, e := range evs {
			r.decorate(e)
		}
	}
	n := uint64(len(evs))
	first := r.p.nextID.Add(n) - n + 1
	for i, e := range evs {
		e.id = first + uint64(i)
	}
	if r.metrics {
		r.m.In.Add(int64(len(evs)))
		r.m.Out.Add(int64(len(evs)))
	}
	r.p.eventsIn.Add(int64(len(evs)))
	if !r.p.q.push(evs) {
		// Only after the queue closed, which happens once every input has
		// returned: an input emitting after Run returned is a bug.
		r.m.Failed.Add(int64(len(evs)))
		r.log.Error("events emitted after the input stopped were lost", "count", len(evs))
	}
}

func (r *inputRunner) decorate(e *Event) {
	d := r.deco
	if d.typ != "" {
		if _, ok := e.fields.Get("type"); !ok {
			e.fields.Set("type", d.typ)
		}
	}
	for _, t := range d.tags {
		e.AddTag(t)
	}
	if len(d.addField) > 0 {
		d.applyAddField(e)
	}
}

func (p *Pipeline) worker(hard context.Context) {
	batch := make([]*Event, 0, p.settings.BatchSize)
	delay := time.Duration(p.settings.BatchDelayMillis) * time.Millisecond
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var ok bool
	for {
		batch, ok = p.q.pop(batch, p.settings.BatchSize, delay, timer)
		if !ok {
			return
		}
		evs := p.runFilters(p.filters, batch)
		p.eventsFiltered.Add(int64(len(evs)))
		p.runOutputs(hard, p.outputs, evs)
		p.eventsOut.Add(int64(len(evs)))
		for _, e := range evs {
			e.ack.Release()
		}
		clear(batch[:cap(batch)])
	}
}

// runFilters runs the steps over the events and returns the events that
// come out (fewer when filters dropped some).
func (p *Pipeline) runFilters(steps []step, evs []*Event) []*Event {
	for _, s := range steps {
		if len(evs) == 0 {
			return evs
		}
		switch t := s.(type) {
		case *filterStep:
			evs = p.runFilter(t, evs)
		case *ifStep:
			evs = p.runIf(t, evs, func(body []step, part []*Event) []*Event {
				return p.runFilters(body, part)
			})
		}
	}
	return evs
}

func (p *Pipeline) runFilter(s *filterStep, evs []*Event) []*Event {
	start := time.Now()
	out := evs[:0]
	for _, e := range evs {
		switch s.f.Filter(e) {
		case FilterMatched:
			if s.deco != nil {
				s.deco.applyFilterMatched(e)
			}
			out = append(out, e)
		case FilterSkipped:
			out = append(out, e)
		case FilterDropped:
			e.ack.Release()
		}
	}
	if s.metrics {
		s.m.In.Add(int64(len(evs)))
		s.m.Out.Add(int64(len(out)))
		s.m.DurationNanos.Add(int64(time.Since(start)))
	}
	for i := len(out); i < len(evs); i++ {
		evs[i] = nil
	}
	return out
}

// runIf splits the events by the first branch whose condition holds, runs
// each part through its branch (run returns what came out) and joins the
// parts again in the events' original order, so that one worker keeps the
// order of its input as Logstash does. Events a branch adds go after the
// others.
func (p *Pipeline) runIf(s *ifStep, evs []*Event, run func([]step, []*Event) []*Event) []*Event {
	parts := make([][]*Event, len(s.branches)+1)
	// pos belongs to the enclosing conditional too: keep its values.
	saved := make([]int, len(evs))
	for i, e := range evs {
		saved[i] = e.pos
		e.pos = i
		k := len(s.branches)
		for j, br := range s.branches {
			ok, err := br.cond.Eval(e)
			if err != nil {
				s.typeErrs.Add(1)
				if s.logged.CompareAndSwap(false, true) {
					p.log.Warn("condition failed on an event; it is treated as false (logged once per conditional, counted)",
						"condition", br.cond.String(), "at", s.pos, "event_id", e.ID(), "event", eventSummary(e), "error", err)
				}
			}
			if ok {
				k = j
				break
			}
		}
		parts[k] = append(parts[k], e)
	}
	n := len(evs)
	slots := evs // reused: every event is in parts now
	clear(slots)
	var extra []*Event
	for i, part := range parts {
		if len(part) == 0 {
			continue
		}
		var body []step
		if i < len(s.branches) {
			body = s.branches[i].body
		} else {
			body = s.elseBody
		}
		for _, e := range run(body, part) {
			if e.pos >= 0 && e.pos < n && slots[e.pos] == nil {
				slots[e.pos] = e
			} else {
				extra = append(extra, e)
			}
		}
	}
	out := slots[:0]
	for i, e := range slots[:n] {
		if e != nil {
			e.pos = saved[i]
			out = append(out, e)
		}
	}
	out = append(out, extra...)
	for i := len(out); i < n; i++ {
		slots[i] = nil
	}
	return out
}

// eventSummary identifies an event in a log line without dumping it whole.
func eventSummary(e *Event) string {
	b := make([]byte, 0, 160)
	b = AppendEventJSON(b, e)
	if len(b) > 160 {
		b = append(b[:157], "..."...)
	}
	return string(b)
}

func (p *Pipeline) runOutputs(hard context.Context, steps []step, evs []*Event) {
	for _, s := range steps {
		if len(evs) == 0 {
			return
		}
		switch t := s.(type) {
		case *outputStep:
			p.write(hard, t, evs)
		case *ifStep:
			// Outputs see a partition of the batch; the batch itself stays
			// whole for acknowledgement.
			cp := append([]*Event(nil), evs...)
			p.runIf(t, cp, func(body []step, part []*Event) []*Event {
				p.runOutputs(hard, body, part)
				return part
			})
		}
	}
}

// write hands the batch to an output, retrying with exponential backoff
// while it fails, until it succeeds or hard is done.
func (p *Pipeline) write(hard context.Context, s *outputStep, evs []*Event) {
	start := time.Now()
	if s.metrics {
		s.m.In.Add(int64(len(evs)))
	}
	wait := p.backoff
	for attempt := 1; ; attempt++ {
		err := s.o.Write(hard, evs)
		if err == nil {
			if s.metrics {
				s.m.Out.Add(int64(len(evs)))
				s.m.DurationNanos.Add(int64(time.Since(start)))
			}
			return
		}
		if s.metrics {
			s.m.Failed.Add(int64(len(evs)))
		}
		if hard.Err() != nil {
			s.log.Error("output failed during forced shutdown; events lost", "count", len(evs), "error", err)
			return
		}
		s.log.Warn("output failed; retrying", "attempt", attempt, "retry_in", wait, "events", len(evs), "error", err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-hard.Done():
			t.Stop()
			s.log.Error("output failed during forced shutdown; events lost", "count", len(evs), "error", err)
			return
		}
		wait = min(wait*2, p.maxBackoff)
	}
}
