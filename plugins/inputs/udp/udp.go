// Package udp is the udp input: events from UDP datagrams, one codec
// Decode and Flush per datagram (plain by default), as Logstash's udp input.
//
// Socket readers take datagrams off one or more sockets in batches
// (recvmmsg on Linux), hand them through a bounded queue to decode workers,
// and the workers emit the events of a batch together. The source IP goes
// into host (ECS disabled) or [host][ip] (ECS v1/v8) only when the event has
// no such field and the path can hold it, so a sender's own string host
// (python-logstash) survives. Datagrams the kernel drops because the
// socket's receive buffer is full are counted (SO_RXQ_OVFL and SO_MEMINFO on
// Linux) and logged.
package udp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "udp"

// maxBufferSize is the largest useful buffer_size: no UDP datagram carries
// more than 65,527 bytes of payload.
const maxBufferSize = 65536

// maxReadBatch is the most datagrams one read (recvmmsg) takes.
const maxReadBatch = 64

// maxReaders bounds the readers option.
const maxReaders = 64

// defaultReceiveBuffer is the receive buffer asked for when
// receive_buffer_bytes is not set; the kernel caps it at its limit
// (net.core.rmem_max on Linux) without a warning.
const defaultReceiveBuffer = 4 << 20

// dropLogInterval is the least time between two logs about kernel drops.
const dropLogInterval = 10 * time.Second

// dropPollInterval is how often the sockets' drop counters are read when
// no datagram brings news of them.
const dropPollInterval = time.Second

// Config is the udp input's configuration. The codec, type, tags and
// add_field options are common to every input.
type Config struct {
	// Host is the address to listen on; IPv4 or IPv6 by its family.
	Host string `hcl:"host,optional"`
	// Port is the port to listen on (0 picks a free one).
	Port int `hcl:"port"`
	// BufferSize is the most bytes read per datagram; longer datagrams are
	// truncated by the kernel (and counted as truncated).
	BufferSize int `hcl:"buffer_size,optional"`
	// Workers is the number of decode goroutines.
	Workers int `hcl:"workers,optional"`
	// QueueSize is the most datagrams held between the socket readers and
	// the workers; when it is full the readers wait and the kernel drops.
	QueueSize int `hcl:"queue_size,optional"`
	// ReceiveBufferBytes sets the socket's receive buffer (SO_RCVBUF); a
	// warning is logged when the OS grants less. 0 (unset) asks for 4 MiB
	// and takes what the OS grants without a warning.
	ReceiveBufferBytes int `hcl:"receive_buffer_bytes,optional"`
	// SourceIPFieldname is the field the sender's IP goes to. Default:
	// host with ECS disabled, [host][ip] with v1/v8.
	SourceIPFieldname string `hcl:"source_ip_fieldname,optional"`
	// ECSCompatibility is disabled, v1 or v8. Default: the pipeline's.
	ECSCompatibility string `hcl:"ecs_compatibility,optional"`
	// Readers is the number of sockets bound to the address with
	// SO_REUSEPORT, one reader goroutine each (pipe only; Logstash has one).
	Readers int `hcl:"readers,optional"`
}

func defaults() *Config {
	return &Config{Host: "0.0.0.0", BufferSize: 65536, Workers: 2, QueueSize: 2000, Readers: 1}
}

// Validate checks the options.
func (c *Config) Validate() error {
	var errs []error
	bad := func(attr, summary, detail string) {
		errs = append(errs, &pipeline.ConfigError{Attr: attr, Summary: summary, Detail: detail})
	}
	if c.Host == "" {
		bad("host", "must not be empty", `use "0.0.0.0" for every IPv4 address or "::" for every address`)
	}
	if c.Port < 0 || c.Port > 65535 {
		bad("port", fmt.Sprintf("%d is not a port", c.Port), "use 1 to 65535 (0 picks a free port)")
	}
	if c.BufferSize < 1 || c.BufferSize > maxBufferSize {
		bad("buffer_size", fmt.Sprintf("%d is out of range", c.BufferSize),
			fmt.Sprintf("use 1 to %d (no UDP datagram is longer)", maxBufferSize))
	}
	if c.Workers < 1 {
		bad("workers", fmt.Sprintf("%d is out of range", c.Workers), "use 1 or more")
	}
	if c.QueueSize < 1 {
		bad("queue_size", fmt.Sprintf("%d is out of range", c.QueueSize), "use 1 or more")
	}
	if c.ReceiveBufferBytes < 0 {
		bad("receive_buffer_bytes", fmt.Sprintf("%d is out of range", c.ReceiveBufferBytes),
			"use a size in bytes, or leave it out for the OS default")
	}
	if c.Readers < 1 || c.Readers > maxReaders {
		bad("readers", fmt.Sprintf("%d is out of range", c.Readers), fmt.Sprintf("use 1 to %d", maxReaders))
	}
	if c.SourceIPFieldname != "" {
		if _, err := pipeline.ParseFieldRef(c.SourceIPFieldname); err != nil {
			bad("source_ip_fieldname", err.Error(), `use a field reference such as "host" or "[host][ip]"`)
		}
	}
	switch c.ECSCompatibility {
	case "", "disabled", "v1", "v8":
	default:
		bad("ecs_compatibility", fmt.Sprintf("unknown value %q", c.ECSCompatibility), `use "disabled", "v1" or "v8"`)
	}
	return errors.Join(errs...)
}

