#!/bin/sh
# The one definition of how the binary is built: the Dockerfile runs this script, and
# the tests run it too, so the flags cannot drift apart.
#   VERSION=1.4.0 COMMIT=abc123 ./build.sh [output]
set -eu
cd "$(dirname "$0")"
out=${1:-bin/goship}
CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X main.version=${VERSION:-dev} -X main.commit=${COMMIT:-unknown}" \
    -o "$out" .
