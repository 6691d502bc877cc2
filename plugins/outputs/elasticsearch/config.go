package elasticsearch

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/pipeproject/pipe/pipeline"
)

// Config is the elasticsearch output's configuration, with Logstash's option
// names and defaults. Durations are in seconds, as in Logstash.
type Config struct {
	// Hosts are the nodes requests are spread over (round robin), as URLs
	// or host[:port]; a path prefix is allowed. Unset: 127.0.0.1:9200 (http,
	// or https with ssl_enabled).
	Hosts []string `hcl:"hosts,optional"`
	// Index is the target index, a sprintf format. Unset: by ECS mode
	// (see DataStream).
	Index *string `hcl:"index,optional"`
	// DocumentID is the document's _id, a sprintf format.
	DocumentID string `hcl:"document_id,optional"`
	// Action is index, create, update, delete, or a sprintf format that
	// renders to one of them. Unset: index, or create with a data stream.
	Action string `hcl:"action,optional"`
	// Routing is the document's routing, a sprintf format.
	Routing string `hcl:"routing,optional"`
	// Pipeline is the ingest pipeline, a sprintf format.
	Pipeline string `hcl:"pipeline,optional"`
	// DocAsUpsert makes an update create the document when it is missing.
	DocAsUpsert *bool `hcl:"doc_as_upsert,optional"`
	// RetryOnConflict is the update action's retry_on_conflict (unset: 1).
	RetryOnConflict *int `hcl:"retry_on_conflict,optional"`

	// DataStream is true, false or auto (unset: auto): whether events go
	// to the data stream <type>-<dataset>-<namespace>. auto is Logstash
	// 8's rule: a data stream when ECS is on (v1/v8) and no option that
	// conflicts with data streams is set (see dsConflicts).
	DataStream *string `hcl:"data_stream,optional"`
	// DataStreamType is logs, metrics, synthetics or traces (unset: logs).
	DataStreamType *string `hcl:"data_stream_type,optional"`
	// DataStreamDataset is the dataset part of the name (unset: generic).
	DataStreamDataset *string `hcl:"data_stream_dataset,optional"`
	// DataStreamNamespace is the namespace part (unset: default).
	DataStreamNamespace *string `hcl:"data_stream_namespace,optional"`
	// DataStreamAutoRouting takes the name's parts from the event's
	// [data_stream][type|dataset|namespace] when present (unset: true).
	DataStreamAutoRouting *bool `hcl:"data_stream_auto_routing,optional"`
	// DataStreamSyncFields sets the document's [data_stream] fields to
	// the parts of the name used (unset: true).
	DataStreamSyncFields *bool `hcl:"data_stream_sync_fields,optional"`
	// ILMEnabled is false or auto (unset: auto, which is no ILM: pipe does
	// not manage ILM yet); true is rejected.
	ILMEnabled *string `hcl:"ilm_enabled,optional"`

	// User and Password are HTTP basic credentials. Password is secret.
	User     string `hcl:"user,optional"`
	Password string `hcl:"password,optional"`
	// APIKey is "id:key" or its base64 encoding. Secret.
	APIKey string `hcl:"api_key,optional"`

	// SSLEnabled turns TLS on (unset: inferred from https hosts).
	SSLEnabled *bool `hcl:"ssl_enabled,optional"`
	// SSLCertificateAuthorities are PEM files of trusted CAs.
	SSLCertificateAuthorities []string `hcl:"ssl_certificate_authorities,optional"`
	// SSLVerificationMode is full or none.
	SSLVerificationMode string `hcl:"ssl_verification_mode,optional"`
	// SSLCertificate and SSLKey are the client certificate and key (PEM).
	SSLCertificate string `hcl:"ssl_certificate,optional"`
	SSLKey         string `hcl:"ssl_key,optional"`
	// CATrustedFingerprint is the hex SHA-256 of a CA certificate to trust
	// when the server presents it in its chain.
	CATrustedFingerprint string `hcl:"ca_trusted_fingerprint,optional"`

	// Timeout bounds one request, in seconds.
	Timeout int `hcl:"timeout,optional"`
	// ResurrectDelay is how long a host that failed is set aside, seconds.
	ResurrectDelay int `hcl:"resurrect_delay,optional"`
	// CompressionLevel is the gzip level of request bodies (0: none).
	CompressionLevel int `hcl:"compression_level,optional"`
	// CustomHeaders are sent with every request.
	CustomHeaders map[string]string `hcl:"custom_headers,optional"`
	// SilenceErrorsInLog are error types not logged when a document fails.
	SilenceErrorsInLog []string `hcl:"silence_errors_in_log,optional"`
	// DLQCustomCodes are item statuses handled as 400/404: dead-lettered
	// when the pipeline's dead letter queue is enabled, else dropped and
	// counted.
	DLQCustomCodes []int `hcl:"dlq_custom_codes,optional"`
	// PoolMax and PoolMaxPerRoute bound idle connections.
	PoolMax         int `hcl:"pool_max,optional"`
	PoolMaxPerRoute int `hcl:"pool_max_per_route,optional"`

	// MaxInFlight bounds this output's concurrent bulk requests (pipe's).
	MaxInFlight int `hcl:"max_in_flight,optional"`
	// RetryInitialInterval and RetryMaxInterval bound the backoff, seconds.
	RetryInitialInterval int `hcl:"retry_initial_interval,optional"`
	RetryMaxInterval     int `hcl:"retry_max_interval,optional"`
	// ProductCheck is auto, elasticsearch, opensearch or none (pipe's).
	ProductCheck string `hcl:"product_check,optional"`

	// ManageTemplate installs an index template before the first bulk
	// request (unset: true, as Logstash). See template.go.
	ManageTemplate *bool `hcl:"manage_template,optional"`
	// Template is the path of a JSON index template file to install
	// instead of the built-in one.
	Template string `hcl:"template,optional"`
	// TemplateName is the template's name. Unset: "logstash", or
	// "ecs-logstash" with ECS v1/v8.
	TemplateName string `hcl:"template_name,optional"`
	// TemplateOverwrite installs the template even when one of that name
	// exists.
	TemplateOverwrite *bool `hcl:"template_overwrite,optional"`
	// TemplateAPI is auto, legacy (_template) or composable
	// (_index_template); auto (or unset) is composable on Elasticsearch
	// >= 8.
	TemplateAPI string `hcl:"template_api,optional"`
	// ECSCompatibility overrides the pipeline's ECS mode for the index
	// default: disabled, v1 or v8.
	ECSCompatibility string `hcl:"ecs_compatibility,optional"`

	// Logstash options pipe does not implement yet: declared so that
	// Validate names them precisely instead of "unknown option".
	ILMRolloverAlias               *hcl.Attribute `hcl:"ilm_rollover_alias,optional"`
	ILMPattern                     *hcl.Attribute `hcl:"ilm_pattern,optional"`
	ILMPolicy                      *hcl.Attribute `hcl:"ilm_policy,optional"`
	CloudID                        *hcl.Attribute `hcl:"cloud_id,optional"`
	CloudAuth                      *hcl.Attribute `hcl:"cloud_auth,optional"`
	Script                         *hcl.Attribute `hcl:"script,optional"`
	ScriptType                     *hcl.Attribute `hcl:"script_type,optional"`
	ScriptLang                     *hcl.Attribute `hcl:"script_lang,optional"`
	ScriptVarName                  *hcl.Attribute `hcl:"script_var_name,optional"`
	ScriptedUpsert                 *hcl.Attribute `hcl:"scripted_upsert,optional"`
	Upsert                         *hcl.Attribute `hcl:"upsert,optional"`
	Version                        *hcl.Attribute `hcl:"version,optional"`
	VersionType                    *hcl.Attribute `hcl:"version_type,optional"`
	DocumentType                   *hcl.Attribute `hcl:"document_type,optional"`
	Parent                         *hcl.Attribute `hcl:"parent,optional"`
	JoinField                      *hcl.Attribute `hcl:"join_field,optional"`
	Sniffing                       *hcl.Attribute `hcl:"sniffing,optional"`
	SniffingDelay                  *hcl.Attribute `hcl:"sniffing_delay,optional"`
	SniffingPath                   *hcl.Attribute `hcl:"sniffing_path,optional"`
	HTTPCompression                *hcl.Attribute `hcl:"http_compression,optional"`
	Proxy                          *hcl.Attribute `hcl:"proxy,optional"`
	DLQOnFailedIndexnameInterp     *hcl.Attribute `hcl:"dlq_on_failed_indexname_interpolation,optional"`
	Path                           *hcl.Attribute `hcl:"path,optional"`
	BulkPath                       *hcl.Attribute `hcl:"bulk_path,optional"`
	Parameters                     *hcl.Attribute `hcl:"parameters,optional"`
	HealthcheckPath                *hcl.Attribute `hcl:"healthcheck_path,optional"`
	ValidateAfterInactivity        *hcl.Attribute `hcl:"validate_after_inactivity,optional"`
	SSLSupportedProtocols          *hcl.Attribute `hcl:"ssl_supported_protocols,optional"`
	SSLCipherSuites                *hcl.Attribute `hcl:"ssl_cipher_suites,optional"`
	SSLTruststorePath              *hcl.Attribute `hcl:"ssl_truststore_path,optional"`
	SSLTruststorePassword          *hcl.Attribute `hcl:"ssl_truststore_password,optional"`
	SSLTruststoreType              *hcl.Attribute `hcl:"ssl_truststore_type,optional"`
	SSLKeystorePath                *hcl.Attribute `hcl:"ssl_keystore_path,optional"`
	SSLKeystorePassword            *hcl.Attribute `hcl:"ssl_keystore_password,optional"`
	SSLKeystoreType                *hcl.Attribute `hcl:"ssl_keystore_type,optional"`
	SSL                            *hcl.Attribute `hcl:"ssl,optional"`
	SSLCertificateVerification     *hcl.Attribute `hcl:"ssl_certificate_verification,optional"`
	Cacert                         *hcl.Attribute `hcl:"cacert,optional"`
	Truststore                     *hcl.Attribute `hcl:"truststore,optional"`
	Keystore                       *hcl.Attribute `hcl:"keystore,optional"`
	DropErrorTypes                 *hcl.Attribute `hcl:"drop_error_types,optional"`
	FailureTypeLoggingWhitelist    *hcl.Attribute `hcl:"failure_type_logging_whitelist,optional"`
	TargetBulkBytes                *hcl.Attribute `hcl:"target_bulk_bytes,optional"`
	ServiceToken                   *hcl.Attribute `hcl:"service_token,optional"`
	RetryOnFailedInterpolationTemp *hcl.Attribute `hcl:"retry_on_failed_interpolation,optional"`

	// Parsed by Validate.
	index, documentID, action, routing, pipeline *pipeline.Template
	hosts                                        []*url.URL
	tlsConfig                                    *tls.Config
	apiKeyEncoded                                string
	// templateFile is the content of Template, checked by Validate.
	templateFile []byte
	// dsConflicts are the options set that conflict with data streams.
	dsConflicts []string
	// dsType, dsDataset and dsNamespace are the data stream options with
	// their defaults; autoRouting and syncFields likewise.
	dsType, dsDataset, dsNamespace string
	autoRouting, syncFields        bool
}

