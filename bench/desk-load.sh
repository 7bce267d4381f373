#!/usr/bin/env bash
# Load on the request desk: oha (cargo install oha) drives 200 concurrent clients for a while —
# 150 submitting applications, 50 questionnaires — against gongkai-desk on SQLite, then on
# PostgreSQL when DESK_PG names a server (postgres://user@host:port/db: a database
# desk_bench_<n> is made on it). Afterwards it counts the rows: every 200 answer must be one row,
# none lost, none twice. Prints oha's summary (rate, latency percentiles) and the counts.
#
#   bench/desk-load.sh [SECONDS]           default 60
#   DESK_PG=postgres://desk@127.0.0.1:54329/desk bench/desk-load.sh 60
#   DESK_BIN=target/debug/gongkai-desk bench/desk-load.sh 20
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
command -v oha >/dev/null || { echo "oha not found: cargo install oha"; exit 1; }
# DESK_BIN: a gongkai-desk already built (say which build in the figures)
if [ -z "${DESK_BIN:-}" ]; then cargo build --release -q -p gongkai-desk; fi
desk=${DESK_BIN:-${CARGO_TARGET_DIR:-target}/release/gongkai-desk}
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

app_body='applicant=%E5%BC%A0%E4%B8%89&id_doc=%E5%B1%85%E6%B0%91%E8%BA%AB%E4%BB%BD%E8%AF%81&email=a%40example.cn&info=%E6%B0%B4%E8%B4%A8%E6%8A%A5%E5%91%8A&medium=%E7%94%B5%E5%AD%90&delivery=%E7%94%B5%E5%AD%90%E9%82%AE%E4%BB%B6&homepage='
ok=%E6%BB%A1%E6%84%8F
eval_body="content=$ok&timeliness=$ok&channels=$ok&rules=$ok&requests=$ok&service=$ok&remark="

run() { # name url
  local name=$1 url=$2 port=8491
  "$desk" migrate --db "$url" 2>/dev/null
  "$desk" campaign add --db "$url" --id bench --name 压测 --from 2026-11-01 --to 2026-11-30 2>/dev/null
  "$desk" serve --site . --db "$url" --listen 127.0.0.1:$port --burst 0 --today 2026-11-27 2>"$work/$name.log" &
  pid=$!
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/lookup" >/dev/null 2>&1 && break; sleep 0.2; done
  oha -z "${secs}s" -c 150 --no-tui --output-format json -m POST -T application/x-www-form-urlencoded \
    -d "$app_body" "http://127.0.0.1:$port/u/qingyuan-water/apply" >"$work/$name-apply.json" &
  local a=$!
  oha -z "${secs}s" -c 50 --no-tui --output-format json -m POST -T application/x-www-form-urlencoded \
    -d "$eval_body" "http://127.0.0.1:$port/u/qingyuan-water/evaluate" >"$work/$name-eval.json"
  wait $a
  kill $pid; wait $pid 2>/dev/null || true
  "$desk" backup --db "$url" --out "$work/$name.jsonl" 2>/dev/null
  local cases responses ok_a ok_e
  cases=$(grep -c '"table":"cases"' "$work/$name.jsonl" || true)
  responses=$(grep -c '"table":"responses"' "$work/$name.jsonl" || true)
  ok_a=$(jq '.statusCodeDistribution."200" // 0' "$work/$name-apply.json")
  ok_e=$(jq '.statusCodeDistribution."200" // 0' "$work/$name-eval.json")
  echo "== $name: ${secs}s, 150 clients applying + 50 answering the questionnaire"
  for f in apply eval; do
    jq -r --arg f "$f" '"  \($f): \(.summary.requestsPerSec | floor)/s, p50 \(.latencyPercentiles.p50*1000 | floor) ms, p99 \(.latencyPercentiles.p99*1000 | floor) ms, answers \(.statusCodeDistribution), errors \(.errorDistribution)"' "$work/$name-$f.json"
  done
  local total=$((ok_a + ok_e))
  echo "  acknowledged: $total in ${secs}s = $((total / secs))/s; rows: $cases applications (200s: $ok_a), $responses questionnaires (200s: $ok_e)"
  # oha stops at the deadline with requests in flight: those may be stored without their answer
  # reaching oha; a stored row per acknowledged submission is what must hold
  [ "$cases" -ge "$ok_a" ] && [ "$responses" -ge "$ok_e" ] || { echo "  LOST: fewer rows than acknowledged submissions"; exit 1; }
  # and no more rows than requests sent (a submission stored twice would show here)
  local sent_a sent_e
  sent_a=$(jq '([.statusCodeDistribution[]] | add // 0) + ([.errorDistribution[]] | add // 0)' "$work/$name-apply.json")
  sent_e=$(jq '([.statusCodeDistribution[]] | add // 0) + ([.errorDistribution[]] | add // 0)' "$work/$name-eval.json")
  [ "$cases" -le "$sent_a" ] && [ "$responses" -le "$sent_e" ] || { echo "  DUPLICATED: more rows than requests sent"; exit 1; }
  echo "  in flight at the deadline (stored, answer not read): $((cases - ok_a)) + $((responses - ok_e))"
}

run sqlite "sqlite:$work/desk.db"
if [ -n "${DESK_PG:-}" ]; then
  name=desk_bench_$$
  psql "$DESK_PG" -qc "CREATE DATABASE $name" >/dev/null
  run postgres "${DESK_PG%/*}/$name"
  psql "$DESK_PG" -qc "DROP DATABASE $name" >/dev/null
fi
