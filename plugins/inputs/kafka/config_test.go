package kafka_test

import (
	"strings"
	"testing"
)

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		`bootstrap_servers = " , "`:              "bootstrap_servers: must not be empty",
		`topics = []`:                            "topics: needs at least one topic name",
		`topics_pattern = "a("`:                  "topics_pattern: not a valid regular expression",
		`group_id = ""`:                          "group_id: must not be empty",
		`consumer_threads = 0`:                   "consumer_threads: must be positive",
		`max_poll_records = -1`:                  "max_poll_records: must be positive",
		`auto_commit_interval_ms = 0`:            "auto_commit_interval_ms: must be positive",
		`heartbeat_interval_ms = 10000`:          "heartbeat_interval_ms: must be lower than session_timeout_ms",
		`auto_offset_reset = "by_duration:PT1H"`: `auto_offset_reset: unknown value "by_duration:PT1H"`,
		`decorate_events = "all"`:                `decorate_events: unknown value "all"`,
		`isolation_level = "serializable"`:       `isolation_level: unknown value`,
		`security_protocol = "TLS"`:              `security_protocol: unknown value "TLS"`,
		`security_protocol = "SASL_PLAINTEXT" sasl_mechanism = "GSSAPI"`:                  "sasl_mechanism: GSSAPI is not supported yet by pipe",
		`sasl_mechanism = "OAUTHBEARER"`:                                                  "OAUTHBEARER is not supported yet by pipe",
		`sasl_mechanism = "AWS_MSK_IAM"`:                                                  "AWS_MSK_IAM is not supported yet by pipe",
		`ssl_verification_mode = "partial"`:                                               `ssl_verification_mode: unknown value`,
		`security_protocol = "SASL_PLAINTEXT"`:                                            "SASL needs a username and a password",
		`security_protocol = "SSL" ssl_certificate_authorities = ["/nonexistent/ca.pem"]`: "ssl_certificate_authorities: cannot read a CA file",
		`security_protocol = "SSL" ssl_certificate = "/nonexistent/c.pem"`:                "ssl_certificate and ssl_key go together",
		`schema_registry_url = "http://r:8081"`:                                           "schema_registry_url: not supported yet by pipe",
		`schema_registry_secret = "s"`:                                                    "schema_registry_secret: not supported yet by pipe",
		`kerberos_config = "/etc/krb5.conf"`:                                              "kerberos_config: not supported yet by pipe",
		`sasl_kerberos_service_name = "kafka"`:                                            "sasl_kerberos_service_name: not supported yet by pipe",
		`ssl_truststore_location = "/t.jks"`:                                              "ssl_truststore_location: not supported yet by pipe",
		`ssl_keystore_password = "p"`:                                                     "ssl_keystore_password: not supported yet by pipe",
		`group_instance_id = "i"`:                                                         "group_instance_id: not supported yet by pipe",
		`group_protocol = "consumer"`:                                                     "group_protocol: not supported yet by pipe",
		`client_rack = "r1"`:                                                              "client_rack: not supported yet by pipe",
		`sasl_iam_jar_paths = ["/x.jar"]`:                                                 "sasl_iam_jar_paths: not supported yet by pipe",
		`sasl_oauthbearer_token_endpoint_url = "http://x"`:                                "sasl_oauthbearer_token_endpoint_url: not supported yet by pipe",
		`security_protocol = "SASL_PLAINTEXT" sasl_jaas_config = "com.example.Other required username=\"u\" password=\"p\";"`:                                                                        "only PlainLoginModule and ScramLoginModule are supported",
		`security_protocol = "SASL_PLAINTEXT" sasl_jaas_config = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\";"`:                                                 "needs username and password",
		`security_protocol = "SASL_PLAINTEXT" sasl_mechanism = "SCRAM-SHA-256" sasl_jaas_config = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"`: "PlainLoginModule needs sasl_mechanism PLAIN",
		`security_protocol = "SASL_PLAINTEXT" sasl_jaas_config = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";" sasl_username = "u"`:              "conflicts with sasl_username",
	}
	for block, want := range bad {
		if got := loadErrors(block); !strings.Contains(got, want) {
			t.Errorf("%s:\n%s\nwant %q", block, got, want)
		}
	}
	for _, ok := range []string{
		``,
		`topics = ["a", "b"] group_id = "g" client_id = "c" consumer_threads = 4`,
		`topics_pattern = "app-.*" metadata_max_age_ms = 1000`,
		`auto_offset_reset = "earliest" enable_auto_commit = false decorate_events = "false"`,
		`auto_offset_reset = "none" decorate_events = true isolation_level = "read_committed"`,
		`decorate_events = false`,
		`max_poll_records = 10 fetch_min_bytes = 1024 fetch_max_wait_ms = 100 fetch_max_bytes = 1000000`,
		`security_protocol = "SASL_PLAINTEXT" sasl_username = "u" sasl_password = "p"`,
		`security_protocol = "SASL_SSL" sasl_mechanism = "SCRAM-SHA-512" sasl_username = "u" sasl_password = "p" ssl_verification_mode = "none"`,
		`security_protocol = "SASL_PLAINTEXT" sasl_mechanism = "SCRAM-SHA-256" sasl_jaas_config = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p;\\\"x\";"`,
		`security_protocol = "SASL_PLAINTEXT" sasl_jaas_config = "org.apache.kafka.common.security.plain.PlainLoginModule required\n username='u'\n password=p;"`,
		`security_protocol = "SSL"`,
	} {
		if got := loadErrors(ok); got != "" {
			t.Errorf("%s: %s", ok, got)
		}
	}
}

// TestSecretsNotInErrors: passwords and JAAS text never reach a message.
func TestSecretsNotInErrors(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-Pa55"
	for _, block := range []string{
		`security_protocol = "SASL_PLAINTEXT" sasl_password = "` + secret + `"`,
		`security_protocol = "SASL_PLAINTEXT" sasl_jaas_config = "org.example.Bad required username=\"u\" password=\"` + secret + `\";"`,
		`security_protocol = "SASL_PLAINTEXT" sasl_jaas_config = "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"` + secret + `\";"`,
		`security_protocol = "SASL_PLAINTEXT" sasl_jaas_config = "` + secret + `"`,
		`security_protocol = "SASL_PLAINTEXT" sasl_mechanism = "SCRAM-SHA-256" sasl_jaas_config = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"` + secret + `\";"`,
		`schema_registry_secret = "` + secret + `"`,
		`ssl_keystore_password = "` + secret + `"`,
	} {
		got := loadErrors(block)
		if got == "" {
			t.Errorf("%s: no error", block)
		}
		if strings.Contains(got, secret) {
			t.Errorf("secret in error:\n%s", got)
		}
	}
}
