package conf

import (
	"errors"

	"github.com/pipeproject/pipe/pipeline"
)

// Fake plugins for the tests: real option shapes, no behaviour.

type stdinConfig struct{}

type generatorConfig struct {
	Count   int      `hcl:"count,optional"`
	Message string   `hcl:"message,optional"`
	Lines   []string `hcl:"lines,optional"`
}

func (c *generatorConfig) Validate() error {
	if c.Count < 0 {
		return &pipeline.ConfigError{Attr: "count", Summary: "must not be negative", Detail: "use 0 for no limit"}
	}
	return nil
}

type jsonConfig struct {
	Source string `hcl:"source"`
	Target string `hcl:"target,optional"`
}

func (c *jsonConfig) Validate() error {
	var errs []error
	if _, err := pipeline.ParseFieldRef(c.Source); err != nil {
		errs = append(errs, &pipeline.ConfigError{Attr: "source", Summary: "not a field reference", Detail: err.Error()})
	}
	if c.Target != "" {
		if _, err := pipeline.ParseFieldRef(c.Target); err != nil {
			errs = append(errs, &pipeline.ConfigError{Attr: "target", Summary: "not a field reference", Detail: err.Error()})
		}
	}
	return errors.Join(errs...)
}

type dropConfig struct {
	Percentage int `hcl:"percentage,optional"`
}

type mutateConfig struct {
	Rename    map[string]string `hcl:"rename,optional"`
	Lowercase []string          `hcl:"lowercase,optional"`
	// Replace keeps the order written.
	Replace []pipeline.KV `hcl:"replace,optional"`
}

type stdoutConfig struct{}

type nullConfig struct{}

type plainConfig struct {
	Format string `hcl:"format,optional"`
}

type lineConfig struct {
	Format    string `hcl:"format,optional"`
	Delimiter string `hcl:"delimiter,optional"`
}

func (c *lineConfig) Validate() error {
	if c.Delimiter == "" {
		return &pipeline.ConfigError{Attr: "delimiter", Summary: "must not be empty", Detail: `use "\n" for lines`}
	}
	return nil
}

type jsonCodecConfig struct{}

type jsonLinesConfig struct {
	Delimiter string `hcl:"delimiter,optional"`
}

type rubydebugConfig struct {
	Metadata bool `hcl:"metadata,optional"`
}

func newFn[C any](c C) func() *C { return func() *C { v := c; return &v } }

func buildInput[C any](*C, pipeline.Deps) (pipeline.Input, error)   { return nil, nil }
func buildFilter[C any](*C, pipeline.Deps) (pipeline.Filter, error) { return nil, nil }
func buildOutput[C any](*C, pipeline.Deps) (pipeline.Output, error) { return nil, nil }
func buildCodec[C any](*C, pipeline.Deps) (pipeline.Codec, error)   { return nil, nil }

// testRegistry returns the registry of fake plugins.
func testRegistry() *pipeline.Registry {
	return pipeline.NewRegistry(
		pipeline.NewInputPlugin("stdin", "reads standard input", "line", newFn(stdinConfig{}), buildInput[stdinConfig]),
		pipeline.NewInputPlugin("generator", "generates events", "plain",
			newFn(generatorConfig{Message: "Hello world!"}), buildInput[generatorConfig]),
		pipeline.NewFilterPlugin("json", "parses JSON", newFn(jsonConfig{}), buildFilter[jsonConfig]),
		pipeline.NewFilterPlugin("drop", "drops events", newFn(dropConfig{Percentage: 100}), buildFilter[dropConfig]),
		pipeline.NewFilterPlugin("mutate", "changes fields", newFn(mutateConfig{}), buildFilter[mutateConfig]),
		pipeline.NewOutputPlugin("stdout", "writes standard output", "rubydebug", newFn(stdoutConfig{}), buildOutput[stdoutConfig]),
		pipeline.NewOutputPlugin("null", "discards events", "", newFn(nullConfig{}), buildOutput[nullConfig]),
		pipeline.NewCodecPlugin("plain", "plain text", newFn(plainConfig{}), buildCodec[plainConfig]),
		pipeline.NewCodecPlugin("line", "lines", newFn(lineConfig{Delimiter: "\n"}), buildCodec[lineConfig]),
		pipeline.NewCodecPlugin("json", "JSON", newFn(jsonCodecConfig{}), buildCodec[jsonCodecConfig]),
		pipeline.NewCodecPlugin("json_lines", "JSON lines", newFn(jsonLinesConfig{Delimiter: "\n"}), buildCodec[jsonLinesConfig]),
		pipeline.NewCodecPlugin("rubydebug", "Ruby debug", newFn(rubydebugConfig{}), buildCodec[rubydebugConfig]),
	)
}