// advice says what to do instead of an unsupported option.
func advice(name string) string {
	switch {
	case strings.HasPrefix(name, "ilm_"):
		return "pipe does not set up ILM yet; attach a lifecycle policy in your index template and write to a dated index or an alias with index = ..."
	case strings.HasPrefix(name, "cloud_"):
		return "give the deployment's Elasticsearch endpoint in hosts and credentials in user/password or api_key"
	case strings.HasPrefix(name, "script") || name == "upsert":
		return "scripted updates are not supported yet; use action = \"update\" with doc_as_upsert"
	case strings.HasPrefix(name, "version") || name == "parent" || name == "join_field" || name == "document_type":
		return "remove it; set the field in an ingest pipeline (pipeline = ...) if you need it"
	case strings.HasPrefix(name, "sniffing"):
		return "list every node in hosts instead"
	case name == "http_compression":
		return "use compression_level (gzip, 1 by default; 0 turns it off)"
	case name == "proxy":
		return "set HTTPS_PROXY/HTTP_PROXY in the environment instead"
	case name == "path" || name == "bulk_path" || name == "parameters" || name == "healthcheck_path":
		return "put a path prefix in the hosts URLs instead (\"http://host:9200/prefix\")"
	case strings.Contains(name, "truststore") || strings.Contains(name, "keystore") || name == "cacert":
		return "use PEM files: ssl_certificate_authorities, ssl_certificate and ssl_key"
	case name == "ssl":
		return "use ssl_enabled"
	case name == "ssl_certificate_verification":
		return "use ssl_verification_mode = \"none\""
	case strings.HasPrefix(name, "ssl_"):
		return "remove it; pipe uses Go's TLS defaults (TLS 1.2 and 1.3, secure ciphers)"
	case name == "failure_type_logging_whitelist":
		return "use silence_errors_in_log"
	case name == "service_token":
		return "use api_key or user/password"
	}
	return "remove it"
}

