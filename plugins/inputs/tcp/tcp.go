// Package tcp is the tcp input: events from TCP connections, as Logstash's
// tcp input. In server mode it listens and decodes every accepted
// connection as its own byte stream (codec line by default); in client mode
// it connects to a server and reconnects with backoff. TLS (with mutual
// authentication) and HAProxy's PROXY protocol v1 are supported.
package tcp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "tcp"

// Names of the counters the input keeps in its metrics.
const (
	// CounterConnections counts connections accepted (server) or made
	// (client).
	CounterConnections = "connections"
	// CounterConnectionsOpen is the number of connections open now.
	CounterConnectionsOpen = "connections_open"
	// CounterTLSHandshakeFailures counts TLS handshakes that failed (bad or
	// missing client certificate, protocol mismatch, plain text on a TLS
	// port).
	CounterTLSHandshakeFailures = "tls_handshake_failures"
	// CounterProxyHeaderFailures counts connections closed because their
	// PROXY protocol header was missing or malformed.
	CounterProxyHeaderFailures = "proxy_header_failures"
	// CounterBytesUnreadAtStop counts bytes a peer had sent that were still
	// unread when pipe stopped and closed the connection.
	CounterBytesUnreadAtStop = "bytes_unread_at_stop"
)

const (
	// readSize is the size of one read from a busy connection.
	readSize = 64 << 10
	// firstReadSize is the buffer a connection starts with; it grows to
	// readSize when a read fills it, so idle connections hold little.
	firstReadSize = 4 << 10
	// maxPending is the most decoded events held before they go to the
	// queue.
	maxPending = 1024
	// dnsTimeout bounds one reverse lookup.
	dnsTimeout = 2 * time.Second
	// dnsCacheSize bounds the reverse-lookup cache (entries).
	dnsCacheSize = 4096
	// dnsTTL is how long a reverse-lookup result is kept.
	dnsTTL = 5 * time.Minute
	// logEvery is the least time between two log lines of one kind of
	// connection failure.
	logEvery = 10 * time.Second
	// backoffMin and backoffMax bound the client mode's reconnection delay
	// and the server's delay after a failed accept.
	backoffMin = 100 * time.Millisecond
	backoffMax = 30 * time.Second
)

// Config is the tcp input's configuration, with Logstash's option names
// and defaults. The codec, type, tags and add_field options are common to
// every input.
type Config struct {
	// Host is the address to listen on (server) or to connect to (client).
	Host string `hcl:"host,optional"`
	// Port is the port to listen on (server; 0 picks a free one) or to
	// connect to (client).
	Port int `hcl:"port"`
	// Mode is "server" (listen) or "client" (connect).
	Mode string `hcl:"mode,optional"`
	// TCPKeepAlive turns on TCP keep-alives with the system's timings.
	TCPKeepAlive bool `hcl:"tcp_keep_alive,optional"`
	// DNSReverseLookupEnabled puts the peer's reverse-DNS name rather than
	// its IP in host ([@metadata][input][tcp][source][name] with ECS).
	DNSReverseLookupEnabled bool `hcl:"dns_reverse_lookup_enabled,optional"`
	// ProxyProtocol expects a HAProxy PROXY protocol v1 header at the start
	// of every connection.
	ProxyProtocol bool `hcl:"proxy_protocol,optional"`

	// SSLEnabled turns TLS on; the other ssl_* options apply only then.
	SSLEnabled bool `hcl:"ssl_enabled,optional"`
	// SSLCertificate is the PEM certificate (chain) file.
	SSLCertificate string `hcl:"ssl_certificate,optional"`
	// SSLKey is the PEM private key file (PKCS#1, PKCS#8 or SEC 1; may be
	// encrypted, see SSLKeyPassphrase).
	SSLKey string `hcl:"ssl_key,optional"`
	// SSLKeyPassphrase decrypts SSLKey. secret: never logged or put in an
	// error message.
	SSLKeyPassphrase string `hcl:"ssl_key_passphrase,optional"`
	// SSLCertificateAuthorities are PEM files of the CAs that client
	// (server mode) or server (client mode) certificates must chain to.
	SSLCertificateAuthorities []string `hcl:"ssl_certificate_authorities,optional"`
	// SSLClientAuthentication is none, optional or required (server mode).
	// Unset: required when CAs are given, none otherwise.
	SSLClientAuthentication string `hcl:"ssl_client_authentication,optional"`
	// SSLVerificationMode is full or none (client mode; unset: full).
	SSLVerificationMode string `hcl:"ssl_verification_mode,optional"`
	// SSLSupportedProtocols are among TLSv1.1, TLSv1.2 and TLSv1.3.
	SSLSupportedProtocols []string `hcl:"ssl_supported_protocols,optional"`
	// SSLCipherSuites are IANA cipher suite names, in order of preference.
	SSLCipherSuites []string `hcl:"ssl_cipher_suites,optional"`
	// SSLExtraChainCerts are PEM files of certificates sent after the
	// certificate's own chain.
	SSLExtraChainCerts []string `hcl:"ssl_extra_chain_certs,optional"`

	// ECSCompatibility selects the field names: disabled, v1 or v8.
	// Default: the pipeline's.
	ECSCompatibility string `hcl:"ecs_compatibility,optional"`

	// tlsConfig is what Validate made of the ssl_* options.
	tlsConfig *tls.Config
}

