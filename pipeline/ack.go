package pipeline

import "sync/atomic"

// Ack is an acknowledgement group: a count of events still in flight and a
// function to call once all of them are done (every output accepted them, or
// a filter dropped them). Inputs that must know when their data is safe (a
// Kafka partition's offsets) create one per unit they track; others create
// none.
type Ack struct {
	n    atomic.Int64
	done func()
}

// NewAck returns a group for n events that calls done when they are all
// released. done runs on a worker goroutine and must not block for long.
func NewAck(n int, done func()) *Ack {
	a := &Ack{done: done}
	a.n.Store(int64(n))
	return a
}

// Add counts n more events in the group (a filter that clones or splits).
func (a *Ack) Add(n int) { a.n.Add(int64(n)) }

// Release marks one event of the group as done.
func (a *Ack) Release() {
	if a == nil {
		return
	}
	if a.n.Add(-1) == 0 && a.done != nil {
		a.done()
	}
}

// Pending returns the number of events still in flight.
func (a *Ack) Pending() int { return int(a.n.Load()) }
