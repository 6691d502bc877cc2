package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"

	"github.com/pipeproject/pipe/pipeline"
)

// Config is the kafka input's configuration, with Logstash's option names
// and defaults. The codec, type, tags and add_field options are common to
// every input.
type Config struct {
	// BootstrapServers is a comma-separated list of host:port.
	BootstrapServers string `hcl:"bootstrap_servers,optional"`
	// Topics are the topics to consume (ignored when TopicsPattern is set).
	Topics []string `hcl:"topics,optional"`
	// TopicsPattern is a regular expression; every topic whose whole name
	// matches is consumed, re-evaluated every MetadataMaxAgeMS.
	TopicsPattern string `hcl:"topics_pattern,optional"`
	// MetadataMaxAgeMS is how often topics_pattern is matched again.
	MetadataMaxAgeMS int `hcl:"metadata_max_age_ms,optional"`
	// GroupID is the consumer group.
	GroupID string `hcl:"group_id,optional"`
	// ClientID is sent to the brokers; thread i uses client_id-i.
	ClientID string `hcl:"client_id,optional"`
	// ConsumerThreads is the number of group members this input runs.
	ConsumerThreads int `hcl:"consumer_threads,optional"`
	// AutoOffsetReset is where a partition without a committed offset
	// starts: earliest, latest or none (an error). Unset: latest.
	AutoOffsetReset string `hcl:"auto_offset_reset,optional"`
	// DecorateEvents is none, basic or extended (true and false are
	// deprecated aliases of basic and none).
	DecorateEvents string `hcl:"decorate_events,optional"`
	// EnableAutoCommit is accepted for compatibility: offsets are always
	// committed from acknowledgements, every AutoCommitIntervalMS.
	EnableAutoCommit bool `hcl:"enable_auto_commit,optional"`
	// AutoCommitIntervalMS is how often acknowledged offsets are committed.
	AutoCommitIntervalMS int `hcl:"auto_commit_interval_ms,optional"`
	// SessionTimeoutMS is the group session timeout.
	SessionTimeoutMS int `hcl:"session_timeout_ms,optional"`
	// HeartbeatIntervalMS is the group heartbeat interval.
	HeartbeatIntervalMS int `hcl:"heartbeat_interval_ms,optional"`
	// MaxPollRecords is the most records emitted as one batch.
	MaxPollRecords int `hcl:"max_poll_records,optional"`
	// FetchMinBytes is the least data a fetch waits for.
	FetchMinBytes int `hcl:"fetch_min_bytes,optional"`
	// FetchMaxBytes is the most data one fetch returns.
	FetchMaxBytes int `hcl:"fetch_max_bytes,optional"`
	// FetchMaxWaitMS bounds how long a fetch waits for FetchMinBytes.
	FetchMaxWaitMS int `hcl:"fetch_max_wait_ms,optional"`
	// IsolationLevel is read_uncommitted or read_committed.
	IsolationLevel string `hcl:"isolation_level,optional"`

	// SecurityProtocol is PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.
	SecurityProtocol string `hcl:"security_protocol,optional"`
	// SASLMechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	SASLMechanism string `hcl:"sasl_mechanism,optional"`
	// SASLUsername and SASLPassword are the SASL credentials. secret:
	// the password is never logged or put in an error message.
	SASLUsername string `hcl:"sasl_username,optional"`
	SASLPassword string `hcl:"sasl_password,optional"`
	// SASLJAASConfig is a PlainLoginModule or ScramLoginModule JAAS line
	// holding username and password. secret.
	SASLJAASConfig string `hcl:"sasl_jaas_config,optional"`
	// SSLCertificateAuthorities are PEM files of the CAs the brokers'
	// certificates must chain to (default: the system's roots).
	SSLCertificateAuthorities []string `hcl:"ssl_certificate_authorities,optional"`
	// SSLCertificate and SSLKey are a PEM client certificate and its key.
	SSLCertificate string `hcl:"ssl_certificate,optional"`
	SSLKey         string `hcl:"ssl_key,optional"`
	// SSLVerificationMode is full or none.
	SSLVerificationMode string `hcl:"ssl_verification_mode,optional"`

	// Options of Logstash's kafka input that pipe does not support yet:
	// Validate rejects them by name.
	SchemaRegistryURL                 *hcl.Attribute `hcl:"schema_registry_url,optional"`
	SchemaRegistryKey                 *hcl.Attribute `hcl:"schema_registry_key,optional"`
	SchemaRegistrySecret              *hcl.Attribute `hcl:"schema_registry_secret,optional"`
	SchemaRegistryProxy               *hcl.Attribute `hcl:"schema_registry_proxy,optional"`
	SchemaRegistryValidation          *hcl.Attribute `hcl:"schema_registry_validation,optional"`
	SchemaRegistrySSLKeystoreLocation *hcl.Attribute `hcl:"schema_registry_ssl_keystore_location,optional"`
	SchemaRegistrySSLKeystorePassword *hcl.Attribute `hcl:"schema_registry_ssl_keystore_password,optional"`
	SchemaRegistrySSLTruststoreLoc    *hcl.Attribute `hcl:"schema_registry_ssl_truststore_location,optional"`
	SchemaRegistrySSLTruststorePass   *hcl.Attribute `hcl:"schema_registry_ssl_truststore_password,optional"`
	JAASPath                          *hcl.Attribute `hcl:"jaas_path,optional"`
	KerberosConfig                    *hcl.Attribute `hcl:"kerberos_config,optional"`
	SASLKerberosServiceName           *hcl.Attribute `hcl:"sasl_kerberos_service_name,optional"`
	SASLOAuthbearerTokenEndpointURL   *hcl.Attribute `hcl:"sasl_oauthbearer_token_endpoint_url,optional"`
	SASLOAuthbearerScopeClaimName     *hcl.Attribute `hcl:"sasl_oauthbearer_scope_claim_name,optional"`
	SASLLoginCallbackHandlerClass     *hcl.Attribute `hcl:"sasl_login_callback_handler_class,optional"`
	SASLClientCallbackHandlerClass    *hcl.Attribute `hcl:"sasl_client_callback_handler_class,optional"`
	SASLIAMJarPaths                   *hcl.Attribute `hcl:"sasl_iam_jar_paths,optional"`
	SSLKeystoreLocation               *hcl.Attribute `hcl:"ssl_keystore_location,optional"`
	SSLKeystorePassword               *hcl.Attribute `hcl:"ssl_keystore_password,optional"`
	SSLKeystoreType                   *hcl.Attribute `hcl:"ssl_keystore_type,optional"`
	SSLTruststoreLocation             *hcl.Attribute `hcl:"ssl_truststore_location,optional"`
	SSLTruststorePassword             *hcl.Attribute `hcl:"ssl_truststore_password,optional"`
	SSLTruststoreType                 *hcl.Attribute `hcl:"ssl_truststore_type,optional"`
	SSLKeyPassword                    *hcl.Attribute `hcl:"ssl_key_password,optional"`
	SSLEndpointIdentificationAlg      *hcl.Attribute `hcl:"ssl_endpoint_identification_algorithm,optional"`
	GroupInstanceID                   *hcl.Attribute `hcl:"group_instance_id,optional"`
	GroupProtocol                     *hcl.Attribute `hcl:"group_protocol,optional"`
	ClientRack                        *hcl.Attribute `hcl:"client_rack,optional"`
	KeyDeserializerClass              *hcl.Attribute `hcl:"key_deserializer_class,optional"`
	ValueDeserializerClass            *hcl.Attribute `hcl:"value_deserializer_class,optional"`
	PartitionAssignmentStrategy       *hcl.Attribute `hcl:"partition_assignment_strategy,optional"`
	PollTimeoutMS                     *hcl.Attribute `hcl:"poll_timeout_ms,optional"`
	MaxPollIntervalMS                 *hcl.Attribute `hcl:"max_poll_interval_ms,optional"`
	MaxPartitionFetchBytes            *hcl.Attribute `hcl:"max_partition_fetch_bytes,optional"`
	ReceiveBufferBytes                *hcl.Attribute `hcl:"receive_buffer_bytes,optional"`
	SendBufferBytes                   *hcl.Attribute `hcl:"send_buffer_bytes,optional"`
	ReconnectBackoffMS                *hcl.Attribute `hcl:"reconnect_backoff_ms,optional"`
	ReconnectBackoffMaxMS             *hcl.Attribute `hcl:"reconnect_backoff_max_ms,optional"`
	RetryBackoffMS                    *hcl.Attribute `hcl:"retry_backoff_ms,optional"`
	RequestTimeoutMS                  *hcl.Attribute `hcl:"request_timeout_ms,optional"`
	ConnectionsMaxIdleMS              *hcl.Attribute `hcl:"connections_max_idle_ms,optional"`
	CheckCRCs                         *hcl.Attribute `hcl:"check_crcs,optional"`
	ClientDNSLookup                   *hcl.Attribute `hcl:"client_dns_lookup,optional"`
	AutoCreateTopics                  *hcl.Attribute `hcl:"auto_create_topics,optional"`
	ExcludeInternalTopics             *hcl.Attribute `hcl:"exclude_internal_topics,optional"`

	// What Validate made of the options.
	brokers    []string
	pattern    *regexp.Regexp
	decorate   int
	startFirst bool
	startNone  bool
	isolation  kafkago.IsolationLevel
	tlsConfig  *tls.Config
	mechanism  sasl.Mechanism
}