func defaults() *Config {
	return &Config{Host: "0.0.0.0", Mode: "server", DNSReverseLookupEnabled: true}
}

// Validate checks the options, and with ssl_enabled reads and parses the
// certificate, key and CA files (no network).
func (c *Config) Validate() error {
	var errs []error
	bad := func(attr, summary, detail string) {
		errs = append(errs, &pipeline.ConfigError{Attr: attr, Summary: summary, Detail: detail})
	}
	if c.Port < 0 || c.Port > 65535 {
		bad("port", fmt.Sprintf("port %d is out of range", c.Port), "use 1 to 65535 (0 in server mode picks a free port)")
	}
	if c.Port == 0 && c.Mode == "client" {
		bad("port", "client mode needs a port", "set the server's port, 1 to 65535")
	}
	switch c.Mode {
	case "server", "client":
	default:
		bad("mode", fmt.Sprintf("unknown value %q", c.Mode), `use "server" or "client"`)
	}
	if c.Host == "" {
		bad("host", "must not be empty", `use an address such as "0.0.0.0"`)
	}
	switch c.ECSCompatibility {
	case "", "disabled", "v1", "v8":
	default:
		bad("ecs_compatibility", fmt.Sprintf("unknown value %q", c.ECSCompatibility), `use "disabled", "v1" or "v8"`)
	}
	switch c.SSLClientAuthentication {
	case "", "none", "optional", "required":
	default:
		bad("ssl_client_authentication", fmt.Sprintf("unknown value %q", c.SSLClientAuthentication), `use "none", "optional" or "required"`)
	}
	switch c.SSLVerificationMode {
	case "", "full", "none":
	default:
		bad("ssl_verification_mode", fmt.Sprintf("unknown value %q", c.SSLVerificationMode), `use "full" or "none"`)
	}
	if len(errs) > 0 || !c.SSLEnabled {
		return errors.Join(errs...)
	}
	if c.SSLCertificate != "" && c.SSLKey == "" {
		bad("ssl_key", "ssl_certificate needs ssl_key", "set ssl_key to the certificate's private key file")
	}
	if c.SSLKey != "" && c.SSLCertificate == "" {
		bad("ssl_certificate", "ssl_key needs ssl_certificate", "set ssl_certificate to the key's certificate file")
	}
	if c.Mode == "server" {
		if c.SSLCertificate == "" && c.SSLKey == "" {
			bad("ssl_certificate", "a TLS server needs a certificate", "set ssl_certificate and ssl_key")
		}
		if c.SSLVerificationMode != "" {
			bad("ssl_verification_mode", "applies to client mode only", "in server mode use ssl_client_authentication")
		}
		if a := c.SSLClientAuthentication; (a == "optional" || a == "required") && len(c.SSLCertificateAuthorities) == 0 {
			bad("ssl_certificate_authorities", fmt.Sprintf("ssl_client_authentication %q needs certificate authorities", a),
				"list the CA files that client certificates must chain to")
		}
	} else if c.SSLClientAuthentication != "" {
		bad("ssl_client_authentication", "applies to server mode only", "in client mode use ssl_verification_mode")
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	cfg, err := c.buildTLS()
	if err != nil {
		return err
	}
	c.tlsConfig = cfg
	return nil
}

// clientAuth is the effective ssl_client_authentication.
func (c *Config) clientAuth() string {
	if c.SSLClientAuthentication != "" {
		return c.SSLClientAuthentication
	}
	if len(c.SSLCertificateAuthorities) > 0 {
		return "required"
	}
	return "none"
}

// Plugin describes the tcp input for the registry.
func Plugin() pipeline.Plugin {
	p := pipeline.NewInputPlugin(Name, "reads events from TCP connections (server or client)", "line", defaults, build)
	p.StreamCodec = true
	return p
}

// fields are the references of the fields the input sets on events.
type fields struct {
	name, ip, port, proxyIP, proxyPort, subject pipeline.FieldRef
}

func newFields(ecs string) fields {
	if ecs == "disabled" {
		return fields{
			name: pipeline.MustFieldRef("host"), ip: pipeline.MustFieldRef("[@metadata][ip_address]"),
			port: pipeline.MustFieldRef("port"), proxyIP: pipeline.MustFieldRef("proxy_host"),
			proxyPort: pipeline.MustFieldRef("proxy_port"), subject: pipeline.MustFieldRef("sslsubject"),
		}
	}
	const p = "[@metadata][input][tcp]"
	return fields{
		name: pipeline.MustFieldRef(p + "[source][name]"), ip: pipeline.MustFieldRef(p + "[source][ip]"),
		port: pipeline.MustFieldRef(p + "[source][port]"), proxyIP: pipeline.MustFieldRef(p + "[proxy][ip]"),
		proxyPort: pipeline.MustFieldRef(p + "[proxy][port]"), subject: pipeline.MustFieldRef(p + "[tls][client][subject]"),
	}
}

// Input reads events from TCP connections until the pipeline stops.
type Input struct {
	cfg    *Config
	codec  pipeline.Codec
	fields fields
	tls    *tls.Config
	log    *slog.Logger
	dns    *dnsCache

	connections, open, tlsFailures, proxyFailures *atomic.Int64
	unreadAtStop                                  *atomic.Int64

	logLimit rateLimits

	ready chan struct{}
	addr  atomic.Pointer[net.TCPAddr]
}

var _ pipeline.Input = (*Input)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Input, error) {
	if d.Codec == nil {
		return nil, errors.New("tcp needs a codec")
	}
	ecs := c.ECSCompatibility
	if ecs == "" {
		ecs = d.Settings.ECSCompatibility
	}
	in := &Input{cfg: c, codec: d.Codec, fields: newFields(ecs), log: d.Logger, ready: make(chan struct{})}
	if in.log == nil {
		in.log = slog.New(slog.DiscardHandler)
	}
	m := d.Metrics
	if m == nil {
		m = &pipeline.Metrics{}
	}
	in.connections = m.Counter(CounterConnections)
	in.open = m.Counter(CounterConnectionsOpen)
	in.tlsFailures = m.Counter(CounterTLSHandshakeFailures)
	in.proxyFailures = m.Counter(CounterProxyHeaderFailures)
	in.unreadAtStop = m.Counter(CounterBytesUnreadAtStop)
	if !c.SSLEnabled && (c.SSLCertificate != "" || c.SSLKey != "" || len(c.SSLCertificateAuthorities) > 0 ||
		c.SSLClientAuthentication != "" || c.SSLVerificationMode != "" || len(c.SSLSupportedProtocols) > 0 ||
		len(c.SSLCipherSuites) > 0 || len(c.SSLExtraChainCerts) > 0 || c.SSLKeyPassphrase != "") {
		in.log.Warn("tcp: ssl_* options are ignored because ssl_enabled is false")
	}
	if c.SSLEnabled {
		in.tls = c.tlsConfig
		if in.tls == nil {
			cfg, err := c.buildTLS()
			if err != nil {
				return nil, fmt.Errorf("tcp: %w", err)
			}
			in.tls = cfg
		}
	}
	if c.DNSReverseLookupEnabled {
		in.dns = newDNSCache(net.DefaultResolver.LookupAddr, dnsCacheSize, dnsTTL, dnsTimeout)
	}
	return in, nil
}

