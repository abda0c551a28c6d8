#!/usr/bin/env bash
# Two projects over the same synthetic population, through the real intake
# chain (synth, pseudonymize, ingest) and the hdhub binary, cannot link their
# rows (issue 14, hole 1):
#   - no identifier column of any workspace table shares a value between the
#     two projects: pseudonyms, and every column the Table Schemas name in a
#     primary or foreign key (nomenclatures aside) or that identifies a stay,
#     a practitioner, an establishment or another record (listed below,
#     independently of the hub's own declaration);
#   - within each project, the joins still give the catalog's counts;
#   - the n-th row of a table in one project is not the n-th row in the other
#     (row positions give no person mapping).
# The identifier oracle is this test's own, so that a column the hub forgets
# to declare fails here.
# Usage: linkage_cli_test.sh <hdhub binary> <shared/snds dir>
set -uo pipefail
SNDS=$2
source "$(dirname "$0")/cli_test_lib.sh"
start_test_hub "$1" "linkage test passphrase 14" opal
TABLES="IR_BEN_R ER_PRS_F ER_PHA_F T_MCOaaB T_MCOaaC T_MCOaaD KI_CCI_R"

run synth --people 400 --seed 14 --years 2021-2022 --out "$work/ext"
check "synth" test "$(rc)" = 0
run source-key init --key "$work/src.key"
run init --operator opal
check "init" test "$(rc)" = 0
intake_synthetic "$work/ext" $TABLES
run user add omar --role operator
run user add rita --role researcher
OMAR=$("$HDHUB" token issue omar 2>/dev/null)
RITA=$("$HDHUB" token issue rita 2>/dev/null)
scope='{"tables": {'
for t in $TABLES; do scope+="\"$t\": [\"*\"], "; done
echo "${scope%, }}}" >"$work/scope.json"
for p in alpha beta; do
  run project create --id "$p" --authorisation "CNIL-DR-$p" --purpose "Linkage test" --scope "$work/scope.json" \
    --start 2026-01-01 --end 2099-01-01 --member rita
  run project approve "$p"
  HDHUB_TOKEN=$OMAR run project approve "$p"
  run project build "$p"
  check "project $p built" test "$(rc)" = 0
done

RITA=$RITA TABLES=$TABLES /usr/bin/python3 - "$HDHUB" "$SNDS" "$work/report" <<'EOF'
import json, os, subprocess, sys
hdhub, snds, report = sys.argv[1:4]
tables = os.environ["TABLES"].split()
failures = []

