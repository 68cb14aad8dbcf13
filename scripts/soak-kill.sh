#!/usr/bin/env bash
# Crash consistency at scale (not part of CI: it takes minutes). Registers several applications
# pointing at small sites on loopback, queues evaluations, and kills `kawal serve` with SIGKILL
# at random moments KILLS times (default 100), restarting it each time. Then a draining worker
# finishes what is left and the database is checked:
#   - no evaluation is left `running`; none is half-written (finished without its report,
#     summary or verdict; findings under an evaluation that did not finish);
#   - every interrupted evaluation is marked (status interrupted/failed, finish time, reason);
#   - every job ended (done, or failed after its attempts); a done job owns one finished
#     evaluation and every finished evaluation belongs to exactly one done job (none ran twice).
# Prints "KILLS kills, N inconsistencies", the job and evaluation counts, the duration, and the
# peak memory of the serve processes. Exit 1 when an inconsistency is found.
#
# Usage: scripts/soak-kill.sh [KILLS]
#   KAWAL_BIN                 kawal binary (default target/release/kawal, else target/debug/kawal)
#   KAWAL_SOAK_DATABASE_URL   postgres://… to soak PostgreSQL instead of SQLite (needs psql;
#                             the database is emptied first)
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-100}
bin=${KAWAL_BIN:-target/release/kawal}
[ -x "$bin" ] || bin=target/debug/kawal
bin=$(realpath "$bin")
[ -x "$bin" ] || { echo "no kawal binary: cargo build --release" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${serve:-}" ] && kill -9 "$serve" 2>/dev/null || true
}
trap cleanup EXIT
export KAWAL_HOME=$work HOME=$work NO_COLOR=1 KAWAL_LANG=en
if [ -n "${KAWAL_SOAK_DATABASE_URL:-}" ]; then
  export KAWAL_DATABASE_URL=$KAWAL_SOAK_DATABASE_URL
  psql -q "$KAWAL_DATABASE_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
  sql() { psql -qtA "$KAWAL_DATABASE_URL" -c "$1"; }
else
  export KAWAL_DATABASE_URL=sqlite://$work/kawal.db
  sql() { sqlite3 "$work/kawal.db" "$1"; }
fi
cd "$work"
printf '[session]\nsamples = 100\nlogin_samples = 0\n' > kawal.toml

# Three small sites, each on its own loopback port.
site() {
  mkdir -p "site$1/layanan"
  printf '<!doctype html><html><head><title>Situs %s</title></head><body><a href="/layanan/">Layanan</a> <a href="/tentang.html">Tentang</a><form action="/cari"><input name="q"></form></body></html>' "$1" > "site$1/index.html"
  printf '<html><body><a href="/">Beranda</a></body></html>' > "site$1/tentang.html"
  printf '<html><body><a href="/tentang.html">Tentang</a></body></html>' > "site$1/layanan/index.html"
  python3 - "site$1" > "port$1" 2>/dev/null <<'EOF' &
import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
h.func.log_message = lambda *a: None
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
  pids+=($!)
}
apps=()
for i in 1 2 3; do site "$i"; done
for i in 1 2 3; do
  for _ in $(seq 1 100); do [ -s "port$i" ] && break; sleep 0.1; done
  port=$(cat "port$i")
  [ -n "$port" ] || { echo "site $i did not start" >&2; exit 2; }
  "$bin" app add --name "SOAK-$i" --url "http://127.0.0.1:$port/" --agency "Dinas Uji" \
    --owner "uji@example.go.id" --rate-limit 0 >/dev/null
  apps+=("SOAK-$i")
done