// Plugin describes the udp input for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewInputPlugin(Name, "reads events from UDP datagrams", "plain", defaults, build)
}

// Input reads datagrams from its sockets until the pipeline stops. Run is
// called once.
type Input struct {
	cfg    Config
	codec  pipeline.Codec
	srcRef pipeline.FieldRef
	log    *slog.Logger

	datagrams   *atomic.Int64
	truncated   *atomic.Int64
	kernelDrops *atomic.Int64

	// ready is closed once Run has bound its sockets (or failed to); addr
	// is then the bound address (nil on failure).
	ready chan struct{}
	addr  net.Addr
	once  sync.Once
	// rcvbuf is the receive buffer the OS granted (-1: unknown).
	rcvbuf int
}

var _ pipeline.Input = (*Input)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Input, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if d.Codec == nil {
		return nil, errors.New("udp needs a codec")
	}
	ecs := c.ECSCompatibility
	if ecs == "" {
		ecs = d.Settings.ECSCompatibility
	}
	field := c.SourceIPFieldname
	if field == "" {
		field = "[host][ip]"
		if ecs == "disabled" {
			field = "host"
		}
	}
	ref, err := pipeline.ParseFieldRef(field)
	if err != nil {
		return nil, fmt.Errorf("source_ip_fieldname: %w", err)
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := d.Metrics
	if m == nil {
		m = &pipeline.Metrics{}
	}
	return &Input{
		cfg: *c, codec: d.Codec, srcRef: ref, log: log,
		datagrams:   m.Counter("datagrams"),
		truncated:   m.Counter("truncated"),
		kernelDrops: m.Counter("kernel_drops"),
		ready:       make(chan struct{}),
	}, nil
}

// Addr returns the address the input is bound to, waiting until Run has
// bound it; nil when Run failed to bind. Tests use it with port 0.
func (in *Input) Addr() net.Addr {
	<-in.ready
	return in.addr
}

func (in *Input) setReady(a net.Addr) {
	in.once.Do(func() {
		in.addr = a
		close(in.ready)
	})
}

// socket is one bound socket and what its kernel reported dropping.
type socket struct {
	conn *net.UDPConn
	// drops is the kernel's cumulative drop count last seen (SO_RXQ_OVFL
	// or SO_MEMINFO); only increases are counted.
	drops atomic.Int64
}

// packets is a batch of datagrams: their bytes back to back, where each
// one ends, and who sent it.
type packets struct {
	data []byte
	ends []int
	srcs []netip.Addr
}

func (p *packets) reset() {
	p.data = p.data[:0]
	p.ends = p.ends[:0]
	p.srcs = p.srcs[:0]
}

// run is the state of one Run call.
type run struct {
	in      *Input
	socks   []*socket
	queue   chan *packets
	credits *credits
	pool    sync.Pool
	drops   *dropLog
}

