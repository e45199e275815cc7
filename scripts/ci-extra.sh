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
# kubectl: the real-engine tier's server-side dry runs of the rendered files (scenario 12).
if ! command -v kubectl >/dev/null; then
    echo "== apt-get install kubectl"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo_cmd="sudo -n"
    { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends kubectl >/dev/null; } ||
        { echo "error: could not install kubectl with apt-get; test/e2e/scenarios/12-production-gaps.e2e.ts needs it" >&2; exit 1; }
fi
echo "== kubectl $(kubectl version --client 2>/dev/null | head -1)"
