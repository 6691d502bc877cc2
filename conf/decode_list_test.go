package conf

import (
	"slices"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/filters/mutate"
)

// TestOneStringIsAListOfOne: a plugin option that is a list of strings
// takes a single string as a list of one, as Logstash does.
func TestOneStringIsAListOfOne(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        []string
		err         string
	}{
		{"string", `"a"`, []string{"a"}, ""},
		{"list", `["a", "b"]`, []string{"a", "b"}, ""},
		{"template", `"${env.F}"`, []string{"from_env"}, ""},
		{"number", `5`, nil, `Invalid value for "lowercase": list of string required, but have number.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "filter {\n  mutate {\n    lowercase = " + tc.value + "\n  }\n}\n"
			spec, diags := Load([]Source{{Name: "t.hcl", Data: []byte(src)}}, lsRegistry(), Options{Env: map[string]string{"F": "from_env"}})
			if tc.err != "" {
				var b strings.Builder
				_ = diags.Write(&b, nil, false)
				if !strings.Contains(b.String(), "t.hcl:3:17: error: "+tc.err) {
					t.Fatalf("diagnostics:\n%s", b.String())
				}
				return
			}
			if diags.HasErrors() {
				t.Fatalf("%v", diags)
			}
			got := spec.Filters[0].(*pipeline.PluginSpec).Config.(*mutate.Config).Lowercase
			if !slices.Equal(got, tc.want) {
				t.Fatalf("lowercase = %q, want %q", got, tc.want)
			}
		})
	}
}
