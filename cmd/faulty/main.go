// Command faulty is the companion app of pipe: a Go rewrite of a small
// Django service that fails on purpose and logs as python-logstash does.
//
//	faulty serve   [flags]            the HTTP service (default 127.0.0.1:8050)
//	faulty load    -n 200 -c 10 URL   the `ab` run against it
//	faulty report  --es URL           exception archaeology from Elasticsearch
//
// See cmd/faulty/README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one ends the process at once
		// instead of waiting for the drain.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
