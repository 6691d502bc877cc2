// Package plugintest helps plugin tests: it builds plugins from real HCL
// through conf, and collects what inputs emit.
package plugintest

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/pipeline"
)

// Collector is an Emitter that keeps what it is given.
type Collector struct {
	mu     sync.Mutex
	events []*pipeline.Event
}

var _ pipeline.Emitter = (*Collector)(nil)

// Emit implements pipeline.Emitter.
func (c *Collector) Emit(e *pipeline.Event) { c.EmitAll([]*pipeline.Event{e}) }

// EmitAll implements pipeline.Emitter.
func (c *Collector) EmitAll(evs []*pipeline.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, evs...)
}

// Events returns what was emitted so far.
func (c *Collector) Events() []*pipeline.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*pipeline.Event(nil), c.events...)
}

// Build loads config (a whole pipeline in HCL) through conf and builds the
// first plugin of the given kind (the first input, filter or output), with
// its codec. It fails the test on any diagnostic.
func Build(t testing.TB, reg *pipeline.Registry, config string, kind pipeline.Kind, deps pipeline.Deps) any {
	t.Helper()
	spec, diags := conf.Load([]conf.Source{{Name: "test.hcl", Data: []byte(config)}}, reg, conf.Options{})
	if diags.HasErrors() {
		var b strings.Builder
		_ = diags.Write(&b, nil, false)
		t.Fatalf("config does not load:\n%s", b.String())
	}
	var ps *pipeline.PluginSpec
	switch kind {
	case pipeline.KindInput:
		ps = spec.Inputs[0]
	case pipeline.KindFilter:
		ps = spec.Filters[0].(*pipeline.PluginSpec)
	case pipeline.KindOutput:
		ps = spec.Outputs[0].(*pipeline.PluginSpec)
	}
	if deps.Metrics == nil {
		deps.Metrics = &pipeline.Metrics{}
	}
	if deps.Settings.ECSCompatibility == "" {
		deps.Settings = deps.Settings.WithDefaults()
	}
	if ps.Codec != nil {
		cs, _ := reg.StreamingCodec(ps.Plugin, ps.Codec)
		c, err := cs.Build(deps)
		if err != nil {
			t.Fatalf("%v", err)
		}
		deps.Codec = c
	}
	p, err := ps.Plugin.Build(ps.Config, deps)
	if err != nil {
		t.Fatalf("build %s: %v", ps.Plugin.Name, err)
	}
	return p
}

// RunInput runs an input to its end and returns what it emitted.
func RunInput(t testing.TB, in pipeline.Input) []*pipeline.Event {
	t.Helper()
	var c Collector
	if err := in.Run(context.Background(), &c); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return c.Events()
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes and reads: a
// log sink, or a process's output read while it runs.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
