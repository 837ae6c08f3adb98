#!/usr/bin/env bash
# Detection quality on real series with labelled anomaly windows (NAB's layout):
#   bench/nab/evaluate.sh DATA_DIR [SCORER]
# DATA_DIR holds *.csv (timestamp,value), windows.json and profiles.json; SCORER defaults to
# ../shared/tools/nab_score.py. Converts every CSV to datapoints, replays them through `vigil replay` with the rules in
# bench/nab/rules/ (one rule set per kind of metric), and prints the scorer's report.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${1:?usage: bench/nab/evaluate.sh DATA_DIR [SCORER]}"
scorer="${2:-$root/../shared/tools/nab_score.py}"
[ -f "$data/windows.json" ] || { echo "evaluate.sh: $data has no windows.json" >&2; exit 2; }
[ -f "$scorer" ] || { echo "evaluate.sh: scorer $scorer not found" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/to_datapoints.py" "$data"/*.csv > "$work/datapoints.jsonl"
"$root/vigil" replay --rules "$here/rules" --input "$work/datapoints.jsonl" --output "$work/alerts.jsonl" 2> "$work/replay.err" \
  || { cat "$work/replay.err" >&2; exit 1; }
python3 "$scorer" "$work/alerts.jsonl" "$data/windows.json" --data "$data"
