// Package null is the null output: it accepts every event and writes
// nothing (benchmarks, and pipelines whose work is in the filters).
package null

import (
	"context"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "null"

// Config is the null output's configuration; it has no options of its own.
type Config struct{}

func defaults() *Config { return &Config{} }

// Plugin describes the null output for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewOutputPlugin(Name, "discards events", "", defaults, build)
}

// Output discards events.
type Output struct{}

var _ pipeline.Output = Output{}

func build(*Config, pipeline.Deps) (pipeline.Output, error) { return Output{}, nil }

// Write implements pipeline.Output.
func (Output) Write(context.Context, []*pipeline.Event) error { return nil }