// Listening is closed once the server's listener is bound (or binding
// failed, or the input is in client mode); Addr then returns the address.
func (in *Input) Listening() <-chan struct{} { return in.ready }

// Addr returns the address the server listens on, nil before it is bound
// and in client mode. With port 0 it tells which port was picked.
func (in *Input) Addr() net.Addr {
	if a := in.addr.Load(); a != nil {
		return a
	}
	return nil
}

// SetReverseLookup replaces the reverse-DNS lookup (tests; call before Run).
func (in *Input) SetReverseLookup(lookup func(ctx context.Context, ip string) ([]string, error)) {
	if in.dns != nil {
		in.dns.lookup = lookup
	}
}

// Run implements pipeline.Input.
func (in *Input) Run(ctx context.Context, out pipeline.Emitter) error {
	if in.cfg.Mode == "client" {
		close(in.ready)
		return in.runClient(ctx, out)
	}
	return in.runServer(ctx, out)
}

// network returns the listen or dial network that binds exactly the
// configured host: tcp4 for an IPv4 literal (so 0.0.0.0 is not dual
// stack), tcp6 for an IPv6 literal, tcp for a name.
func network(host string) string {
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Is4() {
			return "tcp4"
		}
		return "tcp6"
	}
	return "tcp"
}

func (in *Input) keepAlive() time.Duration {
	if in.cfg.TCPKeepAlive {
		return 0 // Go's and the system's defaults
	}
	return -1
}

