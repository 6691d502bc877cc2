package tcp

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

func TestParseProxyHeader(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    proxyHeader
		wantErr bool
	}{
		{"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nrest", proxyHeader{length: 45, known: true, srcIP: "192.0.2.1", dstIP: "198.51.100.2", srcPort: 56324, dstPort: 443}, false},
		{"PROXY TCP6 ::1 2001:db8::2 1 65535\r\n", proxyHeader{length: 36, known: true, srcIP: "::1", dstIP: "2001:db8::2", srcPort: 1, dstPort: 65535}, false},
		{"PROXY UNKNOWN\r\n", proxyHeader{length: 15}, false},
		{"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n", proxyHeader{length: 35}, false},
		{"PROXY TCP4 ::1 ::2 1 2\r\n", proxyHeader{}, true},
		{"PROXY TCP6 1.2.3.4 1.2.3.5 1 2\r\n", proxyHeader{}, true},
		{"PROXY TCP4 1.2.3.4 1.2.3.5 01 2\r\n", proxyHeader{}, true},
		{"PROXY TCP4 1.2.3.4 1.2.3.5 1\r\n", proxyHeader{}, true},
		{"PROXY TCP4  1.2.3.4 1.2.3.5 1 2\r\n", proxyHeader{}, true},
		{"PROXY UDP4 1.2.3.4 1.2.3.5 1 2\r\n", proxyHeader{}, true},
		{"proxy TCP4 1.2.3.4 1.2.3.5 1 2\r\n", proxyHeader{}, true},
		{"GET / HTTP/1.1\r\n", proxyHeader{}, true},
		{"PROXY TCP4 1.2.3.4 1.2.3.5 1 2\n", proxyHeader{}, true}, // no CR: EOF inside the header
		{"PROXY " + strings.Repeat("x", 200), proxyHeader{}, true},
		{"", proxyHeader{}, true},
	} {
		t.Run(tc.in[:min(len(tc.in), 30)], func(t *testing.T) {
			buf := make([]byte, readSize)
			// One byte per read: the header arrives in pieces.
			h, n, err := readProxyHeader(iotest.OneByteReader(strings.NewReader(tc.in)), buf)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if h != tc.want {
				t.Fatalf("header = %+v, want %+v", h, tc.want)
			}
			if !strings.HasPrefix(tc.in[h.length:], string(buf[h.length:n])) {
				t.Fatalf("rest = %q", buf[h.length:n])
			}
		})
	}
}

