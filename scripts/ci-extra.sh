#!/usr/bin/env bash
# Debian packages the tests use: Prometheus (the analysis gate is tested against a real one).
# A failed install is reported, not fatal here: the Prometheus test then fails by name
# (with CI set it refuses to skip), and every other test still runs and is counted.
set -uo pipefail
if [ ! -x /usr/bin/prometheus ]; then
    echo "== apt-get install prometheus"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo_cmd="sudo -n"
    if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }; then
        echo "warning: could not install prometheus with apt-get; test/analysis.prometheus.test.ts will fail" >&2
        exit 0
    fi
fi
echo "== $(/usr/bin/prometheus --version 2>&1 | head -1)"
