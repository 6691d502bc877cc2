package tcp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
	"github.com/pipeproject/pipe/plugins/inputs/tcp"
)

// registry is every built-in plugin.
func registry() *pipeline.Registry { return all.Registry() }

// server is a running tcp input.
type server struct {
	in      *tcp.Input
	events  *plugintest.Collector
	metrics *pipeline.Metrics
	addr    string
	cancel  context.CancelFunc
	done    chan error
}

// fakeLookup answers every reverse lookup with peer.example.
func fakeLookup(context.Context, string) ([]string, error) { return []string{"peer.example."}, nil }

// start builds the first input of config (host and port are the test's to
// set) and runs it until the test ends.
func start(t testing.TB, config string) *server {
	t.Helper()
	s := &server{events: &plugintest.Collector{}, metrics: &pipeline.Metrics{}, done: make(chan error, 1)}
	s.in = plugintest.Build(t, registry(), config, pipeline.KindInput, pipeline.Deps{Metrics: s.metrics}).(*tcp.Input)
	s.in.SetReverseLookup(fakeLookup)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- s.in.Run(ctx, s.events) }()
	select {
	case <-s.in.Listening():
	case err := <-s.done:
		t.Fatalf("Run ended before listening: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("not listening after 10s")
	}
	if a := s.in.Addr(); a != nil {
		s.addr = a.String()
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the input and waits for Run to return (at most 10 s).
func (s *server) stop(t testing.TB) {
	t.Helper()
	s.cancel()
	select {
	case err, ok := <-s.done:
		if ok && err != nil {
			t.Errorf("Run: %v", err)
		}
		close(s.done)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of the stop")
	}
}

func (s *server) counter(name string) int64 { return s.metrics.Counter(name).Load() }

// waitEvents waits until n events arrived and returns them.
func (s *server) waitEvents(t testing.TB, n int) []*pipeline.Event {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d events", n), func() bool { return len(s.events.Events()) >= n })
	return s.events.Events()
}

// waitFor polls cond for up to 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// send connects to addr, writes data and closes.
func send(t testing.TB, addr, data string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func get(e *pipeline.Event, ref string) any {
	v, _ := e.Get(pipeline.MustFieldRef(ref))
	return v
}

// pki is a test CA with a server and client certificates, written as PEM
// files in a temporary folder.
type pki struct {
	dir                   string
	caFile                string
	serverCert, serverKey string
	clientCert, clientKey string
	rogueCert, rogueKey   string // client cert from another CA
	pool                  *x509.CertPool
	clientPair, roguePair tls.Certificate
}

func newCert(t testing.TB, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = sn
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeKey(t testing.TB, path string, k *ecdsa.PrivateKey) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, path, "PRIVATE KEY", der)
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	dir := t.TempDir()
	p := &pki{dir: dir, pool: x509.NewCertPool()}
	caTmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	ca, caKey := newCert(t, caTmpl, nil, nil)
	p.pool.AddCert(ca)
	p.caFile = filepath.Join(dir, "ca.pem")
	writePEM(t, p.caFile, "CERTIFICATE", ca.Raw)

	srv, srvKey := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}, ca, caKey)
	p.serverCert, p.serverKey = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	writePEM(t, p.serverCert, "CERTIFICATE", srv.Raw)
	writeKey(t, p.serverKey, srvKey)

	cli, cliKey := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "client", Organization: []string{"Acme"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, ca, caKey)
	p.clientCert, p.clientKey = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	writePEM(t, p.clientCert, "CERTIFICATE", cli.Raw)
	writeKey(t, p.clientKey, cliKey)
	p.clientPair = tls.Certificate{Certificate: [][]byte{cli.Raw}, PrivateKey: cliKey, Leaf: cli}

	rogueCA, rogueCAKey := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "rogue CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	rogue, rogueKey := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "rogue"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, rogueCA, rogueCAKey)
	p.rogueCert, p.rogueKey = filepath.Join(dir, "rogue.pem"), filepath.Join(dir, "rogue.key")
	writePEM(t, p.rogueCert, "CERTIFICATE", rogue.Raw)
	writeKey(t, p.rogueKey, rogueKey)
	p.roguePair = tls.Certificate{Certificate: [][]byte{rogue.Raw}, PrivateKey: rogueKey, Leaf: rogue}
	return p
}

// hclString quotes a path for HCL.
func hclString(s string) string { return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"` }
