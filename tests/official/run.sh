#!/usr/bin/env bash
# Runs Datadog's official Python and Node.js clients, unchanged, against a ddusers sandbox
# (the debug binary), each on a fresh org. Installs the clients once, under target/.
set -euo pipefail
cd "$(dirname "$0")/../.."
users=250
venv=target/official-venv
node_dir=target/official-node
bin=${CARGO_TARGET_DIR:-target}/debug/ddusers
log=$(mktemp)
pid=""
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null; rm -f "$log"' EXIT

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "datadog-api-client==2.62.0"
fi
if command -v npm >/dev/null && [ ! -d "$node_dir/node_modules/@datadog/datadog-api-client" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm install --silent --no-audit --no-fund --no-save "@datadog/datadog-api-client@1.64.0")
fi
cargo build --quiet --bin ddusers

# Starts a fresh sandbox (stopping the previous one) and sets $url.
fresh_sandbox() {
  if [ -n "$pid" ]; then kill -TERM "$pid"; wait "$pid" || true; fi
  : >"$log"
  "$bin" sandbox --port 0 --users "$users" >"$log" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 1 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n1 || true)
    [ -n "$url" ] && return 0
    sleep 0.1
  done
  echo "the sandbox did not start:"; cat "$log"; exit 1
}

fresh_sandbox
"$venv/bin/python" tests/official/python_client.py "$url" "$users"

if command -v node >/dev/null; then
  fresh_sandbox
  # ES modules resolve packages next to the script, so run a copy inside the install folder.
  cp tests/official/node_client.mjs "$node_dir/"
  node "$node_dir/node_client.mjs" "$url" "$users"
fi

# Datadog's Rust crate takes minutes to compile, so it is opt-in: DDUSERS_OFFICIAL_RUST=1.
if [ "${DDUSERS_OFFICIAL_RUST:-0}" = 1 ]; then
  fresh_sandbox
  (cd tests/official/rust && cargo build --release --quiet)
  DD_API_KEY=sandbox-api-key DD_APP_KEY=sandbox-admin-app-key \
    tests/official/rust/target/release/ddusers-official-rust-check "${url#http://}" "$users"
fi
