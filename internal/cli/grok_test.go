package cli

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitPattern(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{`%{IP:c} %{WORD:m}`, []string{"%{IP:c}", " ", "%{WORD:m}"}, true},
		{`\[%{HTTPDATE}\]+?`, []string{`\[`, "%{HTTPDATE}", `\]+?`}, true},
		{`(?:a|b)[^]x]{2,3}c*`, []string{"(?:a|b)", "[^]x]{2,3}", "c*"}, true},
		{`a|b`, nil, false},
		{`(?<f>[)]x)y`, []string{"(?<f>[)]x)", "y"}, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := splitPattern(tc.in)
			if ok != tc.ok || (ok && !reflect.DeepEqual(got, tc.want)) {
				t.Fatalf("splitPattern(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestGrokCommand(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		stdin   string
		code    int
		wantOut []string
	}{
		{"match with types", []string{"grok", "%{IP:client} %{NUMBER:bytes:int}", "10.0.0.1 512"}, "", 0,
			[]string{"line 1: match", `"client" => "10.0.0.1"`, `"bytes" => 512`}},
		{"diagnosis", []string{"grok", "%{IP:client} %{WORD:method} %{NUMBER:n}", "10.0.0.1 GET x"}, "", exitConfig,
			[]string{"line 1: no match", "matches up to:  %{IP:client} %{WORD:method} ", `"10.0.0.1 GET "`, "expects:   %{NUMBER:n}", `"x"`, "_grokparsefailure"}},
		{"stdin lines and definitions", []string{"grok", "-pattern_definition", "SHA1=[0-9a-f]{40}", "%{SHA1:sha1} %{INT:length:int} %{NOTSPACE:type}"},
			"371679e24301dc140fbb7d0fd7957adb9ad32e41 1625 audio/mpeg\n", 0,
			[]string{`"sha1" => "371679e24301dc140fbb7d0fd7957adb9ad32e41"`, `"length" => 1625`, `"type" => "audio/mpeg"`}},
		{"legacy set", []string{"grok", "-ecs_compatibility", "disabled", "%{COMMONAPACHELOG}", `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326`}, "", 0,
			[]string{`"clientip" => "127.0.0.1"`, `"verb" => "GET"`}},
		{"unknown pattern", []string{"grok", "%{NOPE:x}", "a"}, "", exitConfig, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("code %d, want %d\n%s\n%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
