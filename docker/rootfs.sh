#!/usr/bin/env bash
# Builds the file tree of pipe's runtime image into DIR (default: bin/rootfs):
# static pipe and faulty binaries, the example configs under /etc/pipe, a
# fixed non-root user, CA certificates and MIME types from the build host.
# The Dockerfile's build stage runs this script, and CI runs it outside Docker
# (e2e/docker_test.go), so the image's build steps cannot rot on machines
# without a Docker engine. Usage: docker/rootfs.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bin/rootfs}"
PIPE_UID=10001
PIPE_GID=10001

rm -rf "$out"
mkdir -p "$out/usr/local/bin" "$out/etc/pipe" "$out/etc/ssl/certs" "$out/tmp" "$out/var/lib/pipe"

# Static binaries: no cgo, no libc, reproducible paths, no debug tables.
export CGO_ENABLED=0
version="$(git describe --always --dirty 2>/dev/null || echo unknown)"
go build -trimpath -ldflags "-s -w -X github.com/pipeproject/pipe/internal/cli.Version=$version" \
  -o "$out/usr/local/bin/pipe" ./cmd/pipe
go build -trimpath -ldflags "-s -w" -o "$out/usr/local/bin/faulty" ./cmd/faulty

cp conf/examples/*.hcl conf/examples/*.conf "$out/etc/pipe/"

# The user the image runs as; no shell, no home to write to but /var/lib/pipe.
cat >"$out/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
pipe:x:$PIPE_UID:$PIPE_GID:pipe:/var/lib/pipe:/sbin/nologin
PASSWD
cat >"$out/etc/group" <<GROUP
root:x:0:
pipe:x:$PIPE_GID:
GROUP

# TLS to Elasticsearch and Kafka needs the CA bundle; faulty serve takes its
# MIME types from /etc/mime.types when there is one.
for ca in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
  if [ -f "$ca" ]; then cp "$ca" "$out/etc/ssl/certs/ca-certificates.crt"; break; fi
done
if [ -f /etc/mime.types ]; then cp /etc/mime.types "$out/etc/mime.types"; fi
chmod 1777 "$out/tmp"
echo "$out"