// Decoration levels (decorate_events).
const (
	decorateNone = iota
	decorateBasic
	decorateExtended
)

func defaults() *Config {
	return &Config{
		BootstrapServers:     "localhost:9092",
		Topics:               []string{"logstash"},
		MetadataMaxAgeMS:     300000,
		GroupID:              "logstash",
		ClientID:             "logstash",
		ConsumerThreads:      1,
		DecorateEvents:       "none",
		EnableAutoCommit:     true,
		AutoCommitIntervalMS: 5000,
		SessionTimeoutMS:     10000,
		HeartbeatIntervalMS:  3000,
		MaxPollRecords:       500,
		FetchMinBytes:        1,
		FetchMaxBytes:        52428800,
		FetchMaxWaitMS:       500,
		IsolationLevel:       "read_uncommitted",
		SecurityProtocol:     "PLAINTEXT",
		SASLMechanism:        "PLAIN",
		SSLVerificationMode:  "full",
	}
}

// unsupported returns the names of the options set that pipe rejects.
func (c *Config) unsupported() []string {
	var out []string
	for _, a := range []*hcl.Attribute{
		c.SchemaRegistryURL, c.SchemaRegistryKey, c.SchemaRegistrySecret, c.SchemaRegistryProxy,
		c.SchemaRegistryValidation, c.SchemaRegistrySSLKeystoreLocation, c.SchemaRegistrySSLKeystorePassword,
		c.SchemaRegistrySSLTruststoreLoc, c.SchemaRegistrySSLTruststorePass, c.JAASPath, c.KerberosConfig,
		c.SASLKerberosServiceName, c.SASLOAuthbearerTokenEndpointURL, c.SASLOAuthbearerScopeClaimName,
		c.SASLLoginCallbackHandlerClass, c.SASLClientCallbackHandlerClass, c.SASLIAMJarPaths,
		c.SSLKeystoreLocation, c.SSLKeystorePassword, c.SSLKeystoreType, c.SSLTruststoreLocation,
		c.SSLTruststorePassword, c.SSLTruststoreType, c.SSLKeyPassword, c.SSLEndpointIdentificationAlg,
		c.GroupInstanceID, c.GroupProtocol, c.ClientRack, c.KeyDeserializerClass, c.ValueDeserializerClass,
		c.PartitionAssignmentStrategy, c.PollTimeoutMS, c.MaxPollIntervalMS, c.MaxPartitionFetchBytes,
		c.ReceiveBufferBytes, c.SendBufferBytes, c.ReconnectBackoffMS, c.ReconnectBackoffMaxMS,
		c.RetryBackoffMS, c.RequestTimeoutMS, c.ConnectionsMaxIdleMS, c.CheckCRCs, c.ClientDNSLookup,
		c.AutoCreateTopics, c.ExcludeInternalTopics,
	} {
		if a != nil {
			out = append(out, a.Name)
		}
	}
	return out
}