func (in *Input) runServer(ctx context.Context, out pipeline.Emitter) error {
	address := net.JoinHostPort(in.cfg.Host, strconv.Itoa(in.cfg.Port))
	lc := net.ListenConfig{KeepAlive: in.keepAlive()}
	ln, err := lc.Listen(ctx, network(in.cfg.Host), address)
	if err != nil {
		close(in.ready)
		return fmt.Errorf("tcp: listen on %s: %w", address, err)
	}
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		in.addr.Store(a)
	}
	close(in.ready)
	in.log.Info("tcp input listening", "address", ln.Addr().String(), "ssl_enabled", in.tls != nil)
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	delay := time.Duration(0)
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				break
			}
			// Out of file descriptors and the like: wait and retry.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			in.logLimit.warn(in.log, "accept", "tcp accept failed", "error", err)
			if !sleep(ctx, delay) {
				break
			}
			continue
		}
		delay = 0
		in.connections.Add(1)
		wg.Go(func() { in.serve(ctx, c, out, false) })
	}
	_ = ln.Close()
	wg.Wait()
	return nil
}

func (in *Input) runClient(ctx context.Context, out pipeline.Emitter) error {
	address := net.JoinHostPort(in.cfg.Host, strconv.Itoa(in.cfg.Port))
	d := net.Dialer{KeepAlive: in.keepAlive(), Timeout: 10 * time.Second}
	delay := backoffMin
	for ctx.Err() == nil {
		c, err := d.DialContext(ctx, "tcp", address)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			in.logLimit.warn(in.log, "dial", "tcp client cannot connect, retrying", "address", address, "retry_in", delay.String(), "error", err)
			if !sleep(ctx, delay) {
				break
			}
			delay = min(2*delay, backoffMax)
			continue
		}
		in.connections.Add(1)
		if in.serve(ctx, c, out, true) {
			delay = backoffMin
		}
		if ctx.Err() != nil {
			break
		}
		if !sleep(ctx, delay) {
			break
		}
		delay = min(2*delay, backoffMax)
	}
	return nil
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// peer is what the input knows of a connection's other end.
type peer struct {
	name, ip  string
	port      int64
	proxyIP   string
	proxyPort int64
	proxy     bool
	subject   string
}

// serve reads one connection to its end (or until ctx is done) and
// reports whether it got past the PROXY header and the TLS handshake.
func (in *Input) serve(ctx context.Context, c net.Conn, out pipeline.Emitter, client bool) bool {
	in.open.Add(1)
	defer in.open.Add(-1)
	// On stop, what the peer already sent is still read (see drainer),
	// then the connection is closed; what is left unread is counted.
	d := &drainer{conn: c}
	stop := context.AfterFunc(ctx, d.begin)
	defer stop()
	defer c.Close()
	defer func() {
		if n := d.unread(); n > 0 {
			in.unreadAtStop.Add(int64(n))
			in.log.Warn("tcp connection closed at stop with bytes still unread (counted as bytes_unread_at_stop)",
				"peer", c.RemoteAddr().String(), "bytes", n)
		}
	}()
	defer in.log.Debug("tcp connection closed", "peer", c.RemoteAddr().String())
	c = &countingConn{Conn: c, n: &d.read}

	var p peer
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		p.ip = a.AddrPort().Addr().Unmap().String()
		p.port = int64(a.Port)
	} else {
		p.ip = c.RemoteAddr().String()
	}
	remote := c.RemoteAddr().String()
	// The PROXY header comes first, in clear text, before any TLS (as
	// HAProxy sends it); bytes read after it are the stream's (or the TLS
	// handshake's) start.
	var conn net.Conn = c
	buf := make([]byte, firstReadSize)
	var rest []byte
	if in.cfg.ProxyProtocol {
		hdr, n, err := readProxyHeader(c, buf)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, io.EOF) {
				in.proxyFailures.Add(1)
				in.logLimit.warn(in.log, "proxy", "tcp PROXY header invalid, connection closed", "peer", remote, "error", err)
			}
			return false
		}
		rest = buf[hdr.length:n]
		if hdr.known {
			p.proxy = true
			p.ip, p.port = hdr.srcIP, hdr.srcPort
			p.proxyIP, p.proxyPort = hdr.dstIP, hdr.dstPort
		}
	}
	var r io.Reader = c
	if in.tls != nil {
		if len(rest) > 0 {
			conn = &prefixConn{Conn: c, rest: bytes.Clone(rest)}
			rest = nil
		}
		var tc *tls.Conn
		if client {
			cfg := in.tls
			if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
				cfg = cfg.Clone()
				cfg.ServerName = in.cfg.Host
			}
			tc = tls.Client(conn, cfg)
		} else {
			tc = tls.Server(conn, in.tls)
		}
		if err := tc.HandshakeContext(ctx); err != nil {
			if ctx.Err() == nil {
				in.tlsFailures.Add(1)
				in.logLimit.warn(in.log, "tls", "tcp TLS handshake failed, connection closed", "peer", remote, "error", err)
			}
			return false
		}
		// A client that does not verify the server has no subject to tell.
		if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 && !(client && in.tls.InsecureSkipVerify) {
			p.subject = certs[0].Subject.String()
		}
		r = tc
	}
	p.name = p.ip
	if in.dns != nil {
		p.name = in.dns.name(ctx, p.ip)
	}
	in.read(ctx, r, buf, rest, &p, out, d)
	return true
}

