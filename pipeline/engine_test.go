package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Test plugins: a slice input, a tagging filter and a collecting output.

type sliceInput struct {
	events  func() []*Event
	chunk   int
	waitCtx bool // keep running until ctx is done
	emitted chan struct{}
}

func (in *sliceInput) Run(ctx context.Context, out Emitter) error {
	evs := in.events()
	for len(evs) > 0 {
		n := min(in.chunk, len(evs))
		out.EmitAll(evs[:n])
		evs = evs[n:]
	}
	if in.emitted != nil {
		close(in.emitted)
	}
	if in.waitCtx {
		<-ctx.Done()
	}
	return nil
}

type funcFilter func(e *Event) FilterResult

func (f funcFilter) Filter(e *Event) FilterResult { return f(e) }

type collectOutput struct {
	mu     sync.Mutex
	got    []*Event
	fail   atomic.Int64 // fail this many Writes first
	delay  time.Duration
	writes atomic.Int64
	closed atomic.Bool
}

func (o *collectOutput) Write(ctx context.Context, evs []*Event) error {
	o.writes.Add(1)
	if o.delay > 0 {
		time.Sleep(o.delay)
	}
	if o.fail.Load() > 0 {
		o.fail.Add(-1)
		return errors.New("injected failure")
	}
	o.mu.Lock()
	o.got = append(o.got, evs...)
	o.mu.Unlock()
	return nil
}

func (o *collectOutput) Close(context.Context) error { o.closed.Store(true); return nil }

func (o *collectOutput) events() []*Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*Event(nil), o.got...)
}

type fakeCfg struct{}

func fakeInputSpec(in Input, c Common) *PluginSpec {
	return &PluginSpec{Plugin: NewInputPlugin("fake_in", "", "", func() *fakeCfg { return &fakeCfg{} },
		func(*fakeCfg, Deps) (Input, error) { return in, nil }), Common: c, Pos: "test:1:1"}
}

func fakeFilterSpec(id string, f Filter, c Common) *PluginSpec {
	c.ID = id
	c.EnableMetric = true
	return &PluginSpec{Plugin: NewFilterPlugin("fake_filter", "", func() *fakeCfg { return &fakeCfg{} },
		func(*fakeCfg, Deps) (Filter, error) { return f, nil }), Common: c, Pos: "test:2:1"}
}

func fakeOutputSpec(id string, o Output) *PluginSpec {
	return &PluginSpec{Plugin: NewOutputPlugin("fake_out", "", "", func() *fakeCfg { return &fakeCfg{} },
		func(*fakeCfg, Deps) (Output, error) { return o, nil }), Common: Common{ID: id, EnableMetric: true}, Pos: "test:3:1"}
}

func numbered(n int, ack *Ack) func() []*Event {
	return func() []*Event {
		evs := make([]*Event, n)
		for i := range evs {
			e := NewMessageEvent(fmt.Sprintf("event %d", i))
			_ = e.Set(MustFieldRef("n"), int64(i))
			if ack != nil {
				e.SetAck(ack)
			}
			evs[i] = e
		}
		return evs
	}
}

func runPipeline(t *testing.T, spec *Spec) *Pipeline {
	t.Helper()
	p, err := New(spec, Options{RetryBackoff: time.Millisecond, MaxRetryBackoff: 4 * time.Millisecond})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Run(ctx, context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return p
}

func statsOf(t *testing.T, p *Pipeline, id string) *Metrics {
	t.Helper()
	for _, s := range p.Stats() {
		if s.ID == id {
			return s.Metrics
		}
	}
	t.Fatalf("no plugin %q in stats", id)
	return nil
}

func TestPipelineDeliversEveryEventOnce(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		n, chunk, workers, b int
		queue                int
	}{
		{"one worker", 1000, 7, 1, 125, 0},
		{"many workers small queue", 5000, 50, 4, 16, 10},
		{"batch of one", 300, 1, 2, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var acked atomic.Int64
			ack := NewAck(tc.n, func() { acked.Add(1) })
			in := &sliceInput{events: numbered(tc.n, ack), chunk: tc.chunk}
			out := &collectOutput{}
			tagger := funcFilter(func(e *Event) FilterResult { e.AddTag("seen"); return FilterMatched })
			spec := &Spec{
				Settings: Settings{Workers: tc.workers, BatchSize: tc.b, BatchDelayMillis: 1, QueueSize: tc.queue},
				Inputs:   []*PluginSpec{fakeInputSpec(in, Common{})},
				Filters:  []Node{fakeFilterSpec("tagger", tagger, Common{})},
				Outputs:  []Node{fakeOutputSpec("collect", out)},
			}
			p := runPipeline(t, spec)
			got := out.events()
			if len(got) != tc.n {
				t.Fatalf("got %d events, want %d", len(got), tc.n)
			}
			seen := make([]bool, tc.n)
			for _, e := range got {
				v, _ := e.Get(MustFieldRef("n"))
				i := v.(int64)
				if seen[i] {
					t.Fatalf("event %d delivered twice", i)
				}
				seen[i] = true
				if !e.HasTag("seen") {
					t.Fatalf("event %d was not filtered", i)
				}
			}
			if acked.Load() != 1 || ack.Pending() != 0 {
				t.Fatalf("ack done called %d times, pending %d", acked.Load(), ack.Pending())
			}
			if !out.closed.Load() {
				t.Fatal("output was not closed")
			}
			in2, filtered, outN := p.Counts()
			if in2 != int64(tc.n) || filtered != int64(tc.n) || outN != int64(tc.n) {
				t.Fatalf("counts in=%d filtered=%d out=%d", in2, filtered, outN)
			}
		})
	}
}

