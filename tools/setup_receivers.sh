#!/usr/bin/env bash
# Install what the C# and JavaScript receiver tests need (idempotent): mono's C# compiler and
# runtime (Debian package mono-mcs, when root with apt-get) and the JS receiver's pinned npm
# dependencies (npm ci in receivers/js). Without them those tests skip, or fail when CI is set.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mcs >/dev/null || ! command -v mono >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup_receivers: installing mono-mcs (C# compiler and runtime)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mono-mcs >/dev/null
  else
    echo "setup_receivers: mcs/mono missing; install Debian's mono-mcs for the C# receiver tests" >&2
  fi
fi

lock=receivers/js/package-lock.json
installed=receivers/js/node_modules/.package-lock.json
if ! command -v npm >/dev/null; then
  echo "setup_receivers: npm missing; install Node.js >= 18 for the JavaScript receiver tests" >&2
elif [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
  echo "setup_receivers: npm ci in receivers/js"
  (cd receivers/js && npm ci --no-audit --no-fund --loglevel=error)
fi
