package pipeline

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestAck(t *testing.T) {
	tests := []struct {
		name     string
		n        int
		add      int
		releases int
		calls    int
		pending  int
	}{
		{"one event", 1, 0, 1, 1, 0},
		{"not yet", 3, 0, 2, 0, 1},
		{"all released", 3, 0, 3, 1, 0},
		{"extra releases do not call again", 2, 0, 5, 1, -3},
		{"added events", 1, 2, 3, 1, 0},
		{"added events pending", 1, 2, 2, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			a := NewAck(tc.n, func() { calls++ })
			if a.Pending() != tc.n {
				t.Errorf("Pending = %d, want %d", a.Pending(), tc.n)
			}
			a.Add(tc.add)
			for i := 0; i < tc.releases; i++ {
				a.Release()
			}
			if calls != tc.calls {
				t.Errorf("done called %d times, want %d", calls, tc.calls)
			}
			if a.Pending() != tc.pending {
				t.Errorf("Pending = %d, want %d", a.Pending(), tc.pending)
			}
		})
	}
}

func TestAckNil(t *testing.T) {
	var a *Ack
	a.Release() // must not panic
	b := NewAck(1, nil)
	b.Release() // no done function
	if b.Pending() != 0 {
		t.Errorf("Pending = %d", b.Pending())
	}
}

func TestAckConcurrent(t *testing.T) {
	const workers, per = 16, 1000
	for round := 0; round < 20; round++ {
		var calls atomic.Int32
		var released atomic.Int32
		var sawAll atomic.Bool
		a := NewAck(workers*per, func() {
			calls.Add(1)
			sawAll.Store(released.Load() == workers*per)
		})
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < per; i++ {
					released.Add(1)
					a.Release()
				}
			}()
		}
		close(start)
		wg.Wait()
		if calls.Load() != 1 {
			t.Fatalf("round %d: done called %d times", round, calls.Load())
		}
		if !sawAll.Load() {
			t.Fatalf("round %d: done ran before every release", round)
		}
		if a.Pending() != 0 {
			t.Fatalf("Pending = %d", a.Pending())
		}
	}
}

// TestAckConcurrentClones releases events while other goroutines clone them
// (Add before Release), as filters that split do.
func TestAckConcurrentClones(t *testing.T) {
	var calls atomic.Int32
	a := NewAck(8, func() { calls.Add(1) })
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := NewEvent()
			e.SetAck(a)
			clones := make([]*Event, 100)
			for i := range clones {
				clones[i] = e.Clone()
			}
			e.Ack().Release()
			for _, c := range clones {
				c.Ack().Release()
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 || a.Pending() != 0 {
		t.Errorf("calls %d, pending %d", calls.Load(), a.Pending())
	}
}