func TestPipelineDropReleasesAcks(t *testing.T) {
	var acked atomic.Int64
	ack := NewAck(100, func() { acked.Add(1) })
	in := &sliceInput{events: numbered(100, ack), chunk: 10}
	out := &collectOutput{}
	dropOdd := funcFilter(func(e *Event) FilterResult {
		v, _ := e.Get(MustFieldRef("n"))
		if v.(int64)%2 == 1 {
			return FilterDropped
		}
		return FilterMatched
	})
	p := runPipeline(t, &Spec{
		Settings: Settings{Workers: 2},
		Inputs:   []*PluginSpec{fakeInputSpec(in, Common{})},
		Filters:  []Node{fakeFilterSpec("dropper", dropOdd, Common{})},
		Outputs:  []Node{fakeOutputSpec("collect", out)},
	})
	if n := len(out.events()); n != 50 {
		t.Fatalf("got %d events, want 50", n)
	}
	if acked.Load() != 1 {
		t.Fatalf("ack done called %d times", acked.Load())
	}
	m := statsOf(t, p, "dropper")
	if m.In.Load() != 100 || m.Out.Load() != 50 {
		t.Fatalf("filter metrics in=%d out=%d", m.In.Load(), m.Out.Load())
	}
}

func TestPipelineRetriesFailedWrites(t *testing.T) {
	in := &sliceInput{events: numbered(10, nil), chunk: 10}
	out := &collectOutput{}
	out.fail.Store(3)
	p := runPipeline(t, &Spec{
		Settings: Settings{Workers: 1, BatchSize: 10},
		Inputs:   []*PluginSpec{fakeInputSpec(in, Common{})},
		Outputs:  []Node{fakeOutputSpec("collect", out)},
	})
	if n := len(out.events()); n != 10 {
		t.Fatalf("got %d events, want 10 (each once)", n)
	}
	if w := out.writes.Load(); w != 4 {
		t.Fatalf("writes = %d, want 4", w)
	}
	m := statsOf(t, p, "collect")
	if m.Failed.Load() != 30 || m.Out.Load() != 10 {
		t.Fatalf("output metrics failed=%d out=%d", m.Failed.Load(), m.Out.Load())
	}
}

