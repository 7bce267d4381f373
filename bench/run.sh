#!/usr/bin/env bash
# Benchmark gongkai at several portal sizes, each figure measured beside its floor in the same run
# (absolute times drift on a shared machine; ratios do not).
#
#   bench/run.sh                 # 100, 1,000 and 10,000 units, 3 runs each (medians)
#   bench/run.sh 100 1000        # chosen sizes
#   RUNS=5 BENCH_DIR=/big/disk bench/run.sh
#
# For each size N it generates a portal once (examples/gen_portal, deterministic) and measures:
#   check          gongkai check            floor: read every input file once (find | xargs cat)
#   build, fresh   gongkai build -o NEW     floor: cp -r of the built output into a new folder
#   build, again   gongkai build -o OUT     (over its own previous output; same floor)
# Wall time is the median of RUNS runs; peak RSS (GNU time's %M) the largest. `sync` runs before
# every timed command so that no run pays for the previous one's writes.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
dir=${BENCH_DIR:-target/bench}
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(100 1000 10000); fi
mkdir -p "$dir"
cargo build --release --quiet --example gen_portal
cargo build --release --quiet
bin=$PWD/target/release/gongkai
gen=$PWD/target/release/examples/gen_portal

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
maxof() { sort -g | tail -1; }
# run a command, print "seconds peak_kib"; stdout and stderr of the command are discarded
timed() { sync; /usr/bin/time -f "%e %M" -o "$dir/.time" "$@" >/dev/null 2>&1 || true; tail -n 1 "$dir/.time"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(df -T "$dir" | awk 'NR==2 {print $2}') on $(df "$dir" | awk 'NR==2 {print $1}'), $(uname -r)"
echo "runs per figure: $runs (median wall time, largest peak RSS)"
echo
printf '| units | pages | check s | floor: cat s | ratio | check RSS MiB | build fresh s | floor: cp -r s | ratio | pages/s | build RSS MiB | build again s | ratio | µs/page fresh |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  portal="$dir/portal-$n"
  [ -d "$portal/content" ] || "$gen" --units "$n" --out "$portal" >/dev/null
  out="$dir/out-$n"
  copy="$dir/copy-$n"
  rm -rf "$out" "$copy"
  "$bin" build "$portal" -o "$out" --quiet >/dev/null || true
  pages=$(find "$out" -name '*.html' | wc -l)

  check_t=(); check_m=(); cat_t=()
  fresh_t=(); fresh_m=(); cp_t=()
  again_t=(); again_m=()
  for _ in $(seq "$runs"); do
    read -r t m < <(timed bash -c "find '$portal/content' -type f -print0 | xargs -0 cat > /dev/null"); cat_t+=("$t")
    read -r t m < <(timed "$bin" check "$portal" --quiet); check_t+=("$t"); check_m+=("$m")

    rm -rf "$copy"; read -r t m < <(timed cp -r "$out" "$copy"); cp_t+=("$t")
    rm -rf "$copy" "$dir/fresh-$n"
    read -r t m < <(timed "$bin" build "$portal" -o "$dir/fresh-$n" --quiet); fresh_t+=("$t"); fresh_m+=("$m")
    rm -rf "$dir/fresh-$n"

    read -r t m < <(timed "$bin" build "$portal" -o "$out" --quiet); again_t+=("$t"); again_m+=("$m")
  done
  ct=$(printf '%s\n' "${check_t[@]}" | median); cm=$(printf '%s\n' "${check_m[@]}" | maxof)
  kt=$(printf '%s\n' "${cat_t[@]}" | median)
  ft=$(printf '%s\n' "${fresh_t[@]}" | median); fm=$(printf '%s\n' "${fresh_m[@]}" | maxof)
  pt=$(printf '%s\n' "${cp_t[@]}" | median)
  at=$(printf '%s\n' "${again_t[@]}" | median); am=$(printf '%s\n' "${again_m[@]}" | maxof)
  bm=$(( (fm > am ? fm : am) / 1024 ))
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$n" "$pages" "$ct" "$kt" "$(ratio "$ct" "$kt")" "$((cm / 1024))" \
    "$ft" "$pt" "$(ratio "$ft" "$pt")" "$(awk -v p="$pages" -v t="$ft" 'BEGIN { printf "%d", p / t }')" "$bm" \
    "$at" "$(ratio "$at" "$pt")" "$(awk -v p="$pages" -v t="$ft" 'BEGIN { printf "%d", t * 1e6 / p }')"
done
rm -f "$dir/.time"
