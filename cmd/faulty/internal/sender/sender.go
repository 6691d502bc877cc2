// Package sender ships serialised log records to Logstash the way
// python-logstash's handlers do: one JSON object per UDP datagram
// (LogstashHandler), or JSON lines over TCP with SocketHandler's
// reconnection back-off (TCPLogstashHandler). Records are written by one
// goroutine fed through a bounded buffer, so callers never wait on the
// network; every record is counted as sent or dropped.
package sender

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sort"
	"sync"
	"syscall"
	"time"
)

// Meta describes a record for the counts; it is not sent.
type Meta struct {
	// Logger is the logger name.
	Logger string
	// Level is the level name.
	Level string
	// Kind is the exception kind (empty when none).
	Kind string
	// MIME is the MIME type a worker record reports (empty when none).
	MIME string
}

// Item is one record to send.
type Item struct {
	// Data is the serialised record, without a newline.
	Data []byte
	// Meta is what the counts use.
	Meta Meta
}

// Sink takes records; Sender is the real one.
type Sink interface {
	// Send queues a record; it never blocks.
	Send(Item)
}

// Options tune a Sender.
type Options struct {
	// Buffer is the number of records that may wait (default 10000).
	Buffer int
	// DialTimeout bounds a TCP connection attempt (default 1s, as
	// SocketHandler).
	DialTimeout time.Duration
	// WriteTimeout bounds one TCP write (default 5s); a write that times
	// out may leave a partial line, as SocketHandler's does.
	WriteTimeout time.Duration
	// Now is the clock for the reconnection back-off (default time.Now).
	Now func() time.Time
	// Logger receives transport errors (default slog.Default()).
	Logger *slog.Logger
}

// Back-off of SocketHandler: 1 s, doubling, at most 30 s.
const (
	RetryStart = time.Second
	RetryMax   = 30 * time.Second
)

type transport interface {
	write(data []byte) error
	close() error
}

// Sender writes records to udp://host:port or tcp://host:port.
type Sender struct {
	ch     chan Item
	done   chan struct{}
	tr     transport
	log    *slog.Logger
	mu     sync.RWMutex // guards closed and sends on ch
	closed bool
	stats  Stats
}

// New starts a sender for target ("udp://127.0.0.1:5000" or
// "tcp://127.0.0.1:5000").
func New(target string, opts Options) (*Sender, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("log target %q: %w", target, err)
	}
	if u.Host == "" || u.Port() == "" {
		return nil, fmt.Errorf("log target %q: want udp://host:port or tcp://host:port", target)
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 10000
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	var tr transport
	switch u.Scheme {
	case "udp":
		c, err := net.Dial("udp", u.Host)
		if err != nil {
			return nil, fmt.Errorf("log target %q: %w", target, err)
		}
		tr = &udpTransport{conn: c}
	case "tcp":
		tr = &tcpTransport{addr: u.Host, opts: opts}
	default:
		return nil, fmt.Errorf("log target %q: scheme must be udp or tcp", target)
	}
	s := &Sender{ch: make(chan Item, opts.Buffer), done: make(chan struct{}), tr: tr, log: opts.Logger}
	s.stats.init()
	go s.run()
	return s, nil
}

// Send queues a record, or counts it dropped when the buffer is full or
// the sender is closed.
func (s *Sender) Send(it Item) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		s.stats.drop(it.Meta, "closed")
		return
	}
	select {
	case s.ch <- it:
	default:
		s.stats.drop(it.Meta, "buffer full")
	}
}

// Close sends what is buffered, then closes the connection.
func (s *Sender) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return nil
	}
	s.closed = true
	close(s.ch)
	s.mu.Unlock()
	<-s.done
	if err := s.tr.close(); err != nil {
		return fmt.Errorf("closing log connection: %w", err)
	}
	return nil
}

// Stats returns a copy of the counts so far.
func (s *Sender) Stats() Snapshot { return s.stats.snapshot() }

func (s *Sender) run() {
	defer close(s.done)
	var lastErr string
	var prev *Meta // the last record counted sent over UDP
	for it := range s.ch {
		err := s.tr.write(it.Data)
		if _, udp := s.tr.(*udpTransport); udp {
			if errors.Is(err, syscall.ECONNREFUSED) && prev != nil {
				// The error reports an earlier datagram refused by the
				// receiver's host (ICMP port unreachable): that one was
				// not delivered; this one was not sent: try it again.
				s.stats.unsend(*prev, "refused")
				err = s.tr.write(it.Data)
			}
			prev = nil
			if err == nil && refusedNow(s.tr.(*udpTransport).conn) {
				err = fmt.Errorf("udp send: %w", syscall.ECONNREFUSED)
			}
			if err == nil {
				m := it.Meta
				prev = &m
			}
		}
		if err != nil {
			reason := "send error"
			switch {
			case errors.Is(err, errRetryWait):
				reason = "disconnected"
			case errors.Is(err, syscall.ECONNREFUSED):
				reason = "refused"
			}
			s.stats.drop(it.Meta, reason)
			if msg := err.Error(); msg != lastErr {
				s.log.Warn("log record dropped", "err", err)
				lastErr = msg
			}
			continue
		}
		lastErr = ""
		s.stats.sent(it.Meta)
	}
}

type udpTransport struct{ conn net.Conn }

func (t *udpTransport) write(data []byte) error {
	if _, err := t.conn.Write(data); err != nil {
		return fmt.Errorf("udp send: %w", err)
	}
	return nil
}

func (t *udpTransport) close() error { return t.conn.Close() }

var errRetryWait = errors.New("not connected; waiting to retry")