func TestDNSCache(t *testing.T) {
	t.Run("concurrent lookups of one IP share one query", func(t *testing.T) {
		var calls atomic.Int64
		release := make(chan struct{})
		c := newDNSCache(func(context.Context, string) ([]string, error) {
			calls.Add(1)
			<-release
			return []string{"host.example."}, nil
		}, 10, time.Minute, time.Second)
		var wg sync.WaitGroup
		names := make([]string, 50)
		for i := range names {
			wg.Go(func() { names[i] = c.name(context.Background(), "10.0.0.1") })
		}
		time.Sleep(20 * time.Millisecond)
		close(release)
		wg.Wait()
		for _, n := range names {
			if n != "host.example" {
				t.Fatalf("name = %q", n)
			}
		}
		if n := calls.Load(); n != 1 {
			t.Fatalf("%d lookups, want 1", n)
		}
	})
	t.Run("failure and timeout give the IP", func(t *testing.T) {
		c := newDNSCache(func(ctx context.Context, ip string) ([]string, error) {
			if ip == "10.0.0.2" {
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return nil, errors.New("no such host")
		}, 10, time.Minute, 20*time.Millisecond)
		began := time.Now()
		if n := c.name(context.Background(), "10.0.0.2"); n != "10.0.0.2" {
			t.Errorf("timed out lookup = %q", n)
		}
		if d := time.Since(began); d > time.Second {
			t.Errorf("lookup took %v", d)
		}
		if n := c.name(context.Background(), "10.0.0.3"); n != "10.0.0.3" {
			t.Errorf("failed lookup = %q", n)
		}
	})
	t.Run("bounded, expired entries refreshed", func(t *testing.T) {
		var calls atomic.Int64
		c := newDNSCache(func(context.Context, string) ([]string, error) {
			calls.Add(1)
			return []string{"h"}, nil
		}, 8, time.Hour, time.Second)
		for i := range 100 {
			c.name(context.Background(), fmt.Sprintf("10.1.0.%d", i))
		}
		if n := c.size(); n > 8 {
			t.Fatalf("cache holds %d entries, bound 8", n)
		}
		c.ttl = 0
		before := calls.Load()
		c.name(context.Background(), "10.9.9.9")
		c.name(context.Background(), "10.9.9.9")
		if calls.Load()-before != 2 {
			t.Errorf("expired entry not looked up again")
		}
	})
}

func TestRateLimit(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	var l rateLimits
	for range 100 {
		l.warn(log, "tls", "handshake failed")
	}
	if n := strings.Count(buf.String(), "handshake failed"); n != 1 {
		t.Fatalf("%d lines logged, want 1:\n%s", n, buf.String())
	}
	l.tls.last.Store(time.Now().Add(-2 * logEvery).UnixNano())
	l.warn(log, "tls", "handshake failed")
	if !strings.Contains(buf.String(), "suppressed=99") {
		t.Fatalf("suppressed count missing:\n%s", buf.String())
	}
}

// encryptPKCS8 writes der as an encrypted PKCS#8 key, as `openssl pkcs8
// -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256` does.
func encryptPKCS8(t *testing.T, der []byte, pass string) []byte {
	t.Helper()
	salt, iv := make([]byte, 8), make([]byte, 16)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(iv)
	key, err := pbkdf2.Key(sha256.New, pass, salt, 2048, 32)
	if err != nil {
		t.Fatal(err)
	}
	pad := 16 - len(der)%16
	plain := append(append([]byte(nil), der...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(key)
	enc := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(enc, plain)
	mustMarshal := func(v any) asn1.RawValue {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	kdf := pbkdf2Params{Salt: salt, Iter: 2048, KeyLen: 32,
		PRF: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}, Parameters: asn1.NullRawValue}}
	params := pbes2Params{
		KDF: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: mustMarshal(kdf)},
		Enc: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, Parameters: mustMarshal(iv)},
	}
	out, err := asn1.Marshal(encryptedPrivateKeyInfo{Algo: pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: mustMarshal(params)}, Data: enc})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestKeyPassphrase(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b *pem.Block) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	certFor := func(name string, pub, priv any) string {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "k"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
		if err != nil {
			t.Fatal(err)
		}
		return write(name, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	ecCert := certFor("ec.pem", &ecKey.PublicKey, ecKey)
	rsaCert := certFor("rsa.pem", &rsaKey.PublicKey, rsaKey)
	const pass = "s3cret-Passphrase"
	p8, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	encP8 := write("p8enc.key", &pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: encryptPKCS8(t, p8, pass)})
	//lint:ignore SA1019 the test writes a legacy encrypted key, the kind old deployments still have
	legacyBlock, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey), []byte(pass), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	legacy := write("legacy.key", legacyBlock)
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	sec1 := write("sec1.key", &pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})

	for _, tc := range []struct {
		name, cert, key, pass, wantErr string
	}{
		{"encrypted PKCS#8", ecCert, encP8, pass, ""},
		{"legacy PEM encryption", rsaCert, legacy, pass, ""},
		{"SEC 1", ecCert, sec1, "", ""},
		{"encrypted PKCS#8, wrong passphrase", ecCert, encP8, "wrong-" + pass, "cannot decrypt"},
		{"legacy, wrong passphrase", rsaCert, legacy, "wrong-" + pass, "cannot decrypt"},
		{"encrypted PKCS#8, no passphrase", ecCert, encP8, "", "set ssl_key_passphrase"},
		{"legacy, no passphrase", rsaCert, legacy, "", "set ssl_key_passphrase"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := defaults()
			c.Port, c.SSLEnabled, c.SSLCertificate, c.SSLKey, c.SSLKeyPassphrase = 5000, true, tc.cert, tc.key, tc.pass
			err := c.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.tlsConfig == nil || len(c.tlsConfig.Certificates) != 1 {
					t.Fatal("no certificate loaded")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), pass) {
				t.Fatalf("the error shows the passphrase: %v", err)
			}
		})
	}
}
