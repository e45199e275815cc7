#!/usr/bin/env bash
# Builds the app image once per version the real-engine scenarios deploy and pushes it to the
# local registry kind pulls from (localhost:5001), then prints the variables the tier reads:
#   GOSHIP_E2E_IMAGE_REPO   repository of the versioned images (tags are the versions)
#   GOSHIP_E2E_PROD_IMAGE   the prod scenario's image, by digest
# Usage: export $(bash test/e2e/kind/images.sh)     (GitHub Actions: >> "$GITHUB_ENV")
set -euo pipefail
cd "$(dirname "$0")/../../.."
repo=localhost:5001/goship
for v in 1.0.0 1.1.0 1.2.0 2.0.0 2.1.0; do
    docker build -q --build-arg VERSION="$v" --build-arg COMMIT="$(git rev-parse --short HEAD)" -t "$repo:$v" app >&2
    docker push -q "$repo:$v" >&2
done
echo "GOSHIP_E2E_IMAGE_REPO=$repo"
echo "GOSHIP_E2E_PROD_IMAGE=$(docker inspect --format '{{index .RepoDigests 0}}' "$repo:1.0.0")"