// Validate checks the options, compiles topics_pattern, parses the JAAS
// configuration and reads the TLS files (no network).
func (c *Config) Validate() error {
	var errs []error
	bad := func(attr, summary, detail string) {
		errs = append(errs, &pipeline.ConfigError{Attr: attr, Summary: summary, Detail: detail})
	}
	for _, name := range c.unsupported() {
		bad(name, "not supported yet by pipe", "remove the option")
	}
	c.brokers = nil
	for s := range strings.SplitSeq(c.BootstrapServers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.brokers = append(c.brokers, s)
		}
	}
	if len(c.brokers) == 0 {
		bad("bootstrap_servers", "must not be empty", `use "host:port[,host:port...]"`)
	}
	if c.TopicsPattern != "" {
		re, err := regexp.Compile(`^(?:` + c.TopicsPattern + `)$`)
		if err != nil {
			bad("topics_pattern", "not a valid regular expression", err.Error())
		}
		c.pattern = re
	} else if len(c.Topics) == 0 || slicesHasEmpty(c.Topics) {
		bad("topics", "needs at least one topic name", `list topics, e.g. ["logs"], or set topics_pattern`)
	}
	if c.GroupID == "" {
		bad("group_id", "must not be empty", `use a group name such as "logstash"`)
	}
	positive := []struct {
		name string
		v    int
	}{
		{"consumer_threads", c.ConsumerThreads}, {"auto_commit_interval_ms", c.AutoCommitIntervalMS},
		{"session_timeout_ms", c.SessionTimeoutMS}, {"heartbeat_interval_ms", c.HeartbeatIntervalMS},
		{"max_poll_records", c.MaxPollRecords}, {"fetch_min_bytes", c.FetchMinBytes},
		{"fetch_max_bytes", c.FetchMaxBytes}, {"fetch_max_wait_ms", c.FetchMaxWaitMS},
		{"metadata_max_age_ms", c.MetadataMaxAgeMS},
	}
	for _, p := range positive {
		if p.v <= 0 {
			bad(p.name, fmt.Sprintf("must be positive, not %d", p.v), "")
		}
	}
	if c.HeartbeatIntervalMS > 0 && c.SessionTimeoutMS > 0 && c.HeartbeatIntervalMS >= c.SessionTimeoutMS {
		bad("heartbeat_interval_ms", "must be lower than session_timeout_ms", "Kafka recommends a third of it")
	}
	c.startFirst, c.startNone = false, false
	switch c.AutoOffsetReset {
	case "", "latest":
	case "earliest":
		c.startFirst = true
	case "none":
		c.startNone = true
	default:
		bad("auto_offset_reset", fmt.Sprintf("unknown value %q", c.AutoOffsetReset), `use "earliest", "latest" or "none"`)
	}
	switch c.DecorateEvents {
	case "none", "false":
		c.decorate = decorateNone
	case "basic", "true":
		c.decorate = decorateBasic
	case "extended":
		c.decorate = decorateExtended
	default:
		bad("decorate_events", fmt.Sprintf("unknown value %q", c.DecorateEvents), `use "none", "basic" or "extended"`)
	}
	switch c.IsolationLevel {
	case "read_uncommitted":
		c.isolation = kafkago.ReadUncommitted
	case "read_committed":
		c.isolation = kafkago.ReadCommitted
	default:
		bad("isolation_level", fmt.Sprintf("unknown value %q", c.IsolationLevel), `use "read_uncommitted" or "read_committed"`)
	}
	switch c.SSLVerificationMode {
	case "full", "none":
	default:
		bad("ssl_verification_mode", fmt.Sprintf("unknown value %q", c.SSLVerificationMode), `use "full" or "none"`)
	}
	var useTLS, useSASL bool
	switch c.SecurityProtocol {
	case "PLAINTEXT":
	case "SSL":
		useTLS = true
	case "SASL_PLAINTEXT":
		useSASL = true
	case "SASL_SSL":
		useTLS, useSASL = true, true
	default:
		bad("security_protocol", fmt.Sprintf("unknown value %q", c.SecurityProtocol),
			`use "PLAINTEXT", "SSL", "SASL_PLAINTEXT" or "SASL_SSL"`)
	}
	switch c.SASLMechanism {
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
	case "GSSAPI", "OAUTHBEARER", "AWS_MSK_IAM":
		bad("sasl_mechanism", fmt.Sprintf("%s is not supported yet by pipe", c.SASLMechanism), `use "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512"`)
	default:
		bad("sasl_mechanism", fmt.Sprintf("unknown value %q", c.SASLMechanism), `use "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512"`)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	c.mechanism, c.tlsConfig = nil, nil
	if useSASL {
		m, err := c.buildSASL()
		if err != nil {
			return err
		}
		c.mechanism = m
	}
	if useTLS {
		cfg, err := c.buildTLS()
		if err != nil {
			return err
		}
		c.tlsConfig = cfg
	}
	return nil
}

