package elasticsearch_test

import (
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
	"github.com/pipeproject/pipe/plugins/outputs/elasticsearch"
)

// registry returns the built-in plugins plus this one (unless all lists it).
func registry() *pipeline.Registry {
	plugins := all.Plugins()
	for _, p := range plugins {
		if p.Kind == pipeline.KindOutput && p.Name == elasticsearch.Name {
			return pipeline.NewRegistry(plugins...)
		}
	}
	return pipeline.NewRegistry(append(plugins, elasticsearch.Plugin())...)
}

// request is what the fake server received.
type request struct {
	Method, Path string
	Header       http.Header
	Body         string // decompressed
}

// fakeES is an httptest server answering GET / as Elasticsearch and _bulk
// with what respond says (default: all created).
type fakeES struct {
	*httptest.Server
	mu       sync.Mutex
	reqs     []request
	respond  func(n int, r request) (int, string) // n counts bulk requests from 0
	bulks    int
	opensrch bool
}

func newFakeES(t *testing.T, respond func(n int, r request) (int, string)) *fakeES {
	f := &fakeES{respond: respond}
	f.Server = httptest.NewServer(f)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		body = zr
	}
	b, _ := io.ReadAll(body)
	req := request{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), Body: string(b)}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	n := f.bulks
	if r.Method == http.MethodPost {
		f.bulks++
	}
	f.mu.Unlock()
	if f.opensrch {
		if strings.Contains(r.Header.Get("Content-Type"), "compatible-with") || strings.Contains(r.Header.Get("Accept"), "compatible-with") {
			w.WriteHeader(http.StatusNotAcceptable)
			return
		}
	} else {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
	}
	w.Header().Set("Content-Type", "application/json")
	if strings.HasPrefix(r.URL.Path, "/_index_template/") || strings.HasPrefix(r.URL.Path, "/_template/") {
		return // 200: the index template exists (template_test.go has its own server)
	}
	if r.Method == http.MethodGet {
		if f.opensrch {
			fmt.Fprint(w, `{"version":{"distribution":"opensearch","number":"2.11.0"}}`)
		} else {
			fmt.Fprint(w, `{"version":{"number":"8.15.0"}}`)
		}
		return
	}
	status, resp := 200, `{"errors":false}`
	if f.respond != nil {
		status, resp = f.respond(n, req)
	}
	w.WriteHeader(status)
	fmt.Fprint(w, resp)
}

func (f *fakeES) bulkRequests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.reqs {
		if r.Method == http.MethodPost {
			out = append(out, r)
		}
	}
	return out
}

// docs returns the source lines (every second line) of an index body.
func docs(body string) []string {
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	var out []string
	for i := 1; i < len(lines); i += 2 {
		out = append(out, lines[i])
	}
	return out
}

// build builds the output from HCL (the body of its block).
func build(t *testing.T, block string, deps pipeline.Deps) pipeline.Output {
	t.Helper()
	return plugintest.Build(t, registry(), "output { elasticsearch { "+block+" } }", pipeline.KindOutput, deps).(pipeline.Output)
}

// loadErrors returns the config diagnostics of an elasticsearch block.
func loadErrors(block string) string {
	_, diags := conf.Load([]conf.Source{{Name: "test.hcl", Data: []byte("output { elasticsearch { " + block + " } }")}}, registry(), conf.Options{})
	if !diags.HasErrors() {
		return ""
	}
	var b strings.Builder
	_ = diags.Write(&b, nil, false)
	return b.String()
}

// event returns an event with a fixed @timestamp and fields.
func event(msg string, kv ...string) *pipeline.Event {
	e := pipeline.NewMessageEvent(msg)
	e.SetTimestamp(pipeline.NewTimestamp(time.Date(2024, 3, 1, 23, 30, 0, 0, time.FixedZone("x", -2*3600))))
	for i := 0; i+1 < len(kv); i += 2 {
		if err := e.Set(pipeline.MustFieldRef(kv[i]), kv[i+1]); err != nil {
			panic(err)
		}
	}
	return e
}

func logDeps(buf *plugintest.SyncBuffer) pipeline.Deps {
	return pipeline.Deps{Logger: slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), Metrics: &pipeline.Metrics{}}
}

func counter(m *pipeline.Metrics, name string) int64 { return m.Counter(name).Load() }

// freeAddr returns a local address nothing listens on.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// pki is a private CA and a server certificate for 127.0.0.1 it signed.
type pki struct {
	caFile      string
	fingerprint string
	server      tls.Certificate
}

func newPKI(t *testing.T) pki {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "es"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(caDER)
	return pki{caFile: caFile, fingerprint: hex.EncodeToString(sum[:]),
		server: tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}}
}

// newTLSFakeES starts a fake server with the PKI's certificate.
func newTLSFakeES(t *testing.T, p pki) *fakeES {
	f := &fakeES{}
	f.Server = httptest.NewUnstartedServer(f)
	f.TLS = &tls.Config{Certificates: []tls.Certificate{p.server}}
	f.Config.ErrorLog = log.New(io.Discard, "", 0)
	f.StartTLS()
	t.Cleanup(f.Close)
	return f
}