// Run implements pipeline.Input: it binds where configured, reads until
// ctx is done, then closes the sockets, decodes and emits every datagram
// already read, and returns.
func (in *Input) Run(ctx context.Context, out pipeline.Emitter) error {
	socks, err := in.listen(ctx)
	if err != nil {
		in.setReady(nil)
		return err
	}
	in.setReady(socks[0].conn.LocalAddr())
	in.log.Info("udp input listening", "address", socks[0].conn.LocalAddr().String(), "readers", len(socks),
		"receive_buffer_bytes", in.rcvbuf)

	readBatch := min(maxReadBatch, in.cfg.QueueSize)
	r := &run{
		in: in, socks: socks,
		queue:   make(chan *packets, in.cfg.QueueSize),
		credits: newCredits(in.cfg.QueueSize),
		drops:   &dropLog{log: in.log, total: in.kernelDrops},
	}
	r.pool.New = func() any { return &packets{} }

	var workers, readers sync.WaitGroup
	for range in.cfg.Workers {
		workers.Go(func() { r.work(out) })
	}
	for _, s := range socks {
		readers.Go(func() { r.read(ctx, s, readBatch) })
	}
	stopPoll := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		t := time.NewTicker(dropPollInterval)
		defer t.Stop()
		for {
			select {
			case <-stopPoll:
				return
			case <-t.C:
				r.pollDrops()
			}
		}
	}()

	<-ctx.Done()
	now := time.Now()
	for _, s := range socks {
		// Wakes a reader blocked in a read; a reader blocked on the queue
		// gets through as the workers go on decoding.
		_ = s.conn.SetReadDeadline(now)
	}
	readers.Wait()
	close(stopPoll)
	<-polled
	r.pollDrops()
	for _, s := range socks {
		_ = s.conn.Close()
	}
	close(r.queue)
	workers.Wait()
	r.drops.final()
	return nil
}

// listen binds the configured number of sockets to the address.
func (in *Input) listen(ctx context.Context) ([]*socket, error) {
	ip, err := resolve(ctx, in.cfg.Host)
	if err != nil {
		return nil, err
	}
	network := "udp6"
	switch {
	case ip.Is4():
		network = "udp4"
	case ip.IsUnspecified():
		network = "udp" // "::": dual stack, as Logstash (Java) binds it
	}
	port := in.cfg.Port
	rcvbuf := in.cfg.ReceiveBufferBytes
	if rcvbuf == 0 {
		rcvbuf = defaultReceiveBuffer
	}
	var socks []*socket
	for i := range in.cfg.Readers {
		lc := net.ListenConfig{Control: controlFunc(in.cfg.Readers > 1, rcvbuf)}
		addr := net.JoinHostPort(ip.String(), strconv.Itoa(port))
		pc, err := lc.ListenPacket(ctx, network, addr)
		if err != nil {
			for _, s := range socks {
				_ = s.conn.Close()
			}
			return nil, fmt.Errorf("udp: listen on %s (socket %d): %w", addr, i+1, err)
		}
		conn := pc.(*net.UDPConn)
		// Set before bind on Linux already; this covers other systems.
		_ = conn.SetReadBuffer(rcvbuf)
		socks = append(socks, &socket{conn: conn})
		if port == 0 {
			// The other sockets share the port the kernel picked.
			port = conn.LocalAddr().(*net.UDPAddr).Port
		}
	}
	got, err := receiveBuffer(socks[0].conn)
	switch {
	case err != nil:
		in.log.Warn("udp: cannot read back the receive buffer size", "error", err)
	case in.cfg.ReceiveBufferBytes > 0 && got >= 0 && got < in.cfg.ReceiveBufferBytes:
		in.log.Warn("udp: the OS gave a smaller receive buffer than receive_buffer_bytes; raise its limit (Linux: sysctl net.core.rmem_max)",
			"receive_buffer_bytes", in.cfg.ReceiveBufferBytes, "granted", got)
	}
	in.rcvbuf = got
	return socks, nil
}

// resolve turns the host option into one IP address.
func resolve(ctx context.Context, host string) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.WithZone(""), nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("udp: resolve host %q: %w", host, err)
	}
	if len(ips) == 0 {
		return netip.Addr{}, fmt.Errorf("udp: host %q has no address", host)
	}
	return ips[0].Unmap(), nil
}