queue_all() { for a in "${apps[@]}"; do "$bin" evaluate "$a" --queue >/dev/null; done; }
serve_once() {
  "$bin" serve --no-http --workers 1 --concurrency 3 --tick-secs 1 --lease-secs 3 \
    --poll-secs 0.2 --grace-secs 1 >>serve.log 2>&1 &
  serve=$!
}
peak_kib=0
started=$(date +%s)
queue_all
for k in $(seq 1 "$kills"); do
  # New work every fifth restart, so kills land in every phase of many evaluations.
  [ $((k % 5)) -eq 0 ] && queue_all
  serve_once
  wait_ms=$((300 + RANDOM % 4700))
  end=$(( $(date +%s%N) / 1000000 + wait_ms ))
  while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$serve/status" 2>/dev/null || echo 0)
    [ "${hwm:-0}" -gt "$peak_kib" ] && peak_kib=$hwm
    sleep 0.05
  done
  kill -9 "$serve" 2>/dev/null || true
  wait "$serve" 2>/dev/null || true
  serve=
done
killed_at=$(date +%s)

# Let the last leases expire, then draining workers finish the queue (a job put back with a
# retry delay is not due yet, so drain again until nothing is left, for at most 15 minutes).
sleep 4
until [ "$(sql "SELECT count(*) FROM job WHERE status IN ('queued', 'running')")" = 0 ] \
  || [ $(( $(date +%s) - killed_at )) -gt 900 ]; do
  timeout 900 "$bin" worker --concurrency 3 --lease-secs 3 --poll-secs 0.2 --drain >>serve.log 2>&1 || true
  sleep 2
done
ended=$(date +%s)

check() {
  local n
  n=$(sql "$2")
  if [ "$n" != "0" ]; then
    echo "INCONSISTENT ($n): $1" >&2
    bad=$((bad + n))
  fi
}
bad=0
check "evaluations left running" \
  "SELECT count(*) FROM evaluation WHERE status = 'running'"
check "finished evaluations without report, summary, verdict or finish time" \
  "SELECT count(*) FROM evaluation WHERE status = 'finished' AND (report IS NULL OR summary IS NULL OR meets_standard IS NULL OR finished_at IS NULL)"
check "findings under an evaluation that did not finish" \
  "SELECT count(*) FROM finding f JOIN evaluation e ON e.id = f.evaluation_id WHERE e.status <> 'finished'"
check "interrupted or failed evaluations without a finish time or reason" \
  "SELECT count(*) FROM evaluation WHERE status IN ('interrupted', 'failed') AND (finished_at IS NULL OR error IS NULL)"
check "jobs not ended (queued or running)" \
  "SELECT count(*) FROM job WHERE status IN ('queued', 'running')"
check "done jobs without a finished evaluation" \
  "SELECT count(*) FROM job j LEFT JOIN evaluation e ON e.id = j.evaluation_id WHERE j.status = 'done' AND (e.id IS NULL OR e.status <> 'finished')"
check "finished evaluations not owned by exactly one done job (a job that ran twice)" \
  "SELECT count(*) FROM evaluation e WHERE e.status = 'finished' AND (SELECT count(*) FROM job j WHERE j.evaluation_id = e.id AND j.status = 'done') <> 1"
check "failed jobs that still had attempts left or no reason" \
  "SELECT count(*) FROM job WHERE status = 'failed' AND (attempts < max_attempts OR last_error IS NULL)"

echo "$kills kills, $bad inconsistencies"
echo "jobs: $(sql "SELECT count(*) FROM job") ($(sql "SELECT count(*) FROM job WHERE status = 'done'") done, $(sql "SELECT count(*) FROM job WHERE status = 'failed'") failed after their attempts)"
echo "evaluations: $(sql "SELECT count(*) FROM evaluation WHERE status = 'finished'") finished, $(sql "SELECT count(*) FROM evaluation WHERE status = 'interrupted'") interrupted, $(sql "SELECT count(*) FROM evaluation WHERE status = 'failed'") failed"
echo "duration: $((killed_at - started)) s of kills, $((ended - killed_at)) s to drain; serve peak memory $((peak_kib / 1024)) MiB"
echo "database: ${KAWAL_SOAK_DATABASE_URL:-$work/kawal.db}"
[ "$bad" -eq 0 ]
