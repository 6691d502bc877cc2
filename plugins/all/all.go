// Package all lists every plugin built into pipe. The registry is built
// explicitly from this list rather than filled by init functions, so there
// is no package-level mutable state and a test can build a registry of its
// own.
package all

import (
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/codecs/dots"
	"github.com/pipeproject/pipe/plugins/codecs/json"
	"github.com/pipeproject/pipe/plugins/codecs/jsonlines"
	"github.com/pipeproject/pipe/plugins/codecs/line"
	"github.com/pipeproject/pipe/plugins/codecs/plain"
	"github.com/pipeproject/pipe/plugins/codecs/rubydebug"
	"github.com/pipeproject/pipe/plugins/filters/date"
	"github.com/pipeproject/pipe/plugins/filters/drop"
	"github.com/pipeproject/pipe/plugins/filters/grok"
	jsonfilter "github.com/pipeproject/pipe/plugins/filters/json"
	"github.com/pipeproject/pipe/plugins/filters/mutate"
	"github.com/pipeproject/pipe/plugins/inputs/deadletterqueue"
	"github.com/pipeproject/pipe/plugins/inputs/generator"
	"github.com/pipeproject/pipe/plugins/inputs/kafka"
	"github.com/pipeproject/pipe/plugins/inputs/stdin"
	"github.com/pipeproject/pipe/plugins/inputs/tcp"
	"github.com/pipeproject/pipe/plugins/inputs/udp"
	"github.com/pipeproject/pipe/plugins/outputs/elasticsearch"
	"github.com/pipeproject/pipe/plugins/outputs/null"
	"github.com/pipeproject/pipe/plugins/outputs/stdout"
)

// Plugins returns the descriptors of every built-in plugin.
func Plugins() []pipeline.Plugin {
	return []pipeline.Plugin{
		// inputs
		deadletterqueue.Plugin(),
		generator.Plugin(),
		kafka.Plugin(),
		stdin.Plugin(),
		tcp.Plugin(),
		udp.Plugin(),
		// filters
		date.Plugin(),
		drop.Plugin(),
		grok.Plugin(),
		jsonfilter.Plugin(),
		mutate.Plugin(),
		// outputs
		elasticsearch.Plugin(),
		null.Plugin(),
		stdout.Plugin(),
		// codecs
		dots.Plugin(),
		json.Plugin(),
		jsonlines.Plugin(),
		line.Plugin(),
		plain.Plugin(),
		rubydebug.Plugin(),
	}
}

// Registry returns a registry of every built-in plugin.
func Registry() *pipeline.Registry { return pipeline.NewRegistry(Plugins()...) }
