package conf

import "testing"

func TestSnippetsRedactSecrets(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`    sasl_password = "hunter2"`, `    sasl_password = "*******"`},
		{`    sasl_jaas_config = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"`, ""},
		{`    password = env.ES_PASSWORD`, `    password = env.ES_PASSWORD`},
		{`    hosts = ["http://a:9200"]`, `    hosts = ["http://a:9200"]`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got := redactSecrets(tc.in)
			if tc.want == "" {
				if got == tc.in || len(got) != len(tc.in) {
					t.Fatalf("not redacted or length changed: %q", got)
				}
				return
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
