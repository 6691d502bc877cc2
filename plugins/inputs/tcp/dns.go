package tcp

import (
	"context"
	"strings"
	"sync"
	"time"
)

// dnsCache resolves peer IPs to names once per connection start, with a
// timeout, and keeps results (failures included: the IP stands for the
// name) for a while, in a bounded map. Concurrent lookups of one IP share
// one query.
type dnsCache struct {
	lookup  func(ctx context.Context, ip string) ([]string, error)
	max     int
	ttl     time.Duration
	timeout time.Duration

	mu sync.Mutex
	m  map[string]*dnsEntry
}

type dnsEntry struct {
	done    chan struct{} // closed when name is set
	name    string
	expires time.Time // set with name, under dnsCache.mu
}

func newDNSCache(lookup func(context.Context, string) ([]string, error), size int, ttl, timeout time.Duration) *dnsCache {
	return &dnsCache{lookup: lookup, max: size, ttl: ttl, timeout: timeout, m: map[string]*dnsEntry{}}
}

// name returns the peer's name: the first reverse-DNS name of ip without
// its final dot, or ip itself when there is none or the lookup failed or
// timed out.
func (c *dnsCache) name(ctx context.Context, ip string) string {
	now := time.Now()
	c.mu.Lock()
	e := c.m[ip]
	if e != nil && (e.expires.IsZero() || now.Before(e.expires)) {
		c.mu.Unlock()
		select {
		case <-e.done:
			return e.name
		case <-ctx.Done():
			return ip
		}
	}
	if len(c.m) >= c.max {
		c.evict(now)
	}
	e = &dnsEntry{done: make(chan struct{})}
	c.m[ip] = e
	c.mu.Unlock()

	lctx, cancel := context.WithTimeout(ctx, c.timeout)
	names, err := c.lookup(lctx, ip)
	cancel()
	name := ip
	if err == nil && len(names) > 0 && names[0] != "" {
		name = strings.TrimSuffix(names[0], ".")
	}
	e.name = name
	c.mu.Lock()
	e.expires = time.Now().Add(c.ttl)
	c.mu.Unlock()
	close(e.done)
	return name
}

// evict makes room: expired entries go, and if none had expired, any
// finished one. Called with mu held.
func (c *dnsCache) evict(now time.Time) {
	for ip, e := range c.m {
		if !e.expires.IsZero() && !now.Before(e.expires) {
			delete(c.m, ip)
		}
	}
	for ip, e := range c.m {
		if len(c.m) < c.max {
			return
		}
		if !e.expires.IsZero() {
			delete(c.m, ip)
		}
	}
}

// size returns the number of entries (tests).
func (c *dnsCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
