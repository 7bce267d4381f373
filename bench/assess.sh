#!/usr/bin/env bash
# The supervising bureau at scale (issue 17): gathering 10,000 units from local folders, a year of
# daily gatherings of them stored in the history, and a per-unit history query.
#
#   bench/assess.sh                       # 10,000 units, 365 days, SQLite
#   UNITS=1000 DAYS=30 bench/assess.sh    # smaller
#   PG=postgres://user@127.0.0.1:5432/db bench/assess.sh   # the year on PostgreSQL too (an empty database)
#   BENCH_DIR=/dev/shm/x bench/assess.sh  # where the generated folders go (default target/bench-assess)
#
# The units: the example portal is built once (`gongkai build`: each unit's data.json and the
# report); its five units' published files are then copied UNITS times under new folder names and
# names (public/uNNNNN/data.json, and one gongkai-report/report.json listing every unit), which is
# what gathering a built folder reads. A bureau.yaml lists them all (生成目录).
#   gather   `gongkai assess --format json` over the UNITS units: wall and user+sys CPU seconds
#   year     desk/examples/history_year: that snapshot stored as DAYS daily gatherings (1% of the
#            units lose an item each day, fixed 1–20 days later; 0.1% unreadable for a day), then
#            the database's size and a per-unit history query over 1,000 units (median, worst)
# The generated folders and databases are deleted at the end (KEEP=1 keeps them).
set -euo pipefail
cd "$(dirname "$0")/.."

units=${UNITS:-10000}
days=${DAYS:-365}
dir=${BENCH_DIR:-target/bench-assess}
rm -rf "$dir"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"; }
trap cleanup EXIT

# PROFILE=dev: a debug build, to try the script quickly (figures only from release)
profile=${PROFILE:-release}
# two builds: together, cargo would build gongkai with the desk's features of shared crates
cargo build --profile "$profile" --quiet -p gongkai
cargo build --profile "$profile" --quiet -p gongkai-desk --example history_year
release=$(cd "${CARGO_TARGET_DIR:-target}/$([ "$profile" = dev ] && echo debug || echo "$profile")" && pwd)
bin=$release/gongkai
year=$release/examples/history_year

# the example portal, built once; its units copied UNITS times
mkdir -p "$dir/site"
cp -r content gongkai.yaml "$dir/site/"
(cd "$dir/site" && "$bin" build --quiet >/dev/null)
python3 - "$dir" "$units" <<'EOF'
import json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
site = os.path.join(d, "site")
report = json.load(open(os.path.join(site, "gongkai-report/report.json")))
models = report["units"]
data = {u["slug"]: json.load(open(os.path.join(site, "public", u["slug"], "data.json"))) for u in models}
units, roster = [], ["考核年度: 2026", "生成目录: ../public", "名单:"]
os.makedirs(os.path.join(d, "bureau"))
for i in range(n):
    m = models[i % len(models)]
    slug, name = f"u{i:05d}", f"{m['name']}{i:05d}"
    u = dict(m, slug=slug, name=name)
    units.append(u)
    one = dict(data[m["slug"]], slug=slug, name=name)
    os.makedirs(os.path.join(d, "public", slug))
    with open(os.path.join(d, "public", slug, "data.json"), "w") as f:
        json.dump(one, f, ensure_ascii=False)
    roster.append(f"  - {{名称: {name}, 目录: {slug}}}")
report["units"] = units
os.makedirs(os.path.join(d, "gongkai-report"))
with open(os.path.join(d, "gongkai-report/report.json"), "w") as f:
    json.dump(report, f, ensure_ascii=False)
with open(os.path.join(d, "bureau/bureau.yaml"), "w") as f:
    f.write("\n".join(roster) + "\n")
EOF
echo "units $units ($(du -sh "$dir/public" | cut -f1) of data.json, report $(du -h "$dir/gongkai-report/report.json" | cut -f1))"

sync
/usr/bin/time -f "gather_wall_s %e\ngather_cpu_s %U+%S\ngather_peak_kib %M" -o "$dir/.time" \
  "$bin" assess "$dir/bureau" --today 2026-12-01 --format json --output "$dir/snapshot.json" >/dev/null 2>&1 || true
cat "$dir/.time"
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print('gathered', s['summary']['gathered'], 'of', s['summary']['roster'])" "$dir/snapshot.json"

echo "== year on SQLite"
"$year" "$dir/snapshot.json" "$dir/history.sqlite" "$days"
echo "db_bytes $(stat -c %s "$dir/history.sqlite")"
sync
/usr/bin/time -f "cli_history_wall_s %e" -o "$dir/.time" \
  "$bin" assess "$dir/bureau" --db "$dir/history.sqlite" --history "$(python3 -c "import json,sys; u=json.load(open(sys.argv[1]))['units']; print(u[len(u)*3//7]['name'])" "$dir/snapshot.json")" >/dev/null
cat "$dir/.time"
if [ -n "${PG:-}" ]; then
  echo "== year on PostgreSQL"
  "$year" "$dir/snapshot.json" "$PG" "$days"
fi
