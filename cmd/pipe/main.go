// Command pipe is a Logstash-compatible ingest pipeline processor:
// pipe -f pipeline.hcl reads events, runs filters and writes them out.
// See the README for the configuration language and `pipe help` for flags.
package main

import (
	"os"

	"github.com/pipeproject/pipe/internal/cli"
	"github.com/pipeproject/pipe/plugins/all"
)

func main() {
	os.Exit(cli.Run(cli.ProcessEnv(all.Registry())))
}
