package elasticsearch

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// pinnedVerifier trusts the server when a certificate of its chain has the
// SHA-256 fingerprint fp (Logstash's ca_trusted_fingerprint): the leaf must
// chain to that certificate (or to roots) and, unless skipHost, match the
// host name.
func pinnedVerifier(fp []byte, roots *x509.CertPool, skipHost bool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("server sent no certificate")
		}
		var pinned *x509.Certificate
		for _, c := range cs.PeerCertificates {
			sum := sha256.Sum256(c.Raw)
			if bytes.Equal(sum[:], fp) {
				pinned = c
				break
			}
		}
		if pinned == nil {
			return errors.New("no certificate in the server's chain matches ca_trusted_fingerprint")
		}
		pool := x509.NewCertPool()
		if roots != nil {
			pool = roots.Clone()
		}
		pool.AddCert(pinned)
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		opts := x509.VerifyOptions{Roots: pool, Intermediates: inter}
		if !skipHost {
			opts.DNSName = cs.ServerName
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			return err
		}
		return nil
	}
}
