#!/usr/bin/env bash
# The gRPC API's checks (proto/README.md): buf lint with the rules of proto/buf.yaml, then buf
# breaking against proto/baseline.binpb, the last landed API. Fails on any finding.
#
#   proto/check.sh                    lint, then breaking against the baseline
#   proto/check.sh --update-baseline  record the API as it is now as the baseline (commit the file)
#
# buf is the one on PATH, else the one in .ci/tools, else @bufbuild/buf from npm installed there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
proto="$root/proto"
baseline="$proto/baseline.binpb"
buf_version=1.75.0
tools="$root/.ci/tools"

case "${1:-}" in
  "") update=false ;;
  --update-baseline) update=true ;;
  *) echo "usage: proto/check.sh [--update-baseline]" >&2; exit 2 ;;
esac

if command -v buf >/dev/null; then
  buf="$(command -v buf)"
elif [ -x "$tools/node_modules/.bin/buf" ]; then
  buf="$tools/node_modules/.bin/buf"
else
  echo "proto: installing buf $buf_version from npm into .ci/tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" "@bufbuild/buf@$buf_version"
  buf="$tools/node_modules/.bin/buf"
fi
echo "proto: buf $("$buf" --version) ($buf)"
cd "$proto"

if $update; then
  "$buf" build -o baseline.binpb
  echo "proto: wrote proto/baseline.binpb from the API as it is now; commit it with the change that lands this API"
  exit 0
fi

status=0
if "$buf" lint; then
  echo "proto: lint clean"
else
  echo "proto: buf lint found the problems above (rules: proto/buf.yaml); fix them in the .proto files" >&2
  status=1
fi

if [ ! -f "$baseline" ]; then
  echo "proto: proto/baseline.binpb is missing, so there is no landed API to check for breaking changes." >&2
  echo "proto: record the API as landed with 'proto/check.sh --update-baseline' (runs buf build -o proto/baseline.binpb) and commit it." >&2
  exit 1
fi
if "$buf" breaking --against baseline.binpb; then
  echo "proto: no breaking change against proto/baseline.binpb"
else
  echo "proto: the changes above break the landed API (proto/baseline.binpb). Make them compatible, or, for a" >&2
  echo "proto: deliberate break, move the baseline in the same change: proto/check.sh --update-baseline" >&2
  status=1
fi
exit $status
