#!/usr/bin/env bash
# Splices the benchmark tables in docs/figures into docs/performance.md: each block between
#   <!-- figures:NAME -->  and  <!-- /figures -->
# becomes the content of docs/figures/NAME.txt as written by the command that measured it
# (e.g. ./fsgen bench runtime --table-out docs/figures/runtime-system2.txt), so no figure on the
# page is copied by hand.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
doc="$root/docs/performance.md"
python3 - "$doc" "$root/docs/figures" <<'PY'
import re, sys, pathlib
doc, figures = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
text = doc.read_text()
def block(m):
    name = m.group(1)
    f = figures / (name + ".txt")
    if not f.exists():
        sys.exit(f"performance-doc: {f} is missing (run the command that writes it)")
    return f"<!-- figures:{name} -->\n```\n{f.read_text().rstrip()}\n```\n<!-- /figures -->"
new = re.sub(r"<!-- figures:([A-Za-z0-9_.-]+) -->.*?<!-- /figures -->", block, text, flags=re.S)
doc.write_text(new)
print(f"performance-doc: {doc} updated")
PY
