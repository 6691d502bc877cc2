package conf

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// evalContext returns the variables and functions expressions may use: the
// object env, holding every environment variable as a string, and the
// function env(name, default).
func evalContext(env map[string]string) *hcl.EvalContext {
	vals := make(map[string]cty.Value, len(env))
	for k, v := range env {
		vals[k] = cty.StringVal(v)
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"env": cty.ObjectVal(vals)},
		Functions: map[string]function.Function{"env": envFunc(env)},
	}
}

// envFunc is env("NAME") or env("NAME", "default"): the variable's value,
// else the default, else an error.
func envFunc(env map[string]string) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable, or the default when it is not set.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam:    &function.Parameter{Name: "default", Type: cty.String},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			if len(args) > 2 {
				return cty.NilVal, function.NewArgErrorf(2, "env takes a name and at most one default")
			}
			if v, ok := env[name]; ok {
				return cty.StringVal(v), nil
			}
			if len(args) == 2 {
				return args[1], nil
			}
			return cty.NilVal, fmt.Errorf("the environment variable %q is not set; set it or give a default: env(%q, \"default\")", name, name)
		},
	})
}