func slicesHasEmpty(s []string) bool {
	for _, v := range s {
		if v == "" {
			return true
		}
	}
	return false
}

// buildSASL makes the SASL mechanism from sasl_username/sasl_password or
// sasl_jaas_config. Errors never hold the password or the JAAS text.
func (c *Config) buildSASL() (sasl.Mechanism, error) {
	user, pass := c.SASLUsername, c.SASLPassword
	if c.SASLJAASConfig != "" {
		if user != "" || pass != "" {
			return nil, &pipeline.ConfigError{Attr: "sasl_jaas_config", Summary: "conflicts with sasl_username and sasl_password",
				Detail: "set either sasl_jaas_config or sasl_username and sasl_password"}
		}
		var err error
		user, pass, err = parseJAAS(c.SASLJAASConfig, c.SASLMechanism)
		if err != nil {
			return nil, &pipeline.ConfigError{Attr: "sasl_jaas_config", Summary: err.Error(),
				Detail: `use e.g. org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`}
		}
	}
	if user == "" || pass == "" {
		return nil, &pipeline.ConfigError{Attr: "sasl_username", Summary: "SASL needs a username and a password",
			Detail: "set sasl_username and sasl_password, or sasl_jaas_config"}
	}
	switch c.SASLMechanism {
	case "SCRAM-SHA-256", "SCRAM-SHA-512":
		alg := scram.SHA256
		if c.SASLMechanism == "SCRAM-SHA-512" {
			alg = scram.SHA512
		}
		m, err := scram.Mechanism(alg, user, pass)
		if err != nil {
			// The error of scram.Mechanism names neither user nor password.
			return nil, &pipeline.ConfigError{Attr: "sasl_mechanism", Summary: "cannot set up SCRAM", Detail: err.Error()}
		}
		return m, nil
	}
	return plain.Mechanism{Username: user, Password: pass}, nil
}

