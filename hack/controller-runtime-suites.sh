#!/usr/bin/env bash
# Runs controller-runtime's own envtest suites, unchanged, against memkube:
# each package gets a fresh `memkube serve --controllers=` (no in-process
# controllers, as envtest) and runs with USE_EXISTING_CLUSTER=true.
#
#   hack/controller-runtime-suites.sh [PKG...]   (default: every envtest suite)
#
# controller-runtime's version is the one in go.mod; its source is copied from
# the module cache to a temporary directory (the cache is read-only). Results
# are in $OUT (default /tmp/memkube-cr-suites): one directory per package with
# the suite's output and the server's logs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(cd "$root" && go list -m -f '{{.Version}}' sigs.k8s.io/controller-runtime)
out=${OUT:-/tmp/memkube-cr-suites}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
(cd "$root" && go mod download sigs.k8s.io/controller-runtime && go build -o "$work/memkube" ./cmd/memkube)
src=$(cd "$root" && go list -m -f '{{.Dir}}' sigs.k8s.io/controller-runtime)
cp -r "$src" "$work/cr" && chmod -R u+w "$work/cr"
pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
	mapfile -t pkgs < <(cd "$work/cr" && grep -rl 'envtest.Environment{' --include='*_test.go' pkg | xargs -n1 dirname | sort -u)
fi
echo "controller-runtime $version: ${#pkgs[@]} packages"
status=0
for pkg in "${pkgs[@]}"; do
	dir="$out/$(echo "$pkg" | tr / _)"
	rm -rf "$dir" && mkdir -p "$dir"
	"$work/memkube" serve --controllers= --kubeconfig "$dir/kubeconfig" >"$dir/serve.out" 2>"$dir/serve.err" &
	pid=$!
	for _ in $(seq 300); do grep -q 'memkube ready' "$dir/serve.out" && break; sleep 0.1; done
	if (cd "$work/cr" && USE_EXISTING_CLUSTER=true KUBECONFIG="$dir/kubeconfig" go test "./$pkg/" -count=1 -timeout 20m >"$dir/test.out" 2>&1); then
		echo "ok   $pkg"
	else
		echo "FAIL $pkg (see $dir/test.out)"
		status=1
	fi
	kill "$pid" && wait "$pid" || true
done
exit $status
