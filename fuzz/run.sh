#!/usr/bin/env bash
# Runs fuzz targets one after another and prints a row per target: seconds, executions, corpus
# reached (inputs / bytes), peak memory and the crash artefact, if any.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 600 s each, every target (TLS flight included)
#
# New inputs go to fuzz/target/work/<target> (not committed); the committed seeds in
# fuzz/corpus/<target> are only read. Needs `cargo +nightly` and `cargo install cargo-fuzz`.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
secs=${1:-600}
shift || true
all=(set_cookie http_response html_extract url_normalise token_decode checklist_toml config_toml server_flight)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi

echo "| target | seconds | execs | corpus (inputs / bytes) | peak RSS MB | result |"
echo "|---|---|---|---|---|---|"
for t in "${targets[@]}"; do
  if [ "$t" = server_flight ]; then dir=$root/crates/tls/fuzz; else dir=$root/fuzz; fi
  work=$root/fuzz/target/work/$t
  log=$root/fuzz/target/work/$t.log
  mkdir -p "$work"
  start=$(date +%s)
  (cd "$dir" && nice -n 10 cargo +nightly fuzz run "$t" "$work" "corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$root/fuzz/target/work/$t-" >"$log" 2>&1)
  rc=$?
  took=$(($(date +%s) - start))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 | sed 's/corp: //')
  if [ $rc -eq 0 ]; then result="no crash"; else
    result="exit $rc: $(grep -m1 -o 'ERROR: libFuzzer: [a-z-]*\|panicked at [^ ]*' "$log") $(ls "$root/fuzz/target/work/$t-"* 2>/dev/null | head -1)"
  fi
  echo "| $t | $took | ${execs:-?} | ${corp:-?} | ${rss:-?} | $result |"
done
