#!/usr/bin/env bash
# Airlock protection benchmark (bench/README.md, "Airlock"): hdhub_airlock_bench
# on SNDS-shaped tables of about 10^3 .. 10^6 cells (one process per size, its
# peak RSS measured), then hdhub's pattern against the MIP on COIN-OR Cbc on
# small tables. Prints the JSON lines, then a table of them.
# Usage: bench/airlock_bench.sh WORK [CELLS] [COMPARE_TABLES] [TIMEOUT_S]
#   CELLS           comma-separated targets (default 1e3,1e4,1e5,1e6)
#   COMPARE_TABLES  small tables compared with Cbc (default 8; 0: none)
#   TIMEOUT_S       per size (default 3600)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BENCH_BIN=${BENCH_BIN:-$PWD/$BUILD_DIR/bench}
W=${1:?work directory}/airlock
CELLS=${2:-1e3,1e4,1e5,1e6}
COMPARE=${3:-8}
TIMEOUT_S=${4:-3600}
mkdir -p "$W"
out=$W/airlock.jsonl

"$BENCH_BIN"/hdhub_airlock_bench --cells "$CELLS" --timeout-s "$TIMEOUT_S" | tee "$out"
if ((COMPARE > 0)); then
  "$BENCH_BIN"/hdhub_airlock_bench --compare "$COMPARE" | tee -a "$out"
fi
echo
python3 - "$out" <<'EOF'
import json, sys

lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(f"{'cells':>9} {'primary':>8} {'secondary':>9} {'repair':>7} {'outcome':>8} {'rounds':>6} "
      f"{'protect s':>10} {'final audit s':>13} {'peak MB':>8}")
for l in (l for l in lines if l["bench"] == "airlock_protect"):
    if "outcome" not in l:
        state = f"timeout after {l['timeout_s']:.0f} s" if "timeout_s" in l else "failed"
        print(f"{l['cells_expected']:>9} {state}")
        continue
    print(f"{l['cells']:>9} {l['primary']:>8} {l['secondary']:>9} {l['repair']:>7} {l['outcome']:>8} "
          f"{l['repair_rounds']:>6} {l['protect_s']:>10.2f} {l.get('final_audit_s', 0):>13.2f} {l['peak_rss_mb']:>8.0f}")
cmp = [l for l in lines if l["bench"] == "airlock_optimal"]
if cmp:
    print()
    print(f"{'table':>5} {'cells':>6} {'primary':>8} {'hdhub':>6} {'outcome':>8} {'Cbc':>5} {'Cbc is':>30} {'ratio':>6}")
    for l in cmp:
        h = l["hdhub"]
        print(f"{l['table']:>5} {h['cells']:>6} {h['primary']:>8} {l['hdhub_suppressed_quantities']:>6} "
              f"{h['outcome']:>8} {l['cbc']['suppressed']:>5} {l['cbc_is']:>30} {l['ratio']:>6.2f}")
for l in lines:
    if l["bench"] == "airlock_optimal_summary":
        print(f"hdhub / Cbc: mean {l['mean_ratio']:.2f}, max {l['max_ratio']:.2f} (goal <= {l['goal_max_ratio']:.2f} "
              f"against the optimum; Cbc's count is a lower bound unless its pattern passed the audit)")
EOF