// tcpTransport is SocketHandler: connect on demand; after a failed
// connection drop records until the retry time, doubling the wait from
// 1 s to 30 s; after a write error close and reconnect on the next record.
type tcpTransport struct {
	addr      string
	opts      Options
	conn      net.Conn
	retryAt   time.Time
	retryWait time.Duration
	line      []byte
}

func (t *tcpTransport) connect() error {
	now := t.opts.Now()
	if !t.retryAt.IsZero() && now.Before(t.retryAt) {
		return errRetryWait
	}
	c, err := net.DialTimeout("tcp", t.addr, t.opts.DialTimeout)
	if err != nil {
		if t.retryWait == 0 {
			t.retryWait = RetryStart
		} else {
			t.retryWait = min(2*t.retryWait, RetryMax)
		}
		t.retryAt = now.Add(t.retryWait)
		return fmt.Errorf("tcp connect %s (next try in %s): %w", t.addr, t.retryWait, err)
	}
	t.conn = c
	t.retryAt = time.Time{}
	t.retryWait = 0
	return nil
}

func (t *tcpTransport) write(data []byte) error {
	if t.conn != nil && peerClosed(t.conn) {
		_ = t.conn.Close()
		t.conn = nil
	}
	if t.conn == nil {
		if err := t.connect(); err != nil {
			return err
		}
	}
	t.line = append(append(t.line[:0], data...), '\n')
	if err := t.conn.SetWriteDeadline(time.Now().Add(t.opts.WriteTimeout)); err != nil {
		return t.fail(err)
	}
	if _, err := t.conn.Write(t.line); err != nil {
		return t.fail(err)
	}
	return nil
}

func (t *tcpTransport) fail(err error) error {
	_ = t.conn.Close()
	t.conn = nil
	return fmt.Errorf("tcp send %s: %w", t.addr, err)
}

func (t *tcpTransport) close() error {
	if t.conn == nil {
		return nil
	}
	err := t.conn.Close()
	t.conn = nil
	return err
}

// Stats counts records by what happened to them.
type Stats struct {
	mu   sync.Mutex
	snap Snapshot
}

// Snapshot is the counts of sent and dropped records.
type Snapshot struct {
	// Total is the number of records sent.
	Total int `json:"total"`
	// Dropped is the number of records not sent.
	Dropped int `json:"dropped"`
	// DropReasons counts dropped records by reason.
	DropReasons map[string]int `json:"drop_reasons"`
	// Loggers counts sent records per logger.
	Loggers map[string]int `json:"loggers"`
	// Levels counts sent records per level.
	Levels map[string]int `json:"levels"`
	// LoggerLevels counts sent records per logger, then level.
	LoggerLevels map[string]map[string]int `json:"logger_levels"`
	// ExceptionKinds counts sent records per exception kind.
	ExceptionKinds map[string]int `json:"exception_kinds"`
	// MIMETypes counts sent worker records per MIME type.
	MIMETypes map[string]int `json:"mime_types"`
	// DroppedLoggers counts dropped records per logger.
	DroppedLoggers map[string]int `json:"dropped_loggers"`
}

func (s *Stats) init() {
	s.snap = Snapshot{
		DropReasons: map[string]int{}, Loggers: map[string]int{}, Levels: map[string]int{},
		LoggerLevels: map[string]map[string]int{}, ExceptionKinds: map[string]int{},
		MIMETypes: map[string]int{}, DroppedLoggers: map[string]int{},
	}
}

func (s *Stats) sent(m Meta) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap.Total++
	s.snap.Loggers[m.Logger]++
	s.snap.Levels[m.Level]++
	ll := s.snap.LoggerLevels[m.Logger]
	if ll == nil {
		ll = map[string]int{}
		s.snap.LoggerLevels[m.Logger] = ll
	}
	ll[m.Level]++
	if m.Kind != "" {
		s.snap.ExceptionKinds[m.Kind]++
	}
	if m.MIME != "" {
		s.snap.MIMETypes[m.MIME]++
	}
}

func (s *Stats) drop(m Meta, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap.Dropped++
	s.snap.DropReasons[reason]++
	s.snap.DroppedLoggers[m.Logger]++
}

// unsend moves a record counted sent to the dropped ones.
func (s *Stats) unsend(m Meta, reason string) {
	s.mu.Lock()
	s.snap.Total--
	dec(s.snap.Loggers, m.Logger)
	dec(s.snap.Levels, m.Level)
	if ll := s.snap.LoggerLevels[m.Logger]; ll != nil {
		dec(ll, m.Level)
		if len(ll) == 0 {
			delete(s.snap.LoggerLevels, m.Logger)
		}
	}
	if m.Kind != "" {
		dec(s.snap.ExceptionKinds, m.Kind)
	}
	if m.MIME != "" {
		dec(s.snap.MIMETypes, m.MIME)
	}
	s.mu.Unlock()
	s.drop(m, reason)
}

// dec decrements a count, removing it at zero.
func dec(m map[string]int, k string) {
	if m[k]--; m[k] <= 0 {
		delete(m, k)
	}
}

func (s *Stats) snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.snap
	c.DropReasons = clone(c.DropReasons)
	c.Loggers = clone(c.Loggers)
	c.Levels = clone(c.Levels)
	c.ExceptionKinds = clone(c.ExceptionKinds)
	c.MIMETypes = clone(c.MIMETypes)
	c.DroppedLoggers = clone(c.DroppedLoggers)
	c.LoggerLevels = make(map[string]map[string]int, len(s.snap.LoggerLevels))
	for k, v := range s.snap.LoggerLevels {
		c.LoggerLevels[k] = clone(v)
	}
	return c
}

func clone(m map[string]int) map[string]int {
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// SortedKeys returns m's keys, largest count first, then by name.
func SortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