func defaults() *Config {
	return &Config{
		SSLVerificationMode:  "full",
		Timeout:              60,
		ResurrectDelay:       5,
		CompressionLevel:     1,
		PoolMax:              1000,
		PoolMaxPerRoute:      100,
		MaxInFlight:          2,
		RetryInitialInterval: 2,
		RetryMaxInterval:     64,
		ProductCheck:         "auto",
	}
}

var _ pipeline.Validator = (*Config)(nil)

// Validate checks the options, parses the formats and hosts and, with TLS,
// reads the certificate files (no network). Secrets never appear in its
// errors.
func (c *Config) Validate() error {
	var errs []error
	bad := func(attr, summary, detail string) {
		errs = append(errs, &pipeline.ConfigError{Attr: attr, Summary: summary, Detail: detail})
	}
	u := reflect.ValueOf(c).Elem()
	for i := range u.NumField() {
		if !u.Type().Field(i).IsExported() {
			continue
		}
		if a, ok := u.Field(i).Interface().(*hcl.Attribute); ok && a != nil {
			bad(a.Name, "not supported yet by pipe", advice(a.Name))
		}
	}
	switch c.TemplateAPI {
	case "", "auto", "legacy", "composable":
	default:
		bad("template_api", fmt.Sprintf("unknown value %q", c.TemplateAPI), "use auto, legacy or composable")
	}
	if c.Template != "" {
		b, err := readTemplateFile(c.Template)
		if err != nil {
			bad("template", "invalid template file", err.Error())
		}
		c.templateFile = b
	}
	c.validateDataStream(bad)
	tmpl := func(attr, s string) *pipeline.Template {
		if s == "" {
			return nil
		}
		t, err := pipeline.ParseTemplate(s)
		if err != nil {
			bad(attr, "invalid format", err.Error())
		}
		return t
	}
	if c.Index != nil {
		if *c.Index == "" {
			bad("index", "index is empty", "set an index name such as \"logstash-%{+YYYY.MM.dd}\"")
		}
		c.index = tmpl("index", *c.Index)
	}
	c.documentID = tmpl("document_id", c.DocumentID)
	c.routing = tmpl("routing", c.Routing)
	c.pipeline = tmpl("pipeline", c.Pipeline)
	c.action = tmpl("action", c.Action)
	if c.action == nil {
		c.action = tmpl("action", "index") // unset; create with a data stream (build)
	} else if c.action.IsConstant() && actionOf(c.Action) == actUnknown {
		bad("action", fmt.Sprintf("unknown action %q", c.Action), "use index, create, update, delete or a %{...} format that renders to one of them")
	}
	switch c.ECSCompatibility {
	case "", "disabled", "v1", "v8":
	default:
		bad("ecs_compatibility", fmt.Sprintf("unknown value %q", c.ECSCompatibility), "use disabled, v1 or v8")
	}
	switch c.SSLVerificationMode {
	case "full", "none":
	default:
		bad("ssl_verification_mode", fmt.Sprintf("unknown mode %q", c.SSLVerificationMode), "use full or none")
	}
	switch c.ProductCheck {
	case "auto", "elasticsearch", "opensearch", "none":
	default:
		bad("product_check", fmt.Sprintf("unknown value %q", c.ProductCheck), "use auto, elasticsearch, opensearch or none")
	}
	positive := func(attr string, v, lo, hi int) {
		if v < lo || v > hi {
			bad(attr, fmt.Sprintf("%d is out of range", v), fmt.Sprintf("use %d to %d", lo, hi))
		}
	}
	positive("compression_level", c.CompressionLevel, 0, 9)
	positive("timeout", c.Timeout, 1, 86400)
	positive("resurrect_delay", c.ResurrectDelay, 0, 86400)
	positive("max_in_flight", c.MaxInFlight, 1, 1024)
	positive("retry_initial_interval", c.RetryInitialInterval, 1, 86400)
	positive("retry_max_interval", c.RetryMaxInterval, 1, 86400)
	if c.RetryOnConflict != nil {
		positive("retry_on_conflict", *c.RetryOnConflict, 0, 1<<20)
	}
	positive("pool_max", c.PoolMax, 1, 1<<20)
	positive("pool_max_per_route", c.PoolMaxPerRoute, 1, 1<<20)
	if c.RetryMaxInterval < c.RetryInitialInterval {
		bad("retry_max_interval", "smaller than retry_initial_interval", "raise it to at least retry_initial_interval")
	}
	if c.User != "" && c.APIKey != "" {
		bad("api_key", "api_key and user/password are both set", "use one of them")
	}
	if c.Password != "" && c.User == "" {
		bad("password", "password without user", "set user too")
	}
	if c.APIKey != "" {
		c.apiKeyEncoded = encodeAPIKey(c.APIKey)
		if c.apiKeyEncoded == "" {
			bad("api_key", "not an API key", "give \"id:api_key\" or its base64 encoding (the value is not shown)")
		}
	}

	if c.Hosts == nil {
		c.Hosts = []string{"127.0.0.1:9200"} // http, or https with ssl_enabled
	}
	if len(c.Hosts) == 0 {
		bad("hosts", "no hosts", "list at least one, e.g. [\"http://127.0.0.1:9200\"]")
	}
	anyHTTPS := false
	c.hosts = c.hosts[:0]
	ssl := c.SSLEnabled
	if ssl == nil {
		for _, h := range c.Hosts {
			if strings.HasPrefix(h, "https://") {
				ssl = new(true)
			}
		}
	}
	for _, h := range c.Hosts {
		hu, err := parseHost(h, ssl)
		if err != nil {
			bad("hosts", err.Error(), "write host:port or a URL such as \"https://es1:9200/prefix\"")
			continue
		}
		if hu.User != nil {
			bad("hosts", fmt.Sprintf("credentials in host %q", hu.Redacted()), "use user and password instead")
			continue
		}
		anyHTTPS = anyHTTPS || hu.Scheme == "https"
		c.hosts = append(c.hosts, hu)
	}
	for _, hu := range c.hosts {
		if (hu.Scheme == "https") != anyHTTPS {
			bad("hosts", "hosts mix http and https", "use one scheme for all hosts")
			break
		}
	}
	if c.SSLEnabled != nil && !*c.SSLEnabled && anyHTTPS {
		bad("ssl_enabled", "ssl_enabled = false with https hosts", "use http:// hosts or remove ssl_enabled")
	}
	if c.SSLEnabled != nil && *c.SSLEnabled && !anyHTTPS && len(c.hosts) > 0 {
		bad("ssl_enabled", "ssl_enabled = true with http hosts", "use https:// hosts or leave the scheme out")
	}
	if c.APIKey != "" && !anyHTTPS {
		bad("api_key", "api_key needs TLS", "use https:// hosts or ssl_enabled = true (as Logstash requires)")
	}
	if anyHTTPS {
		tc, err := c.buildTLS()
		if err != nil {
			errs = append(errs, err)
		}
		c.tlsConfig = tc
	} else if len(c.SSLCertificateAuthorities) > 0 || c.SSLCertificate != "" || c.CATrustedFingerprint != "" {
		bad("ssl_enabled", "ssl_* options without TLS", "set ssl_enabled = true or use https:// hosts")
	}
	return errors.Join(errs...)
}

