#!/bin/sh
# Builds the service exactly as the Dockerfile does: the `go build` line is read from the
# Dockerfile and run here with VERSION/COMMIT, so the flags live in one place.
#   VERSION=1.4.0 COMMIT=abc123 sh build.sh [output, relative to app/; default bin/goship]
set -eu
cd "$(dirname "$0")"
out=${1:-bin/goship}
build=$(sed -n 's|^RUN \(CGO_ENABLED=0 go build .*\) -o /out/goship \.$|\1|p' Dockerfile)
if [ -z "$build" ]; then
    echo "build.sh: no 'RUN CGO_ENABLED=0 go build ... -o /out/goship .' line in Dockerfile" >&2
    exit 1
fi
VERSION=${VERSION:-dev}
COMMIT=${COMMIT:-unknown}
# eval expands ${VERSION}/${COMMIT} inside the Dockerfile's quotes, as the image build does.
eval "$build -o \"\$out\" ."
