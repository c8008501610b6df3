#!/usr/bin/env bash
# Runs Datadog's official Python client, unchanged, against a ddusers sandbox started from
# the release-independent debug binary. Installs the client into target/official-venv once.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/official-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "datadog-api-client==2.62.0"
fi
cargo build --quiet --bin ddusers
bin=${CARGO_TARGET_DIR:-target}/debug/ddusers
users=250
log=$(mktemp)
"$bin" sandbox --port 0 --users "$users" >"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "sandbox did not start:"; cat "$log"; exit 1; }
"$venv/bin/python" tests/official/python_client.py "$url" "$users"
