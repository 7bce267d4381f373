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
#   build, fresh   gongkai build -o NEW --no-cache   floor: cp -r of the built output into a new folder
#   build, again   gongkai build -o OUT --no-cache   (over its own previous output; same floor)
#   incremental    gongkai build -o OUT with the build cache (.gongkai-cache/), nothing changed,
#                  and with one unit's fees.yaml changed   floor: check's (read every input once)
#   versioned      the same two with --versioned (into VOUT, its own cache)   same floor
# QUICK=1 leaves out the fresh build, cp -r and the build without the cache (printed as -).
# Wall time is the median of RUNS runs; peak RSS (GNU time's %M) the largest. `sync` runs before
# every timed command so that no run pays for the previous one's writes.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
dir=${BENCH_DIR:-target/bench}
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(100 1000 10000); fi
mkdir -p "$dir"
# the generator only when a portal is missing (building it compiles gongkai's library again)
for n in "${sizes[@]}"; do
  [ -d "$dir/portal-$n/content" ] || { cargo build --release --quiet --example gen_portal; break; }
done
cargo build --release --quiet
target=${CARGO_TARGET_DIR:-$PWD/target}
bin=$target/release/gongkai
gen=$target/release/examples/gen_portal

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
maxof() { sort -g | tail -1; }
# run a command, print "seconds peak_kib"; stdout and stderr of the command are discarded
timed() { sync; /usr/bin/time -f "%e %M" -o "$dir/.time" "$@" >/dev/null 2>&1 || true; tail -n 1 "$dir/.time"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(df -T "$dir" | awk 'NR==2 {print $2}') on $(df "$dir" | awk 'NR==2 {print $1}'), $(uname -r)"
echo "runs per figure: $runs (median wall time, largest peak RSS)"
echo
printf '| units | pages | check s | floor: cat s | ratio | check RSS MiB | build fresh s | floor: cp -r s | ratio | pages/s | build RSS MiB | build again s | ratio | µs/page fresh | cached, nothing changed s | ratio to cat | one fees.yaml changed s | ratio to cat | cached RSS MiB | versioned, nothing changed s | ratio to cat | versioned, one fees.yaml s | ratio to cat | versioned RSS MiB |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  portal="$dir/portal-$n"
  [ -d "$portal/content" ] || "$gen" --units "$n" --out "$portal" >/dev/null
  out="$dir/out-$n"
  copy="$dir/copy-$n"
  vout="$dir/vout-$n"
  vcache="$dir/vcache-$n"
  rm -rf "$out" "$copy" "$vout" "$dir/.gongkai-versions-vout-$n" "$vcache"
  "$bin" build "$portal" -o "$out" --quiet --no-cache >/dev/null || true
  pages=$(find "$out" -name '*.html' | wc -l)
  # the unit whose fees.yaml the incremental row changes
  # (sed, not head: head would end the pipe early, which pipefail counts as a failure)
  fees=$(find "$portal/content" -mindepth 2 -maxdepth 2 -name fees.yaml | sort | sed -n 1p)

  check_t=(); check_m=(); cat_t=()
  fresh_t=(); fresh_m=(); cp_t=()
  again_t=(); again_m=()
  same_t=(); one_t=(); inc_m=()
  vsame_t=(); vone_t=(); v_m=()
  for run in $(seq "$runs"); do
    read -r t m < <(timed bash -c "find '$portal/content' -type f -print0 | xargs -0 cat > /dev/null"); cat_t+=("$t")
    read -r t m < <(timed "$bin" check "$portal" --quiet); check_t+=("$t"); check_m+=("$m")

    if [ -z "${QUICK:-}" ]; then
      rm -rf "$copy"; read -r t m < <(timed cp -r "$out" "$copy"); cp_t+=("$t")
      rm -rf "$copy" "$dir/fresh-$n"
      read -r t m < <(timed "$bin" build "$portal" -o "$dir/fresh-$n" --quiet --no-cache); fresh_t+=("$t"); fresh_m+=("$m")
      rm -rf "$dir/fresh-$n"

      read -r t m < <(timed "$bin" build "$portal" -o "$out" --quiet --no-cache); again_t+=("$t"); again_m+=("$m")
    else
      cp_t+=(0); fresh_t+=(0); fresh_m+=(0); again_t+=(0); again_m+=(0)
    fi

    # the cache, written by a build over this output (untimed), then used
    "$bin" build "$portal" -o "$out" --quiet >/dev/null 2>&1 || true
    read -r t m < <(timed "$bin" build "$portal" -o "$out" --quiet); same_t+=("$t"); inc_m+=("$m")
    echo "# 第 $run 次测量" >> "$fees"
    read -r t m < <(timed "$bin" build "$portal" -o "$out" --quiet); one_t+=("$t"); inc_m+=("$m")

    # the same, published as versions (its own cache, brought up to date untimed)
    "$bin" build "$portal" -o "$vout" --versioned --cache "$vcache" --quiet >/dev/null 2>&1 || true
    read -r t m < <(timed "$bin" build "$portal" -o "$vout" --versioned --cache "$vcache" --quiet); vsame_t+=("$t"); v_m+=("$m")
    echo "# 第 $run 次测量（版本）" >> "$fees"
    read -r t m < <(timed "$bin" build "$portal" -o "$vout" --versioned --cache "$vcache" --quiet); vone_t+=("$t"); v_m+=("$m")
  done
  ct=$(printf '%s\n' "${check_t[@]}" | median); cm=$(printf '%s\n' "${check_m[@]}" | maxof)
  kt=$(printf '%s\n' "${cat_t[@]}" | median)
  ft=$(printf '%s\n' "${fresh_t[@]}" | median); fm=$(printf '%s\n' "${fresh_m[@]}" | maxof)
  pt=$(printf '%s\n' "${cp_t[@]}" | median)
  at=$(printf '%s\n' "${again_t[@]}" | median); am=$(printf '%s\n' "${again_m[@]}" | maxof)
  bm=$(( (fm > am ? fm : am) / 1024 ))
  st=$(printf '%s\n' "${same_t[@]}" | median); ot=$(printf '%s\n' "${one_t[@]}" | median)
  im=$(( $(printf '%s\n' "${inc_m[@]}" | maxof) / 1024 ))
  vst=$(printf '%s\n' "${vsame_t[@]}" | median); vot=$(printf '%s\n' "${vone_t[@]}" | median)
  vm=$(( $(printf '%s\n' "${v_m[@]}" | maxof) / 1024 ))
  if [ -n "${QUICK:-}" ]; then ft=-; pt=-; at=-; bm=-; fi
  per() { case "$1$2" in *-*) printf -- - ;; *) awk -v a="$1" -v b="$2" -v k="$3" 'BEGIN { printf "%d", a * k / b }' ;; esac; }
  ratio() { case "$1$2" in *-*) printf -- - ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' ;; esac; }
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$n" "$pages" "$ct" "$kt" "$(ratio "$ct" "$kt")" "$((cm / 1024))" \
    "$ft" "$pt" "$(ratio "$ft" "$pt")" "$(per "$pages" "$ft" 1)" "$bm" \
    "$at" "$(ratio "$at" "$pt")" "$(per "$ft" "$pages" 1000000)" \
    "$st" "$(ratio "$st" "$kt")" "$ot" "$(ratio "$ot" "$kt")" "$im" \
    "$vst" "$(ratio "$vst" "$kt")" "$vot" "$(ratio "$vot" "$kt")" "$vm"
done
rm -f "$dir/.time"