// encodeAPIKey returns the base64 "id:key" Elasticsearch expects, or "".
func encodeAPIKey(k string) string {
	if strings.Contains(k, ":") {
		return base64.StdEncoding.EncodeToString([]byte(k))
	}
	if d, err := base64.StdEncoding.DecodeString(k); err == nil && strings.Contains(string(d), ":") {
		return k
	}
	return ""
}

// parseHost turns a hosts entry into a URL with scheme and port.
func parseHost(h string, ssl *bool) (*url.URL, error) {
	s := h
	if !strings.Contains(s, "://") {
		s = strings.TrimPrefix(s, "//")
		scheme := "http"
		if ssl != nil && *ssl {
			scheme = "https"
		}
		s = scheme + "://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("invalid host %q", h)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("host %q: scheme %q is not http or https", u.Redacted(), u.Scheme)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("host %q has a query or fragment", u.Redacted())
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "9200")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func (c *Config) buildTLS() (*tls.Config, error) {
	var errs []error
	bad := func(attr, summary, detail string) {
		errs = append(errs, &pipeline.ConfigError{Attr: attr, Summary: summary, Detail: detail})
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(c.SSLCertificateAuthorities) > 0 {
		pool := x509.NewCertPool()
		for _, f := range c.SSLCertificateAuthorities {
			pem, err := os.ReadFile(f)
			if err != nil {
				bad("ssl_certificate_authorities", "cannot read CA file", err.Error())
				continue
			}
			if !pool.AppendCertsFromPEM(pem) {
				bad("ssl_certificate_authorities", fmt.Sprintf("no PEM certificate in %s", f), "give PEM-encoded CA certificates")
			}
		}
		tc.RootCAs = pool
	}
	if (c.SSLCertificate == "") != (c.SSLKey == "") {
		bad("ssl_certificate", "ssl_certificate and ssl_key go together", "set both or neither")
	} else if c.SSLCertificate != "" {
		cert, err := tls.LoadX509KeyPair(c.SSLCertificate, c.SSLKey)
		if err != nil {
			bad("ssl_certificate", "cannot load certificate and key", err.Error())
		} else {
			tc.Certificates = []tls.Certificate{cert}
		}
	}
	if c.CATrustedFingerprint != "" {
		fp, err := hex.DecodeString(strings.ReplaceAll(c.CATrustedFingerprint, ":", ""))
		if err != nil || len(fp) != 32 {
			bad("ca_trusted_fingerprint", "not a SHA-256 fingerprint", "give 64 hex digits (colons allowed)")
		} else {
			tc.InsecureSkipVerify = true // verified below against the pinned CA
			tc.VerifyConnection = pinnedVerifier(fp, tc.RootCAs, c.SSLVerificationMode == "none")
		}
	} else if c.SSLVerificationMode == "none" {
		tc.InsecureSkipVerify = true
	}
	return tc, errors.Join(errs...)
}
