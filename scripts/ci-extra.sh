#!/usr/bin/env bash
# Debian packages the tests use: Prometheus (the analysis gate is tested against a real one).
set -euo pipefail
if [ ! -x /usr/bin/prometheus ]; then
    echo "== apt-get install prometheus"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
echo "== $(/usr/bin/prometheus --version 2>&1 | head -1)"
