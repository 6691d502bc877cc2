package cli

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/pipeproject/pipe/conf"
)

const convertUsage = `Usage:
  pipe convert PATH...

Prints the HCL equivalent of a Logstash pipeline: PATH are .conf files,
folders or globs, read in name order as one pipeline as -f reads them.
Comments are kept where they can be placed. The diagnostics of the
original config (unknown plugins, options pipe does not support, ...) are
printed to stderr, and the exit code is 1 when there is any error; the
environment variables that ${VAR} references need are not checked. A
secret option (password, token, ...) given as a literal is converted as it
is, with a warning on stderr naming the line.
`

// runConvert is the `pipe convert` subcommand.
func runConvert(env *Env, args []string) int {
	fs := flag.NewFlagSet("pipe convert", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, convertUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	srcs, err := conf.ReadSources(fs.Args())
	if err != nil {
		fmt.Fprintf(env.Stderr, "pipe convert: %v\n", err)
		return exitConfig
	}
	out, diags := conf.Convert(srcs, env.Registry)
	if diags.HasErrors() {
		_ = diags.Write(env.Stderr, srcs, env.StderrTTY)
		return exitConfig
	}
	if _, err := env.Stdout.Write(out); err != nil {
		fmt.Fprintf(env.Stderr, "pipe convert: %v\n", err)
		return exitConfig
	}
	for _, n := range conf.SecretLiterals(out) {
		fmt.Fprintf(env.Stderr, "pipe convert: warning: line %d of the HCL sets a secret to the literal value of the .conf: "+
			"keep the file private, or use env.NAME (a ${NAME} in the .conf converts to it)\n", n)
	}
	// The checks beyond syntax: the HCL says the same, so it would fail
	// the same way; say so now, at the lines of the original.
	_, diags = conf.Load(srcs, env.Registry, conf.Options{Env: environMap(env.Environ)})
	// An unset environment variable is about this machine, not the config.
	diags = slices.DeleteFunc(diags, func(d conf.Diagnostic) bool {
		return strings.HasPrefix(d.Summary, "Environment variable ") && strings.HasSuffix(d.Summary, " is not set")
	})
	if len(diags) > 0 {
		_ = diags.Write(env.Stderr, srcs, env.StderrTTY)
	}
	if diags.HasErrors() {
		return exitConfig
	}
	return exitOK
}
