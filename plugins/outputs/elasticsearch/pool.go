package elasticsearch

import (
	"errors"
	"net/url"
	"sync"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
)

// hostPool is elastictransport's ConnectionPool with Logstash's policy:
// round robin over live hosts; a host whose request failed to connect is
// set aside for resurrect_delay, then tried again. When every host is set
// aside, the one that comes back first is used.
type hostPool struct {
	mu        sync.Mutex
	conns     []*elastictransport.Connection
	deadUntil []time.Time
	next      int
	delay     time.Duration
	now       func() time.Time
}

var _ elastictransport.ConnectionPool = (*hostPool)(nil)

func newHostPool(conns []*elastictransport.Connection, delay time.Duration) *hostPool {
	return &hostPool{conns: conns, deadUntil: make([]time.Time, len(conns)), delay: delay, now: time.Now}
}

// Next implements elastictransport.ConnectionPool.
func (p *hostPool) Next() (*elastictransport.Connection, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.conns) == 0 {
		return nil, errors.New("no hosts")
	}
	now := p.now()
	soonest := -1
	for k := range p.conns {
		i := (p.next + k) % len(p.conns)
		if !now.Before(p.deadUntil[i]) {
			p.next = i + 1
			return p.conns[i], nil
		}
		if soonest < 0 || p.deadUntil[i].Before(p.deadUntil[soonest]) {
			soonest = i
		}
	}
	p.next = soonest + 1
	return p.conns[soonest], nil
}

// OnSuccess implements elastictransport.ConnectionPool.
func (p *hostPool) OnSuccess(c *elastictransport.Connection) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.conns {
		if x == c {
			p.deadUntil[i] = time.Time{}
		}
	}
	return nil
}

// OnFailure implements elastictransport.ConnectionPool.
func (p *hostPool) OnFailure(c *elastictransport.Connection) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.conns {
		if x == c {
			p.deadUntil[i] = p.now().Add(p.delay)
		}
	}
	return nil
}

// URLs implements elastictransport.ConnectionPool.
func (p *hostPool) URLs() []*url.URL {
	out := make([]*url.URL, len(p.conns))
	for i, c := range p.conns {
		out[i] = c.URL
	}
	return out
}