// jaasLine splits a JAAS entry into login module, control flag and options.
var jaasLine = regexp.MustCompile(`(?s)^\s*(\S+)\s+(\w+)\s*(.*)$`)

// jaasPair matches key="value", key='value' or key=value in JAAS options.
var jaasPair = regexp.MustCompile(`(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s;"']+))`)

// parseJAAS reads username and password out of a PlainLoginModule or
// ScramLoginModule JAAS configuration. The error never quotes the input.
func parseJAAS(s, mechanism string) (user, pass string, err error) {
	parts := jaasLine.FindStringSubmatch(s)
	if parts == nil {
		return "", "", errors.New("not a JAAS login module entry")
	}
	module, flag, rest := parts[1], parts[2], parts[3]
	switch {
	case strings.HasSuffix(module, ".PlainLoginModule"):
		if mechanism != "PLAIN" {
			return "", "", fmt.Errorf("PlainLoginModule needs sasl_mechanism PLAIN, not %s", mechanism)
		}
	case strings.HasSuffix(module, ".ScramLoginModule"):
		if !strings.HasPrefix(mechanism, "SCRAM-") {
			return "", "", fmt.Errorf("ScramLoginModule needs sasl_mechanism SCRAM-SHA-256 or SCRAM-SHA-512, not %s", mechanism)
		}
	default:
		return "", "", errors.New("only PlainLoginModule and ScramLoginModule are supported")
	}
	switch flag {
	case "required", "requisite", "sufficient", "optional":
	default:
		return "", "", errors.New("the login module must be followed by a control flag such as required")
	}
	var haveUser, havePass bool
	for _, m := range jaasPair.FindAllStringSubmatch(rest, -1) {
		v := m[2] + m[3] + m[4] // one of them matched
		if m[2] != "" {
			v = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[2])
		}
		switch m[1] {
		case "username":
			user, haveUser = v, true
		case "password":
			pass, havePass = v, true
		}
	}
	if !haveUser || !havePass {
		return "", "", errors.New("needs username and password")
	}
	return user, pass, nil
}

// buildTLS reads the CA, certificate and key files.
func (c *Config) buildTLS() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.SSLVerificationMode == "none"} //nolint:gosec // the user's choice
	if len(c.SSLCertificateAuthorities) > 0 {
		pool := x509.NewCertPool()
		for _, f := range c.SSLCertificateAuthorities {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, &pipeline.ConfigError{Attr: "ssl_certificate_authorities", Summary: "cannot read a CA file", Detail: err.Error()}
			}
			if !pool.AppendCertsFromPEM(b) {
				return nil, &pipeline.ConfigError{Attr: "ssl_certificate_authorities", Summary: fmt.Sprintf("no PEM certificate in %s", f)}
			}
		}
		cfg.RootCAs = pool
	}
	if (c.SSLCertificate == "") != (c.SSLKey == "") {
		return nil, &pipeline.ConfigError{Attr: "ssl_certificate", Summary: "ssl_certificate and ssl_key go together",
			Detail: "set both for a client certificate, or neither"}
	}
	if c.SSLCertificate != "" {
		cert, err := tls.LoadX509KeyPair(c.SSLCertificate, c.SSLKey)
		if err != nil {
			return nil, &pipeline.ConfigError{Attr: "ssl_certificate", Summary: "cannot load the certificate and key", Detail: err.Error()}
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// dialer returns the kafka-go dialer for one consumer thread.
func (c *Config) dialer(clientID string) *kafkago.Dialer {
	return &kafkago.Dialer{
		ClientID:      clientID,
		Timeout:       10 * time.Second,
		DualStack:     true,
		TLS:           c.tlsConfig,
		SASLMechanism: c.mechanism,
	}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
