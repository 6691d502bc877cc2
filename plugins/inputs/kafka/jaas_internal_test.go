package kafka

import "testing"

func TestParseJAAS(t *testing.T) {
	for _, tc := range []struct{ in, mech, user, pass string }{
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="pw";`, "PLAIN", "alice", "pw"},
		{"org.apache.kafka.common.security.plain.PlainLoginModule required\n  username='bob'\n  password=x-1;", "PLAIN", "bob", "x-1"},
		{`org.apache.kafka.common.security.scram.ScramLoginModule required password="a \"q\" b;" username="u";`, "SCRAM-SHA-512", "u", `a "q" b;`},
	} {
		u, p, err := parseJAAS(tc.in, tc.mech)
		if err != nil || u != tc.user || p != tc.pass {
			t.Errorf("%s: %q %q %v, want %q %q", tc.in, u, p, err, tc.user, tc.pass)
		}
	}
}
