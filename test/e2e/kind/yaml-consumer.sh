#!/usr/bin/env bash
# The YAML program of examples/yaml through goship's component provider, with the real Pulumi
# CLI (its YAML language host) against the current kube context: `pulumi package add`, preview,
# up, the objects read back from the cluster, destroy. GitHub Actions runs it against kind
# (.github/workflows/test.yml, job other-languages); the offline tier has no YAML language host.
# Needs: npm ci done in the repo, `pulumi` and `kubectl` on PATH, the app image as
# ${IMAGE_REPO:-goship}:1.0.0 pullable by the cluster.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$(mktemp -d)"
publisher=""
cleanup() {
    if [ -n "$publisher" ]; then kill "$publisher" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
cp "$root/examples/yaml/Pulumi.yaml" "$work/"
cd "$work"

# A state for this run only, deleted with it: its passphrase protects nothing.
mkdir "$work/state"
export PULUMI_BACKEND_URL="file://$work/state" PULUMI_CONFIG_PASSPHRASE=throwaway PULUMI_SKIP_UPDATE_CHECK=true
# No NODE_PATH and no Node.js packages here: the Release keeps its state in the plugin's own
# resource (goship:index:ReleaseRecord), which the goship plugin serves (README, "Use from
# other languages").

pulumi package add "$root/provider"
pulumi stack init ci
pulumi config set imageRepository "${IMAGE_REPO:-goship}"

# No ingress controller here: publish each Ingress's address as ingress-nginx would, or the
# Ingresses never become ready.
(
    while true; do
        for ing in $(kubectl get ingress -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {end}' 2>/dev/null); do
            kubectl patch ingress -n "${ing%%/*}" "${ing#*/}" --subresource=status --type=merge \
                -p '{"status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.1"}]}}}' >/dev/null 2>&1 || true
        done
        sleep 2
    done
) &
publisher=$!

pulumi preview --non-interactive --diff
pulumi up --yes --non-interactive --skip-preview

status="$(pulumi stack output releaseStatus)"
[ "$status" = "stable 1.0.0" ] || { echo "releaseStatus is '$status', expected 'stable 1.0.0'" >&2; exit 1; }
kubectl get namespace goship-shop -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}' | grep -qx restricted
kubectl -n goship-shop get deployment shop-blue -o jsonpath='{.status.availableReplicas}' | grep -qx 1
kubectl -n goship-shop get deployment shop-worker-main -o jsonpath='{.spec.template.spec.containers[0].image}' | grep -qx "${IMAGE_REPO:-goship}:1.0.0"
kubectl -n goship-shop get hpa shop-worker -o jsonpath='{.spec.scaleTargetRef.name}' | grep -qx shop-worker-main
kubectl -n goship-shop get ingress shop-canary -o jsonpath='{.metadata.annotations.nginx\.ingress\.kubernetes\.io/canary-weight}' | grep -qx 0
pulumi stack export | grep -q '"type": "goship:index:ReleaseRecord"'
echo "YAML program deployed through the component provider: $status"

pulumi destroy --yes --non-interactive --skip-preview
