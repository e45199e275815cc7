#!/usr/bin/env bash
# Debian packages the tests use: Prometheus and promtool (the analysis gate and the
# observability PromQL are tested against a real one).
# A tool the tests need either installs or fails the run: nothing is skipped under CI.
set -euo pipefail
if [ ! -x /usr/bin/prometheus ]; then
    echo "== apt-get install prometheus"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo_cmd="sudo -n"
    if ! { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }; then
        echo "error: could not install prometheus with apt-get; test/analysis.prometheus.test.ts needs it" >&2
        exit 1
    fi
fi
[ -x /usr/bin/prometheus ] || { echo "error: /usr/bin/prometheus is missing after the install" >&2; exit 1; }
# The same package ships promtool (test/observability.prometheus.test.ts checks and unit-tests the rules).
[ -x /usr/bin/promtool ] || { echo "error: /usr/bin/promtool is missing (Debian's prometheus package ships it)" >&2; exit 1; }
echo "== $(/usr/bin/prometheus --version 2>&1 | head -1)"