func TestPipelineBackPressureBoundsQueue(t *testing.T) {
	const n = 400
	in := &sliceInput{events: numbered(n, nil), chunk: 50}
	out := &collectOutput{delay: time.Millisecond}
	spec := &Spec{
		Settings: Settings{Workers: 1, BatchSize: 5, BatchDelayMillis: 1, QueueSize: 20},
		Inputs:   []*PluginSpec{fakeInputSpec(in, Common{})},
		Outputs:  []Node{fakeOutputSpec("collect", out)},
	}
	p, err := New(spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stopWatch := make(chan struct{})
	var maxQueued atomic.Int64
	go func() {
		for {
			select {
			case <-stopWatch:
				return
			default:
			}
			if q := int64(p.InFlight()); q > maxQueued.Load() {
				maxQueued.Store(q)
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	if err := p.Run(context.Background(), context.Background()); err != nil {
		t.Fatal(err)
	}
	close(stopWatch)
	if len(out.events()) != n {
		t.Fatalf("got %d events", len(out.events()))
	}
	if maxQueued.Load() > 20 {
		t.Fatalf("queue held %d events, bound is 20", maxQueued.Load())
	}
}

func TestPipelineStopDrainsEmittedEvents(t *testing.T) {
	in := &sliceInput{events: numbered(1000, nil), chunk: 100, waitCtx: true, emitted: make(chan struct{})}
	out := &collectOutput{delay: 200 * time.Microsecond}
	p, err := New(&Spec{
		Settings: Settings{Workers: 2, BatchSize: 50, QueueSize: 2000},
		Inputs:   []*PluginSpec{fakeInputSpec(in, Common{})},
		Outputs:  []Node{fakeOutputSpec("collect", out)},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx, context.Background()) }()
	<-in.emitted
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(out.events()); n != 1000 {
		t.Fatalf("after stop got %d events, want all 1000", n)
	}
}

func TestPipelineHardStopAbandonsRetries(t *testing.T) {
	in := &sliceInput{events: numbered(5, nil), chunk: 5}
	out := &collectOutput{}
	out.fail.Store(1 << 40)
	p, err := New(&Spec{
		Settings: Settings{Workers: 1},
		Inputs:   []*PluginSpec{fakeInputSpec(in, Common{})},
		Outputs:  []Node{fakeOutputSpec("collect", out)},
	}, Options{RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hard, giveUp := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(context.Background(), hard) }()
	for out.writes.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	giveUp()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the hard stop")
	}
}

func TestFilterMatchedDecorations(t *testing.T) {
	common := Common{
		AddField:    []KV{{"added", "v-%{message}"}, {"[nested][x]", "1"}, {"existing", "new"}},
		RemoveField: []string{"gone"},
		AddTag:      []string{"t1", "t-%{message}"},
		RemoveTag:   []string{"old"},
	}
	for _, tc := range []struct {
		name    string
		result  FilterResult
		applied bool
	}{
		{"matched", FilterMatched, true},
		{"skipped", FilterSkipped, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &sliceInput{chunk: 1, events: func() []*Event {
				e := NewMessageEvent("m")
				_ = e.Set(MustFieldRef("gone"), "x")
				_ = e.Set(MustFieldRef("existing"), "old-value")
				e.AddTag("old")
				return []*Event{e}
			}}
			out := &collectOutput{}
			f := funcFilter(func(*Event) FilterResult { return tc.result })
			runPipeline(t, &Spec{
				Settings: Settings{Workers: 1},
				Inputs:   []*PluginSpec{fakeInputSpec(in, Common{})},
				Filters:  []Node{fakeFilterSpec("f", f, common)},
				Outputs:  []Node{fakeOutputSpec("o", out)},
			})
			e := out.events()[0]
			got := string(AppendEventJSON(nil, e))
			if !tc.applied {
				if e.HasTag("t1") || !e.HasTag("old") || !e.Includes(MustFieldRef("gone")) {
					t.Fatalf("decorations applied on a skipped filter: %s", got)
				}
				return
			}
			if v, _ := e.GetString(MustFieldRef("added")); v != "v-m" {
				t.Errorf("added = %q in %s", v, got)
			}
			if v, _ := e.GetString(MustFieldRef("[nested][x]")); v != "1" {
				t.Errorf("[nested][x] = %q in %s", v, got)
			}
			if v, _ := e.Get(MustFieldRef("existing")); fmt.Sprint(v) != "[old-value new]" {
				t.Errorf("existing = %v, want a list [old-value new]", v)
			}
			if e.Includes(MustFieldRef("gone")) {
				t.Errorf("gone not removed: %s", got)
			}
			if !e.HasTag("t1") || !e.HasTag("t-m") || e.HasTag("old") {
				t.Errorf("tags wrong: %s", got)
			}
		})
	}
}

func TestInputDecorations(t *testing.T) {
	in := &sliceInput{chunk: 2, events: func() []*Event {
		a := NewMessageEvent("a")
		b := NewMessageEvent("b")
		_ = b.Set(MustFieldRef("type"), "sender")
		return []*Event{a, b}
	}}
	out := &collectOutput{}
	runPipeline(t, &Spec{
		Settings: Settings{Workers: 1},
		Inputs:   []*PluginSpec{fakeInputSpec(in, Common{Type: "syslog", Tags: []string{"in"}, AddField: []KV{{"src", "%{message}"}}})},
		Outputs:  []Node{fakeOutputSpec("o", out)},
	})
	got := out.events()
	if len(got) != 2 {
		t.Fatalf("got %d events", len(got))
	}
	types := map[string]string{}
	for _, e := range got {
		m, _ := e.Message()
		typ, _ := e.GetString(MustFieldRef("type"))
		types[m] = typ
		if !e.HasTag("in") {
			t.Errorf("event %s lacks the input tag", m)
		}
		if src, _ := e.GetString(MustFieldRef("src")); src != m {
			t.Errorf("add_field src = %q, want %q", src, m)
		}
	}
	if types["a"] != "syslog" || types["b"] != "sender" {
		t.Fatalf("type set only when absent: got %v", types)
	}
}

func TestConditionalsRouteAndCountTypeErrors(t *testing.T) {
	in := &sliceInput{chunk: 10, events: func() []*Event {
		var evs []*Event
		for i, v := range []any{int64(50), int64(500), "500", nil} {
			e := NewMessageEvent(fmt.Sprint(i))
			if v != nil {
				_ = e.Set(MustFieldRef("n"), v)
			}
			evs = append(evs, e)
		}
		return evs
	}}
	big, small := &collectOutput{}, &collectOutput{}
	cond, err := ParseCondition("[n] > 100")
	if err != nil {
		t.Fatal(err)
	}
	tagBig := funcFilter(func(e *Event) FilterResult { e.AddTag("big"); return FilterMatched })
	p := runPipeline(t, &Spec{
		Settings: Settings{Workers: 1},
		Inputs:   []*PluginSpec{fakeInputSpec(in, Common{})},
		Filters:  []Node{&If{Pos: "test:5:3", Branches: []Branch{{Cond: cond, Body: []Node{fakeFilterSpec("tag", tagBig, Common{})}}}}},
		Outputs: []Node{&If{Branches: []Branch{{Cond: mustCond(t, `"big" in [tags]`), Body: []Node{fakeOutputSpec("big", big)}}},
			Else: []Node{fakeOutputSpec("small", small)}}},
	})
	if len(big.events()) != 1 || len(small.events()) != 3 {
		t.Fatalf("big %d, small %d; want 1 and 3", len(big.events()), len(small.events()))
	}
	// "500" (a string) and the missing field cannot be compared with 100.
	if n := p.ConditionErrors(); n != 2 {
		t.Fatalf("ConditionErrors = %d, want 2", n)
	}
	for _, e := range small.events() {
		if e.ID() == 0 {
			t.Fatal("event has no id")
		}
	}
}

func mustCond(t *testing.T, s string) *Condition {
	t.Helper()
	c, err := ParseCondition(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOneWorkerKeepsOrderThroughConditionals(t *testing.T) {
	in := &sliceInput{events: numbered(1000, nil), chunk: 37}
	out := &collectOutput{}
	odd := mustCond(t, "[n] in [1, 3, 5, 7, 9]")
	small := mustCond(t, "[n] < 500")
	dropSome := funcFilter(func(e *Event) FilterResult {
		if v, _ := e.Get(MustFieldRef("n")); v.(int64)%10 == 4 {
			return FilterDropped
		}
		return FilterMatched
	})
	tag := funcFilter(func(e *Event) FilterResult { e.AddTag("t"); return FilterMatched })
	runPipeline(t, &Spec{
		Settings: Settings{Workers: 1, BatchSize: 125},
		Inputs:   []*PluginSpec{fakeInputSpec(in, Common{})},
		Filters: []Node{&If{Branches: []Branch{
			{Cond: small, Body: []Node{&If{Branches: []Branch{{Cond: odd, Body: []Node{fakeFilterSpec("tag", tag, Common{})}}},
				Else: []Node{fakeFilterSpec("drop", dropSome, Common{})}}}},
		}, Else: []Node{fakeFilterSpec("tag2", tag, Common{})}}},
		Outputs: []Node{fakeOutputSpec("o", out)},
	})
	got := out.events()
	prev := int64(-1)
	for _, e := range got {
		v, _ := e.Get(MustFieldRef("n"))
		if v.(int64) <= prev {
			t.Fatalf("order broken: %d after %d", v, prev)
		}
		prev = v.(int64)
	}
	if len(got) != 1000-50 {
		t.Fatalf("got %d events, want 950", len(got))
	}
}