// read takes datagrams off one socket until the read deadline set at stop.
func (r *run) read(ctx context.Context, s *socket, batch int) {
	in := r.in
	msgs := make([]message, batch)
	bufs := make([]byte, batch*in.cfg.BufferSize)
	var oobs []byte
	if oobSize > 0 {
		oobs = make([]byte, batch*oobSize)
	}
	for i := range msgs {
		size := in.cfg.BufferSize
		msgs[i].buf = bufs[i*size : (i+1)*size : (i+1)*size]
		if oobSize > 0 {
			msgs[i].oob = oobs[i*oobSize : (i+1)*oobSize : (i+1)*oobSize]
		}
	}
	readBatch, err := newBatchReader(s.conn, msgs)
	if err != nil {
		in.log.Error("udp: cannot read from the socket", "error", err)
		return
	}
	var lastErr time.Time
	for {
		n, err := readBatch()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Errors on an unconnected UDP socket are transient (e.g.
			// ENOMEM); log them now and then and go on.
			if time.Since(lastErr) > dropLogInterval {
				in.log.Warn("udp: read failed", "error", err)
				lastErr = time.Now()
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if n == 0 {
			continue
		}
		p := r.pool.Get().(*packets)
		for i := range msgs[:n] {
			m := &msgs[i]
			if m.nn > 0 {
				if d, ok := dropsFromOOB(m.oob[:m.nn]); ok {
					r.observeDrops(s, int64(d))
				}
			}
			if m.trunc {
				in.truncated.Add(1)
			}
			p.data = append(p.data, m.buf[:m.n]...)
			p.ends = append(p.ends, len(p.data))
			p.srcs = append(p.srcs, m.src)
		}
		in.datagrams.Add(int64(n))
		r.credits.acquire(n)
		r.queue <- p
	}
}

// message is one datagram slot of a batch read: the buffers are set once,
// the rest by each read.
type message struct {
	buf []byte // buffer_size bytes
	oob []byte // oobSize bytes of ancillary data (nil without)
	n   int    // datagram length (at most len(buf))
	nn  int    // ancillary data length
	// trunc says the datagram was longer than buf.
	trunc bool
	// src is the sender's IP (an IPv4 sender on a dual-stack socket as
	// IPv4).
	src netip.Addr
}

// work decodes batches of datagrams and emits each batch's events at once.
func (r *run) work(out pipeline.Emitter) {
	dec := r.in.codec.NewDecoder()
	var evs []*pipeline.Event
	names := map[netip.Addr]any{} // senders' IPs as text, boxed once
	var src any
	emit := func(e *pipeline.Event) {
		if src != nil {
			e.SetIfAbsent(r.in.srcRef, src)
		}
		evs = append(evs, e)
	}
	for p := range r.queue {
		start := 0
		for i, end := range p.ends {
			src = nil
			if a := p.srcs[i]; a.IsValid() {
				name, ok := names[a]
				if !ok {
					if len(names) >= 1024 {
						clear(names)
					}
					name = a.String()
					names[a] = name
				}
				src = name
			}
			dec.Decode(p.data[start:end], emit)
			dec.Flush(emit)
			start = end
		}
		n := len(p.ends)
		p.reset()
		r.pool.Put(p)
		if len(evs) > 0 {
			out.EmitAll(evs)
			clear(evs)
			evs = evs[:0]
		}
		r.credits.release(n)
	}
}

// observeDrops takes a socket's cumulative drop count and counts what is
// new.
func (r *run) observeDrops(s *socket, cum int64) {
	for {
		old := s.drops.Load()
		if cum <= old {
			return
		}
		if s.drops.CompareAndSwap(old, cum) {
			r.drops.add(cum - old)
			return
		}
	}
}

// pollDrops reads every socket's drop counter.
func (r *run) pollDrops() {
	for _, s := range r.socks {
		if d, ok := socketDrops(s.conn); ok {
			r.observeDrops(s, int64(d))
		}
	}
}

// credits bounds the datagrams between the readers and the workers.
type credits struct {
	mu   sync.Mutex
	cond sync.Cond
	used int
	max  int
}

func newCredits(max int) *credits {
	c := &credits{max: max}
	c.cond.L = &c.mu
	return c
}

// acquire waits until n more datagrams fit (n ≤ max).
func (c *credits) acquire(n int) {
	c.mu.Lock()
	for c.used+n > c.max {
		c.cond.Wait()
	}
	c.used += n
	c.mu.Unlock()
}

// release gives back n datagrams' room.
func (c *credits) release(n int) {
	c.mu.Lock()
	c.used -= n
	c.mu.Unlock()
	c.cond.Broadcast()
}

// dropLog counts kernel drops and logs them at most every dropLogInterval.
type dropLog struct {
	log      *slog.Logger
	total    *atomic.Int64
	mu       sync.Mutex
	last     time.Time
	reported int64
}

func (d *dropLog) add(n int64) {
	total := d.total.Add(n)
	d.mu.Lock()
	defer d.mu.Unlock()
	if time.Since(d.last) < dropLogInterval {
		return
	}
	d.report(total)
}

// report logs the drops since the last report; d.mu is held.
func (d *dropLog) report(total int64) {
	d.log.Warn("udp: the kernel dropped datagrams because the socket's receive buffer was full; raise receive_buffer_bytes, workers or queue_size, or lighten the pipeline",
		"dropped", total-d.reported, "kernel_drops", total)
	d.reported = total
	d.last = time.Now()
}

// final logs drops not reported yet.
func (d *dropLog) final() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if total := d.total.Load(); total > d.reported {
		d.report(total)
	}
}
