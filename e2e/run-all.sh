#!/usr/bin/env bash
# Sets up and runs every check and test of pipe: formatting, go vet,
# staticcheck, unit tests, and the end-to-end tests that build and drive the
# pipe binary with real senders (python-logstash from PyPI, logger). Go
# modules come from the Go module proxy; later end-to-end suites (Kafka,
# Elasticsearch) install and start their servers from here too. Usage: e2e/run-all.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."

export GOFLAGS="${GOFLAGS:-} -mod=mod"
STATICCHECK_VERSION=v0.8.2

echo "== go version: $(go version)"
echo "== real senders (python-logstash from PyPI, logger)"
PIPE_SENDERS_PYTHON="$(e2e/setup-senders.sh | tail -n 1)"
export PIPE_SENDERS_PYTHON
echo "python-logstash in $PIPE_SENDERS_PYTHON"
echo "== modules"
go mod download

echo "== gofmt"
unformatted="$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))"
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck $STATICCHECK_VERSION"
go run "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" ./...

echo "== go test (unit and end-to-end)"
go test -count=1 ./... 2>&1 | tee /tmp/pipe-go-test.$$.log
status=${PIPESTATUS[0]}
passed=$(grep -c '^ok ' /tmp/pipe-go-test.$$.log || true)
failed=$(grep -c '^FAIL' /tmp/pipe-go-test.$$.log || true)
rm -f /tmp/pipe-go-test.$$.log
echo "packages: $passed passed, $failed failed"
exit "$status"
