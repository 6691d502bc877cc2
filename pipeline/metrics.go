package pipeline

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Metrics are one plugin's counters: events in and out, failures, and time
// spent, plus named counters of the plugin's own (e.g. "linetoolong").
type Metrics struct {
	// In counts events that reached the plugin.
	In atomic.Int64
	// Out counts events the plugin passed on (or, for outputs, accepted).
	Out atomic.Int64
	// Failed counts events the plugin failed on (tagged, retried or lost).
	Failed atomic.Int64
	// DurationNanos is the time spent in the plugin.
	DurationNanos atomic.Int64

	mu    sync.Mutex
	named map[string]*atomic.Int64
}

// Counter returns the named counter, creating it. Call it when the plugin is
// built and keep the pointer: the lookup takes a lock.
func (m *Metrics) Counter(name string) *atomic.Int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.named == nil {
		m.named = map[string]*atomic.Int64{}
	}
	c := m.named[name]
	if c == nil {
		c = new(atomic.Int64)
		m.named[name] = c
	}
	return c
}

// Snapshot returns the named counters' current values, sorted by name.
func (m *Metrics) Snapshot() []NamedCount {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]NamedCount, 0, len(m.named))
	for k, v := range m.named {
		out = append(out, NamedCount{Name: k, Value: v.Load()})
	}
	slices.SortFunc(out, func(a, b NamedCount) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

// NamedCount is one named counter's value.
type NamedCount struct {
	Name  string
	Value int64
}
