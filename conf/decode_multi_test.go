package conf

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/pipeline"
)

// multiConfig has an ordered option whose values are strings or lists of
// strings (grok's match).
type multiConfig struct {
	Match []pipeline.KV `hcl:"match,optional" pipe:"multi"`
	Defs  []pipeline.KV `hcl:"defs,optional"`
}

func multiRegistry() *pipeline.Registry {
	return pipeline.NewRegistry(pipeline.NewFilterPlugin("grok", "test", newFn(multiConfig{}), buildFilter[multiConfig]))
}

// A []pipeline.KV field tagged pipe:"multi" takes strings and lists of
// strings, one KV per element, in the order written; keys may repeat.
func TestOrderedMultiOption(t *testing.T) {
	src := "filter {\n  grok {\n    match = { z = \"%{A}\", \"[a]\" = [\"p1\", \"p2\"] m = env.USER, z = [\"again\"] }\n    defs = { B = \"x\" }\n  }\n}\n"
	spec, diags := Load([]Source{{Name: "m.hcl", Data: []byte(src)}}, multiRegistry(), Options{Env: map[string]string{"USER": "alice"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c := spec.Filters[0].(*pipeline.PluginSpec).Config.(*multiConfig)
	want := []pipeline.KV{{Key: "z", Value: "%{A}"}, {Key: "[a]", Value: "p1"}, {Key: "[a]", Value: "p2"},
		{Key: "m", Value: "alice"}, {Key: "z", Value: "again"}}
	if !reflect.DeepEqual(c.Match, want) {
		t.Errorf("got %v, want %v", c.Match, want)
	}
	if !reflect.DeepEqual(c.Defs, []pipeline.KV{{Key: "B", Value: "x"}}) {
		t.Errorf("defs %v", c.Defs)
	}
	for _, tc := range []struct{ src, want string }{
		{"filter {\n  grok {\n    match = [\"x\"]\n  }\n}\n", `Invalid value for "match"`},
		{"filter {\n  grok {\n    match = { a = { b = \"c\" } }\n  }\n}\n", `must be a string or a list of strings`},
	} {
		_, diags := Load([]Source{{Name: "m.hcl", Data: []byte(tc.src)}}, multiRegistry(), Options{})
		if len(diags) != 1 || diags[0].Line != 3 || !strings.Contains(diags[0].String(), tc.want) {
			t.Errorf("%q: got %v, want %q at line 3", tc.src, diags, tc.want)
		}
	}
}
