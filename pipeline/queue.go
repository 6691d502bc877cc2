package pipeline

import (
	"sync"
	"time"
)

// queue is the bounded in-memory queue between inputs and workers. Push
// blocks while it is full, which is how a slow output slows the inputs
// instead of growing memory. It hands events over in slices, so a lock is
// taken once per block of events, not once per event.
type queue struct {
	mu     sync.Mutex
	buf    []*Event
	head   int
	n      int
	closed bool

	// notEmpty and notFull carry one wake-up each; whoever takes it passes
	// it on when there is still something (room) left, so one waiter wakes
	// the next.
	notEmpty chan struct{}
	notFull  chan struct{}
	done     chan struct{}
}

func newQueue(size int) *queue {
	if size < 1 {
		size = 1
	}
	return &queue{
		buf:      make([]*Event, size),
		notEmpty: make(chan struct{}, 1),
		notFull:  make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// push adds the events, blocking while the queue is full. It returns false
// if the queue was closed before all of them went in; the caller then owns
// the rest.
func (q *queue) push(evs []*Event) bool {
	for len(evs) > 0 {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return false
		}
		room := len(q.buf) - q.n
		if room == 0 {
			q.mu.Unlock()
			select {
			case <-q.notFull:
			case <-q.done:
			}
			continue
		}
		k := min(room, len(evs))
		tail := (q.head + q.n) % len(q.buf)
		for i := 0; i < k; i++ {
			q.buf[tail] = evs[i]
			tail++
			if tail == len(q.buf) {
				tail = 0
			}
		}
		q.n += k
		stillRoom := q.n < len(q.buf)
		q.mu.Unlock()
		evs = evs[k:]
		signal(q.notEmpty)
		if stillRoom {
			signal(q.notFull)
		}
	}
	return true
}

// take moves up to max events into dst; the caller holds no lock.
func (q *queue) take(dst []*Event, max int) ([]*Event, bool) {
	q.mu.Lock()
	k := min(max-len(dst), q.n)
	for i := 0; i < k; i++ {
		dst = append(dst, q.buf[q.head])
		q.buf[q.head] = nil
		q.head++
		if q.head == len(q.buf) {
			q.head = 0
		}
	}
	q.n -= k
	left := q.n
	closed := q.closed
	q.mu.Unlock()
	if k > 0 {
		signal(q.notFull)
	}
	if left > 0 {
		signal(q.notEmpty)
	}
	return dst, closed && left == 0
}

// pop fills dst with up to max events. It waits for the first event as long
// as needed, then up to delay for the batch to fill. It returns false when
// the queue is closed and empty.
func (q *queue) pop(dst []*Event, max int, delay time.Duration, timer *time.Timer) ([]*Event, bool) {
	dst = dst[:0]
	var drained bool
	for {
		dst, drained = q.take(dst, max)
		if len(dst) > 0 || drained {
			break
		}
		select {
		case <-q.notEmpty:
		case <-q.done:
		}
	}
	if len(dst) == max || drained || delay <= 0 {
		return dst, len(dst) > 0
	}
	timer.Reset(delay)
	defer timer.Stop()
	for len(dst) < max && !drained {
		select {
		case <-q.notEmpty:
			dst, drained = q.take(dst, max)
		case <-q.done:
			dst, drained = q.take(dst, max)
			if !drained {
				continue
			}
		case <-timer.C:
			return dst, true
		}
	}
	return dst, true
}

// close ends the queue: pushes fail from now on, pops drain what is left.
func (q *queue) close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.done)
	}
	q.mu.Unlock()
}

// len returns the number of queued events.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
