// Package drop is the drop filter: events that reach it leave the pipeline.
package drop

import (
	"math/rand/v2"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "drop"

// Config is the drop filter's configuration.
type Config struct {
	// Percentage of the events reaching the filter that are dropped (0-100).
	Percentage int `hcl:"percentage,optional"`
}

func defaults() *Config { return &Config{Percentage: 100} }

// Validate checks the options.
func (c *Config) Validate() error {
	if c.Percentage < 0 || c.Percentage > 100 {
		return &pipeline.ConfigError{Attr: "percentage", Summary: "must be between 0 and 100"}
	}
	return nil
}

// Plugin describes the drop filter for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewFilterPlugin(Name, "drops events", defaults, build)
}

// Filter drops events.
type Filter struct {
	percentage int
	dropped    interface{ Add(int64) int64 }
}

var _ pipeline.Filter = (*Filter)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Filter, error) {
	f := &Filter{percentage: c.Percentage}
	if d.Metrics != nil {
		f.dropped = d.Metrics.Counter("dropped")
	}
	return f, nil
}

// Filter implements pipeline.Filter. As in Logstash, the common add_* and
// remove_* options apply only to events that are kept.
func (f *Filter) Filter(e *pipeline.Event) pipeline.FilterResult {
	if f.percentage < 100 && rand.IntN(100) >= f.percentage {
		return pipeline.FilterMatched
	}
	if f.dropped != nil {
		f.dropped.Add(1)
	}
	return pipeline.FilterDropped
}
