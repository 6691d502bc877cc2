package tcp

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/pipeproject/pipe/pipeline"
)

// protocols maps ssl_supported_protocols names to TLS versions.
var protocols = map[string]uint16{
	"TLSv1.1": tls.VersionTLS11,
	"TLSv1.2": tls.VersionTLS12,
	"TLSv1.3": tls.VersionTLS13,
}

// tls13Suites are the TLS 1.3 suites: always on in Go, accepted in
// ssl_cipher_suites for compatibility with Logstash configs.
var tls13Suites = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}

// buildTLS reads the certificate, key and CA files and makes the TLS
// configuration. Errors are ConfigErrors naming the option; they never
// include the key passphrase.
func (c *Config) buildTLS() (*tls.Config, error) {
	var errs []error
	bad := func(attr, summary, detail string) {
		errs = append(errs, &pipeline.ConfigError{Attr: attr, Summary: summary, Detail: detail})
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}

	if len(c.SSLSupportedProtocols) > 0 {
		lo, hi := uint16(0), uint16(0)
		for _, p := range c.SSLSupportedProtocols {
			v, ok := protocols[p]
			if !ok {
				bad("ssl_supported_protocols", fmt.Sprintf("unknown protocol %q", p), `use "TLSv1.1", "TLSv1.2" or "TLSv1.3"`)
				continue
			}
			if lo == 0 || v < lo {
				lo = v
			}
			hi = max(hi, v)
		}
		cfg.MinVersion, cfg.MaxVersion = lo, hi
	}
	if len(c.SSLCipherSuites) > 0 {
		byName := map[string]uint16{}
		for _, s := range tls.CipherSuites() {
			byName[s.Name] = s.ID
		}
		for _, s := range tls.InsecureCipherSuites() {
			byName[s.Name] = s.ID
		}
		for _, name := range c.SSLCipherSuites {
			if id, ok := byName[name]; ok {
				cfg.CipherSuites = append(cfg.CipherSuites, id)
			} else if !slices.Contains(tls13Suites, name) {
				bad("ssl_cipher_suites", fmt.Sprintf("unknown cipher suite %q", name),
					"use IANA names such as TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
			}
		}
	}

	if c.SSLCertificate != "" && c.SSLKey != "" {
		cert, err := c.loadKeyPair()
		if err != nil {
			errs = append(errs, err)
		} else {
			cfg.Certificates = []tls.Certificate{cert}
		}
	}

	var pool *x509.CertPool
	if len(c.SSLCertificateAuthorities) > 0 {
		pool = x509.NewCertPool()
		for _, f := range c.SSLCertificateAuthorities {
			certs, err := readCerts(f)
			if err != nil {
				errs = append(errs, &pipeline.ConfigError{Attr: "ssl_certificate_authorities", Summary: err.Error()})
				continue
			}
			for _, ca := range certs {
				pool.AddCert(ca)
			}
		}
	}
	if c.Mode == "client" {
		cfg.RootCAs = pool // nil: the system's roots
		cfg.InsecureSkipVerify = c.SSLVerificationMode == "none"
	} else {
		cfg.ClientCAs = pool
		switch c.clientAuth() {
		case "optional":
			cfg.ClientAuth = tls.VerifyClientCertIfGiven
		case "required":
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		default:
			cfg.ClientAuth = tls.NoClientCert
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

// loadKeyPair reads ssl_certificate (with ssl_extra_chain_certs after it)
// and ssl_key, and checks that they belong together.
func (c *Config) loadKeyPair() (tls.Certificate, error) {
	certs, err := readCerts(c.SSLCertificate)
	if err != nil {
		return tls.Certificate{}, &pipeline.ConfigError{Attr: "ssl_certificate", Summary: err.Error()}
	}
	var chain [][]byte
	for _, x := range certs {
		chain = append(chain, x.Raw)
	}
	for _, f := range c.SSLExtraChainCerts {
		extra, err := readCerts(f)
		if err != nil {
			return tls.Certificate{}, &pipeline.ConfigError{Attr: "ssl_extra_chain_certs", Summary: err.Error()}
		}
		for _, x := range extra {
			chain = append(chain, x.Raw)
		}
	}
	key, err := readKey(c.SSLKey, c.SSLKeyPassphrase)
	if err != nil {
		return tls.Certificate{}, &pipeline.ConfigError{Attr: "ssl_key", Summary: err.Error()}
	}
	pub, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return tls.Certificate{}, &pipeline.ConfigError{Attr: "ssl_key", Summary: fmt.Sprintf("%s: unsupported key type %T", c.SSLKey, key)}
	}
	if eq, ok := certs[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(pub.Public()) {
		return tls.Certificate{}, &pipeline.ConfigError{Attr: "ssl_key", Summary: fmt.Sprintf("%s does not match the certificate in %s", c.SSLKey, c.SSLCertificate),
			Detail: "give the private key of the first certificate in ssl_certificate"}
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: certs[0]}, nil
}

// readCerts reads every CERTIFICATE block of a PEM file.
func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read certificate file: %w", err)
	}
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		x, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: bad certificate: %w", path, err)
		}
		certs = append(certs, x)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate found", path)
	}
	return certs, nil
}

// readKey reads the first private key of a PEM file: PKCS#8 ("PRIVATE
// KEY"), encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY", PBES2), PKCS#1 ("RSA
// PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY"), the last two possibly with
// legacy OpenSSL PEM encryption. Errors never include the passphrase.
func readKey(path, passphrase string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read key file: %w", err)
	}
	var b *pem.Block
	for {
		b, data = pem.Decode(data)
		if b == nil {
			return nil, fmt.Errorf("%s: no PEM private key found", path)
		}
		if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			break
		}
	}
	typ, der := b.Type, b.Bytes
	//lint:ignore SA1019 legacy PEM encryption is what ssl_key_passphrase decrypts in old key files; insecure by design but still found
	legacy := x509.IsEncryptedPEMBlock(b)
	if (legacy || typ == "ENCRYPTED PRIVATE KEY") && passphrase == "" {
		return nil, fmt.Errorf("%s: the key is encrypted: set ssl_key_passphrase", path)
	}
	switch {
	case legacy:
		//lint:ignore SA1019 see above
		if der, err = x509.DecryptPEMBlock(b, []byte(passphrase)); err != nil {
			return nil, fmt.Errorf("%s: %w", path, errDecrypt)
		}
	case typ == "ENCRYPTED PRIVATE KEY":
		if der, err = decryptPKCS8(der, []byte(passphrase)); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		typ = "PRIVATE KEY"
	}
	k, err := parseKey(typ, der)
	if err != nil && (legacy || b.Type == "ENCRYPTED PRIVATE KEY") {
		// A wrong passphrase that happened to give valid padding.
		return nil, fmt.Errorf("%s: %w", path, errDecrypt)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// parseKey parses a private key's DER by its PEM type.
func parseKey(typ string, der []byte) (any, error) {
	switch typ {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("bad PKCS#8 key: %w", err)
		}
		return k, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("bad RSA key: %w", err)
		}
		return k, nil
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("bad EC key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("unsupported key type %q", typ)
}
