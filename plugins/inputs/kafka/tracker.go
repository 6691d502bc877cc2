package kafka

import (
	"sync"
	"time"
)

// partition tracks the records of one assigned partition from emission to
// acknowledgement. Its commit point is the offset after the longest run of
// acknowledged records from the start of what was emitted: the offset of
// the first record still in flight, or the last emitted offset + 1 when
// every emitted record is acknowledged. Offsets need not be contiguous
// (compacted topics, transaction markers): the order of emission is what
// counts.
type partition struct {
	topic string
	id    int

	mu sync.Mutex
	// inFlight holds the emitted records from the first unacknowledged one
	// on, in offset order.
	inFlight []*record
	// pending counts the emitted records not acknowledged yet.
	pending int
	// next is the commit point; -1 while nothing was acknowledged.
	next int64
	// committed is the last offset committed; -1 for none.
	committed int64
}

// record is one emitted Kafka record.
type record struct {
	offset int64
	acked  bool
}

func newPartition(topic string, id int) *partition {
	return &partition{topic: topic, id: id, next: -1, committed: -1}
}

// track registers a record about to be emitted. Records must be tracked in
// offset order.
func (p *partition) track(offset int64) *record {
	r := &record{offset: offset}
	p.mu.Lock()
	p.inFlight = append(p.inFlight, r)
	p.pending++
	p.mu.Unlock()
	return r
}

// ack marks a record as acknowledged and moves the commit point over the
// acknowledged prefix.
func (p *partition) ack(r *record) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.acked {
		return
	}
	r.acked = true
	p.pending--
	i := 0
	for i < len(p.inFlight) && p.inFlight[i].acked {
		p.next = p.inFlight[i].offset + 1
		p.inFlight[i] = nil
		i++
	}
	p.inFlight = p.inFlight[i:]
}

// toCommit returns the commit point when it is past the last commit.
func (p *partition) toCommit() (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next, p.next > p.committed
}

// markCommitted records a successful commit of offset.
func (p *partition) markCommitted(offset int64) {
	p.mu.Lock()
	if offset > p.committed {
		p.committed = offset
	}
	p.mu.Unlock()
}

// inFlightCount returns the number of emitted records not acknowledged.
func (p *partition) inFlightCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pending
}

// waitAcked waits until every emitted record is acknowledged or timeout
// passes, and reports whether they all were.
func (p *partition) waitAcked(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for p.inFlightCount() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}