def query(sql, project=None):
    env = dict(os.environ)
    args = [hdhub, "--json", "query"]
    if project:
        env["HDHUB_TOKEN"] = env["RITA"]
        args += ["--project", project, "--timeout", "120"]
    r = subprocess.run(args + [sql], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise SystemExit(f"query failed ({project}): {sql[:200]}: {r.stderr}")
    return json.loads(r.stdout)

# The oracle: every key column of the Table Schemas, and identifier-like ones.
EXTRA = {"T_MCOaaC": {"SEJ_NUM", "NUM_DAT_AT", "ORG_CPL_NUM", "RNG_BEN", "RNG_NAI"},
         "T_MCOaaB": {"RSS_NUM"}, "T_MCOaaD": {"RSS_NUM"}, "KI_CCI_R": {"DCD_IDT_ENC"},
         "ER_PHA_F": {"PHA_ORD_NUM"},
         "ER_PRS_F": {"IJR_EMP_NUM", "PSP_PPS_NUM", "PFS_EXE_NUM", "PFS_PRE_NUM", "PRS_MTT_NUM", "ETB_PRE_FIN"}}
def identifiers(table, described):
    schema = json.load(open(f"{snds}/schemas/{table}.json"))
    out = set(schema.get("primaryKey") or [])
    for fk in schema.get("foreignKeys") or []:
        if fk.get("description") == "Nomenclature":
            continue
        fields = fk["fields"]
        out |= set(fields if isinstance(fields, list) else [fields])
    out |= EXTRA.get(table, set())
    out |= {name for name, type_ in described if type_ == "UUID"}
    out.add("DCIR_LINE_KEY")
    return out & {name for name, _ in described}

def q(name): return '"' + name.replace('"', '""') + '"'

with open(report, "w") as log:
    for table in tables:
        described = [(r[0], r[1]) for r in query(f"DESCRIBE {table}", "alpha")["rows"]]
        ids = identifiers(table, described)
        aggs = ", ".join(f"string_agg(DISTINCT CAST({q(c)} AS VARCHAR), '|')" for c, _ in described)
        values = {p: query(f"SELECT {aggs} FROM {table}", p)["rows"][0] for p in ("alpha", "beta")}
        for i, (column, _) in enumerate(described):
            a = set((values["alpha"][i] or "").split("|")) - {""}
            b = set((values["beta"][i] or "").split("|")) - {""}
            shared = a & b
            log.write(f"{table}.{column}: {len(a)} values, {len(shared)} shared{' (identifier)' if column in ids else ''}\n")
            if column in ids and shared:
                failures.append(f"{table}.{column} shares {len(shared)} of {len(a)} values between the projects")
        # Row positions: the non-identifier part of the n-th row in both projects.
        rest = [c for c, _ in described if c not in ids]
        if rest:
            fp = "md5(concat_ws('|', " + ", ".join(f"CAST({q(c)} AS VARCHAR)" for c in rest) + "))"
            sql = f"SELECT string_agg(f, ',' ORDER BY n) FROM (SELECT row_number() OVER () AS n, {fp} AS f FROM {table})"
            rows = {p: (query(sql, p)["rows"][0][0] or "").split(",") for p in ("alpha", "beta")}
            same = sum(1 for x, y in zip(rows["alpha"], rows["beta"]) if x == y)
            distinct = len(set(rows["alpha"]))
            log.write(f"{table}: {same} of {len(rows['alpha'])} rows alike at the same position ({distinct} distinct)\n")
            if len(rows["alpha"]) > 20 and distinct > 20 and same > len(rows["alpha"]) // 2:
                failures.append(f"{table}: {same} of {len(rows['alpha'])} rows at the same position in both projects")

    # Joins within a project give the catalog's counts (no opt-out here).
    dcir = "FLX_DIS_DTD, FLX_TRT_DTD, FLX_EMT_TYP, FLX_EMT_NUM, FLX_EMT_ORD, ORG_CLE_NUM, DCT_ORD_NUM, PRS_ORD_NUM, REM_TYP_AFF"
    joins = [f"SELECT count(*) FROM ER_PHA_F JOIN ER_PRS_F USING ({dcir})",
             "SELECT count(*) FROM T_MCOaaB JOIN T_MCOaaC USING (ETA_NUM, RSA_NUM)",
             "SELECT count(*) FROM T_MCOaaD JOIN T_MCOaaC USING (ETA_NUM, RSA_NUM)",
             "SELECT count(*) FROM T_MCOaaD JOIN T_MCOaaB USING (ETA_NUM, RSA_NUM)",
             "SELECT count(*) FROM ER_PRS_F JOIN IR_BEN_R USING (BEN_NIR_PSA, BEN_RNG_GEM)",
             "SELECT count(*) FROM T_MCOaaC c JOIN IR_BEN_R b ON b.BEN_NIR_PSA = c.NIR_ANO_17"]
    for sql in joins:
        expected = query(sql)["rows"][0][0]
        for p in ("alpha", "beta"):
            got = query(sql, p)["rows"][0][0]
            log.write(f"{p}: {sql}: {got} (catalog {expected})\n")
            if got != expected or expected == 0:
                failures.append(f"{p}: {sql} gives {got}, the catalog {expected}")
for f in failures:
    print("FAILED:", f)
sys.exit(1 if failures else 0)
EOF
status=$?
cat "$work/report"
check "no shared identifier, joins kept, no positional mapping (see above)" test "$status" = 0

finish
