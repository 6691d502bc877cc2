package conf

import (
	"fmt"
	"testing"
)

func TestSnippetsRedactSecrets(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`    sasl_password = "hunter2"`, `    sasl_password = "*******"`},
		{`    sasl_jaas_config = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"`, ""},
		{`    password = env.ES_PASSWORD`, `    password = env.ES_PASSWORD`},
		{`    hosts = ["http://a:9200"]`, `    hosts = ["http://a:9200"]`},
		{`    password => "hunter2"`, `    password => "*******"`},
		{`    password => 'hunter2' # note`, `    password => '*******' # note`},
		{`    ssl_key_passphrase => hunter2`, `    ssl_key_passphrase => *******`},
		{`    user => "elastic" password => "it's"`, `    user => "*******" password => "****"`},
		{`    hosts => ["es:9200"] user => elastic`, `    hosts => ["es:9200"] user => elastic`},
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

func TestSecretLiterals(t *testing.T) {
	hcl := `output {
  elasticsearch {
    user     = "elastic"
    password = "hunter2"
    api_key  = env.API_KEY
    token    = "${env.TOKEN}"
  }
  kafka {
    sasl_jaas_config = "org.apache.kafka.common.security.plain.PlainLoginModule required;"
    ssl_key_passphrase = ""
  }
}
`
	got := SecretLiterals([]byte(hcl))
	if want := []int{4, 9}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lines %v, want %v", got, want)
	}
}
