#!/usr/bin/env bash
# Compare two gongkai binaries on the same generated portal, and say where the new one's time
# goes (GONGKAI_TIMINGS phases): what the portal issue's and the record issue's budgets are
# measured with.
#
#   bench/compare.sh BASE_BINARY 1000 10000
#   RUNS=5 BENCH_DIR=/dev/shm/gk bench/compare.sh /tmp/gongkai-876f81e 1000
#
# BASE_BINARY is a release build of an earlier commit (e.g. `git worktree add /tmp/base 876f81e &&
# cargo build --release --manifest-path /tmp/base/Cargo.toml --target-dir /tmp/base-target`). A
# base older than the 年度报告 deadline setting cannot read `期限:` in gongkai.yaml: the line is
# taken out for its runs. Portals go to BENCH_DIR, built sites to OUT_DIR (default BENCH_DIR;
# tmpfs is best: the disk then does not decide; a 10,000-unit portal is about 0.9 GB, its site
# 3 GB and its record 0.4 GB). The binaries are built in CARGO_TARGET_DIR (default target/), or
# NEW_BINARY names this checkout's binary already built (then nothing is compiled: the generator
# must be built already).
# For each size it prints, per run (the three taking turns), wall and user+sys CPU seconds and
# peak RSS of:
#   base     the base binary building into a new folder
#   norec    this checkout's binary, the same, for another address of the same length
#            (`--base-url`): a build that is not a publication records nothing — it hashes no
#            file, compresses no archive version, writes no record. The portal issue's budget
#            compares it with base; the record's cost is what `new` takes beyond it.
#   new      this checkout's binary, a first build with its record (the record removed first, so
#            that it archives every document page), and its phases: 读取站点 (load), 检查并生成
#            (check and render, with the search index), 公开记录 (write the record and archive)
# All of this checkout's builds run with `--no-cache` (each is a whole build). Then once: norec
# with `search: false`; a build over its own output and record with nothing changed (again);
# one notice edited (edit1); `gongkai verify` of the output.
set -uo pipefail
cd "$(dirname "$0")/.."
base=$(realpath "$1"); shift
runs=${RUNS:-3}
dir=${BENCH_DIR:-target/bench}
mkdir -p "$dir"; dir=$(realpath "$dir")
outs=${OUT_DIR:-$dir}
mkdir -p "$outs"; outs=$(realpath "$outs")
target=$(realpath "${CARGO_TARGET_DIR:-target}")
if [ -z "${NEW_BINARY:-}" ]; then
  cargo build --release --quiet --example gen_portal
  cargo build --release --quiet
fi
new=${NEW_BINARY:-$target/release/gongkai}
gen=$target/release/examples/gen_portal

t() {
  sync
  /usr/bin/time -f "%e %U %S %M" -o "$dir/.t" "$@" >/dev/null 2>"$dir/.err"
  read -r e u s m < <(tail -1 "$dir/.t")
  printf 'wall=%s cpu=%s rss=%sMiB %s\n' "$e" "$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')" $((m / 1024)) \
    "$(grep 耗时 "$dir/.err" | grep '公开记录 \|检查并生成\|读取站点' | sed 's/耗时 //;s/（内存峰值 /(/;s/ MiB）/ MiB)/' | tr '\n' ' ')"
}

for n in "$@"; do
  p=$dir/portal-$n
  [ -d "$p/content" ] || "$gen" --units "$n" --out "$p" >/dev/null
  cp "$p/gongkai.yaml" "$dir/gongkai.yaml.orig"
  # another address of the same length: the configured one with its last letter changed
  url=$(sed -n 's/^base_url: *//p' "$p/gongkai.yaml" | head -1); url=${url%/}
  if [ "${url: -1}" = q ]; then alt="${url%?}x/"; else alt="${url%?}q/"; fi
  for _ in $(seq "$runs"); do
    grep -v "期限\|annual-report-deadline" "$dir/gongkai.yaml.orig" >"$p/gongkai.yaml"
    rm -rf "$outs/out-base"; echo "$n base   $(t "$base" build "$p" -o "$outs/out-base" -q)"; rm -rf "$outs/out-base"
    cp "$dir/gongkai.yaml.orig" "$p/gongkai.yaml"
    rm -rf "$p/record" "$outs/out"; echo "$n norec  $(GONGKAI_TIMINGS=1 t "$new" build "$p" -o "$outs/out" -q --no-cache --base-url "$alt")"
    rm -rf "$p/record" "$outs/out"; echo "$n new    $(GONGKAI_TIMINGS=1 t "$new" build "$p" -o "$outs/out" -q --no-cache)"
  done
  echo "search: false" >>"$p/gongkai.yaml"
  rm -rf "$p/record" "$outs/out"; echo "$n nosrch $(GONGKAI_TIMINGS=1 t "$new" build "$p" -o "$outs/out" -q --no-cache --base-url "$alt")"
  cp "$dir/gongkai.yaml.orig" "$p/gongkai.yaml"
  rm -rf "$p/record" "$outs/out"; t "$new" build "$p" -o "$outs/out" -q --no-cache >/dev/null
  echo "$n again  $(GONGKAI_TIMINGS=1 t "$new" build "$p" -o "$outs/out" -q --no-cache)"
  notice=$(find "$p/content" -path '*/notices/*.md' | sort | head -1)
  cp "$notice" "$dir/notice.orig"; echo "改动一处。" >>"$notice"
  echo "$n edit1  $(GONGKAI_TIMINGS=1 t "$new" build "$p" -o "$outs/out" -q --no-cache)"
  cp "$dir/notice.orig" "$notice"
  echo "$n verify $(t "$new" verify "$outs/out")"
  echo "$n record $(du -sh "$p/record" | cut -f1), output $(find "$outs/out" -type f | wc -l) files"
  rm -rf "$p/record" "$outs/out"
done