// read decodes the stream: rest (already read) first, then blocks read
// into buf, until the connection ends.
func (in *Input) read(ctx context.Context, r io.Reader, buf, rest []byte, p *peer, out pipeline.Emitter, d *drainer) {
	dec := in.codec.NewDecoder()
	f := &in.fields
	var evs []*pipeline.Event
	flush := func() {
		if len(evs) == 0 {
			return
		}
		out.EmitAll(evs)
		clear(evs)
		evs = evs[:0]
	}
	// The values are boxed once per connection, not once per event.
	var name, ip, port, proxyIP, proxyPort, subject any = p.name, p.ip, p.port, p.proxyIP, p.proxyPort, p.subject
	emit := func(e *pipeline.Event) {
		if p.proxy {
			e.SetIfAbsent(f.proxyIP, proxyIP)
			e.SetIfAbsent(f.proxyPort, proxyPort)
		}
		e.SetIfAbsent(f.name, name)
		e.SetIfAbsent(f.ip, ip)
		e.SetIfAbsent(f.port, port)
		if p.subject != "" {
			e.SetIfAbsent(f.subject, subject)
		}
		evs = append(evs, e)
		if len(evs) >= maxPending {
			flush()
		}
	}
	if len(rest) > 0 {
		dec.Decode(rest, emit)
		flush()
	}
	for {
		n, err := r.Read(buf)
		if n > 0 {
			dec.Decode(buf[:n], emit)
			flush()
			d.afterRead()
			if n == len(buf) && len(buf) < readSize {
				buf = make([]byte, readSize)
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() == nil {
				in.log.Debug("tcp connection ended", "peer", p.ip, "error", err)
			}
			break
		}
	}
	dec.Flush(emit)
	flush()
}

// prefixConn is a connection whose first bytes were already read.
type prefixConn struct {
	net.Conn
	rest []byte
}

// Read implements io.Reader: the bytes already read first.
func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.rest) > 0 {
		n := copy(p, c.rest)
		c.rest = c.rest[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// rateLimits keeps one rateLimit per kind of failure.
type rateLimits struct {
	accept, dial, tls, proxy rateLimit
}

// warn logs at warn level unless a line of this kind was logged less than
// logEvery ago; the lines held back are counted in the next one.
func (l *rateLimits) warn(log *slog.Logger, kind, msg string, args ...any) {
	var r *rateLimit
	switch kind {
	case "accept":
		r = &l.accept
	case "dial":
		r = &l.dial
	case "tls":
		r = &l.tls
	default:
		r = &l.proxy
	}
	r.log(log, msg, args...)
}

// rateLimit lets one log line through per logEvery.
type rateLimit struct {
	last       atomic.Int64 // unix nanos of the last line
	suppressed atomic.Int64
}

func (r *rateLimit) log(log *slog.Logger, msg string, args ...any) {
	now := time.Now().UnixNano()
	last := r.last.Load()
	if last != 0 && now-last < int64(logEvery) || !r.last.CompareAndSwap(last, now) {
		r.suppressed.Add(1)
		return
	}
	if n := r.suppressed.Swap(0); n > 0 {
		args = append(args, "suppressed", n)
	}
	log.Warn(msg, args...)
}
