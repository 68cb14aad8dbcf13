#!/usr/bin/env bash
# Compares kawal's TLS scanner with sslscan, sslyze and testssl.sh on loopback nginx servers:
# accepted (protocol, cipher suite) sets must be equal; wall times and TCP connection counts are printed.
#
# Kawal's handshake count includes every probe (the JSON's probe_handshakes splits them out). What
# keeps it low: suites by elimination per version; TLS 1.3 groups from the same HelloRetryRequests;
# the first hello of each TLS <= 1.2 version also asks compression, ALPN, tickets, Heartbleed and CCS
# injection; TLS 1.2 curves and signature schemes eliminated together; ROBOT's variants riding on
# the RSA key-exchange answers; TLS 1.2 resumption sharing the renegotiation probe's handshake and
# TLS 1.3 resumption the signature elimination's. Measured on these two servers (nginx 1.22,
# OpenSSL 3.0): legacy 38 handshakes (enumeration 24, within 1.2 x 17 suites + 6 protocols),
# modern 37 (enumeration 12, within 15). The rest lists capabilities: OpenSSL offers ten TLS 1.3
# groups and seven TLS 1.2 signature schemes in its own order, and listing each exactly takes a
# hello of its own; resumption and renegotiation need complete handshakes.
#
# Usage: bench/tls/compare.sh            (from the workspace root)
# Env:   KAWAL_BIN   scanner to test; "kawal" style binaries get "tls HOST:PORT --format json",
#                    the example "tlsscan" gets "HOST:PORT". Default: target/release/kawal if it
#                    exists, else the kawal-tls example built in release mode.
#        SSLYZE      sslyze executable (default: sslyze on PATH)
#        RUNS        repetitions for kawal and sslscan timings (default 5)
# Needs: nginx (apt-get install nginx-light), openssl, python3; optional: sslscan, testssl.sh (Debian
#        packages), sslyze (pip install sslyze). Every connection goes to 127.0.0.1 only.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${RUNS:-5}"
WORK="$(mktemp -d /tmp/kawal-tls-bench.XXXXXX)"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    # start_nginx runs in a command substitution, so its PIDs never reach PIDS: use nginx's pid files.
    for f in "$WORK"/*/nginx.pid; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || { echo "nginx not found: apt-get install nginx-light" >&2; exit 1; }
SSLYZE="${SSLYZE:-$(command -v sslyze || true)}"
TESTSSL="$(command -v testssl || command -v testssl.sh || true)"
SSLSCAN="$(command -v sslscan || true)"

# Scanner under test.
if [ -n "${KAWAL_BIN:-}" ]; then
    BIN="$KAWAL_BIN"
elif [ -x "$ROOT/target/release/kawal" ]; then
    BIN="$ROOT/target/release/kawal"
else
    (cd "$ROOT" && cargo build --quiet --release -p kawal-tls --example tlsscan)
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/tlsscan"
fi
kawal_scan() { # HOST:PORT -> JSON on stdout (no rate limit: the bench measures the scanner)
    case "$(basename "$BIN")" in
        tlsscan*) "$BIN" "$1" --sni localhost --timeout-ms 2000 ;;
        *) "$BIN" tls "$1" --sni localhost --format json --rate-limit 0 ;;
    esac
}

# Loopback servers: legacy (TLS 1.0-1.2, CBC, RSA kx, DHE, Camellia, 3DES if available) and modern (1.2 + 1.3).
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 -out "$WORK/dh.pem"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
LEGACY_CIPHERS="ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-SHA:AES128-GCM-SHA256:AES128-SHA:AES256-SHA256:CAMELLIA128-SHA:DES-CBC3-SHA:@SECLEVEL=0"
MODERN_CIPHERS="ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305"
start_nginx() { # name protocols ciphers -> prints port
    local name=$1 protos=$2 ciphers=$3 port
    port=$(free_port)
    mkdir -p "$WORK/$name"
    cat > "$WORK/$name/nginx.conf" <<EOF
daemon off;
master_process off;
pid $WORK/$name/nginx.pid;
error_log $WORK/$name/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/$name; proxy_temp_path $WORK/$name; fastcgi_temp_path $WORK/$name; uwsgi_temp_path $WORK/$name; scgi_temp_path $WORK/$name;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_dhparam $WORK/dh.pem;
    ssl_protocols $protos;
    ssl_ciphers "$ciphers";
    ssl_prefer_server_ciphers on;
    location / { return 200 "ok"; }
  }
}
EOF
    "$NGINX" -c "$WORK/$name/nginx.conf" -e "$WORK/$name/error.log" -p "$WORK/$name" >/dev/null 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    echo "$port"
}

passive_opens() { awk '/^Tcp:/ { if (!h) { for (i=1;i<=NF;i++) if ($i=="PassiveOpens") c=i; h=1 } else print $c }' /proc/net/snmp; }
now_ms() { date +%s%3N; }

# Runs "$@" RUNS times; prints "median_ms connections_per_run".
timed() {
    local n=$1; shift
    local times=() before after
    before=$(passive_opens)
    for _ in $(seq "$n"); do
        local t0 t1
        t0=$(now_ms); "$@" >/dev/null 2>&1 || true; t1=$(now_ms)
        times+=($((t1 - t0)))
    done
    after=$(passive_opens)
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$median $(( (after - before) / n ))"
}

CSV="$ROOT/crates/tls/data/cipher-suites.csv"
normalise() { # tool file -> sorted "PROTO 0xCODE" lines
    python3 - "$1" "$2" "$CSV" <<'PY'
import json, re, sys, xml.etree.ElementTree as ET
tool, path, csv = sys.argv[1:4]
iana = {}
for line in open(csv):
    f = line.strip().split(',')
    if len(f) == 10 and f[0].startswith('0x'):
        iana[f[1]] = f[0].lower()
        if f[2]:
            iana.setdefault(f[2], f[0].lower())
proto = {'tls10': 'TLS1.0', 'tls11': 'TLS1.1', 'tls12': 'TLS1.2', 'tls13': 'TLS1.3', 'ssl3': 'SSL3', 'ssl2': 'SSL2',
         'TLSv1.0': 'TLS1.0', 'TLSv1.1': 'TLS1.1', 'TLSv1.2': 'TLS1.2', 'TLSv1.3': 'TLS1.3', 'SSLv3': 'SSL3', 'SSLv2': 'SSL2',
         'tls1': 'TLS1.0', 'tls1_1': 'TLS1.1', 'tls1_2': 'TLS1.2', 'tls1_3': 'TLS1.3', 'ssl3': 'SSL3'}
out = set()
if tool == 'kawal':
    for p in json.load(open(path))['protocols']:
        for s in p['suites']:
            out.add(f"{proto[p['version']]} {s['code']}")
elif tool == 'sslscan':
    for c in ET.parse(path).getroot().iter('cipher'):
        if c.get('status') in ('accepted', 'preferred'):
            out.add(f"{proto[c.get('sslversion')]} {c.get('id').lower()}")
elif tool == 'sslyze':
    r = json.load(open(path))['server_scan_results'][0]['scan_result']
    for key, p in [('ssl_2_0', 'SSL2'), ('ssl_3_0', 'SSL3'), ('tls_1_0', 'TLS1.0'), ('tls_1_1', 'TLS1.1'), ('tls_1_2', 'TLS1.2'), ('tls_1_3', 'TLS1.3')]:
        res = (r.get(key + '_cipher_suites') or {}).get('result') or {}
        for s in res.get('accepted_cipher_suites', []):
            name = s['cipher_suite']['name']
            out.add(f"{p} {iana.get(name, name)}")
elif tool == 'testssl':
    for e in json.load(open(path)):
        m = re.match(r'cipher-(tls1(?:_[123])?|ssl3|ssl2)_x([0-9a-f]+)$', e.get('id', ''))
        if m:
            out.add(f"{proto[m.group(1)]} 0x{int(m.group(2), 16):04x}")
print('\n'.join(sorted(out)))
PY
}

findings() { # kawal.json testssl.json -> table of the findings both tools report
    python3 - "$1" "$2" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
t = {e.get('id'): e for e in json.load(open(sys.argv[2]))}
w = k['weaknesses']
def yn(v): return '-' if v is None else ('yes' if v else 'no')
def probe(f): return yn(f and f.get('vulnerable'))
def ts_vuln(i):
    e = t.get(i)
    if not e: return '-'
    return 'yes' if e.get('severity') in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL') and 'not vulnerable' not in e.get('finding', '') else 'no'
def ts_has(i, word):
    e = t.get(i)
    if not e: return '-'
    f = e.get('finding', '').lower()
    return 'no' if ('not ' + word) in f or 'no ' + word in f or f.startswith('not') else 'yes'
cert = k.get('certificate') or {}
res = (k.get('capabilities') or {}).get('resumption') or {}
rows = [
    ('Heartbleed vulnerable', probe(w.get('heartbleed')), ts_vuln('heartbleed')),
    ('CCS injection vulnerable', probe(w.get('ccs_injection')), ts_vuln('CCS')),
    ('TLS compression (CRIME)', yn(w.get('crime_compression')), ts_vuln('CRIME_TLS')),
    ('SWEET32 (64-bit block suites)', yn(w.get('sweet32')), ts_vuln('SWEET32')),
    ('BEAST (CBC on TLS 1.0)', yn(w.get('beast')), ts_vuln('BEAST')),
    ('POODLE (SSL 3.0)', yn(w.get('poodle_sslv3')), ts_vuln('POODLE_SSL')),
    ('DROWN (SSL 2.0 here)', yn(w.get('sslv2')), ts_vuln('DROWN')),
    ('FREAK (export RSA)', yn(w.get('freak')), ts_vuln('FREAK')),
    ('Logjam (export DHE, DH <= 1024)', yn(w.get('logjam')), ts_vuln('LOGJAM')),
    ('RC4', yn(w.get('rc4')), ts_vuln('RC4')),
    ('Secure renegotiation', yn(w.get('secure_renegotiation')), ts_has('secure_renego', 'supported')),
    ('TLS_FALLBACK_SCSV', yn(w.get('fallback_scsv')), ts_has('fallback_SCSV', 'supported')),
    ('OCSP stapled', yn(cert.get('ocsp_stapled')), ts_has('OCSP_stapling', 'offered')),
    ('ALPN selected', (k.get('capabilities') or {}).get('alpn') or '-', (t.get('ALPN') or {}).get('finding', '-')),
    ('Session tickets', yn((k.get('capabilities') or {}).get('session_tickets')), ts_has('TLS_session_ticket', 'ticket')),
    ('Client renegotiation accepted', probe(w.get('client_renegotiation')), ts_vuln('secure_client_renego')),
    ('ROBOT', probe(w.get('robot')), ts_vuln('ROBOT')),
    ('Ticketbleed', probe(w.get('ticketbleed')), ts_vuln('ticketbleed')),
    # This row is TLS 1.2 (Kawal reports TLS 1.3 resumption on its own line below). testssl.sh's
    # "ID" row resumes with -no_ticket, which on a TLS 1.3 server can still resume by a TLS 1.3
    # ticket (PSK): on the modern nginx it has said "yes" in one run and "no" in the next, while
    # `openssl s_client -tls1_2 -no_ticket -sess_in` shows no TLS 1.2 session-id resumption with
    # nginx's default session cache.
    ('Resumption by session id (TLS 1.2)', yn(res.get('by_session_id')), ts_has('sessionresumption_ID', 'supported')),
    ('Resumption by ticket', yn(res.get('by_ticket')), ts_has('sessionresumption_ticket', 'supported')),
]
print(f"  {'finding':<32} {'kawal':<10} {'testssl.sh':<24} agree")
for name, a, b in rows:
    agree = 'yes' if a == b or (a in b and a != '-') else ('n/a' if '-' in (a, b) else 'NO')
    print(f"  {name:<32} {a:<10} {b[:24]:<24} {agree}")
r13 = (k.get('capabilities') or {}).get('resumption_tls13')
if r13:
    print(f"  kawal only: TLS 1.3 resumption (PSK) {yn(r13.get('resumed'))}, {r13.get('tickets_issued')} tickets issued")
staple = cert.get('ocsp')
if staple:
    print(f"  kawal only: OCSP staple signature {yn(staple.get('signature_valid'))} ({staple.get('signed_by') or staple.get('signature_note')})")
probes = k.get('probe_handshakes') or {}
print(f"  handshakes: kawal {k['handshakes']} (counted by the scanner): enumeration {k['handshakes'] - sum(probes.values())}, probes and lists {probes}")
PY
}

LEGACY=$(start_nginx legacy "TLSv1 TLSv1.1 TLSv1.2" "$LEGACY_CIPHERS")
MODERN=$(start_nginx modern "TLSv1.2 TLSv1.3" "$MODERN_CIPHERS")
echo "scanner: $BIN"
echo "servers: legacy 127.0.0.1:$LEGACY, modern 127.0.0.1:$MODERN (nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'))"
STATUS=0
for srv in legacy modern; do
    port=$LEGACY; [ "$srv" = modern ] && port=$MODERN
    t="127.0.0.1:$port"
    echo
    echo "== $srv server ($t)"
    kawal_scan "$t" > "$WORK/$srv.kawal.json"
    normalise kawal "$WORK/$srv.kawal.json" > "$WORK/$srv.kawal.set"
    read -r k_ms k_conn < <(timed "$RUNS" kawal_scan "$t")
    k_hs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["handshakes"])' "$WORK/$srv.kawal.json")
    printf '%-34s %8s %12s %s\n' tool "wall_ms" connections "accepted set vs kawal"
    printf '%-34s %8s %12s %s\n' "kawal-tls (full scan)" "$k_ms" "$k_conn ($k_hs hs)" "$(wc -l < "$WORK/$srv.kawal.set") suites"
    compare() { # name file
        if diff -q "$WORK/$srv.kawal.set" "$2" >/dev/null; then echo "same ($(wc -l < "$2") suites)"; else
            STATUS=1; echo "DIFFERENT:"; diff "$WORK/$srv.kawal.set" "$2" | sed 's/^/      /'; fi
    }
    if [ -n "$SSLSCAN" ]; then
        sslscan --no-colour --xml="$WORK/$srv.sslscan.xml" "$t" >/dev/null 2>&1 || true
        normalise sslscan "$WORK/$srv.sslscan.xml" > "$WORK/$srv.sslscan.set"
        read -r ms conn < <(timed "$RUNS" sslscan --no-colour "$t")
        printf '%-34s %8s %12s %s (x%s)\n' "sslscan (default full)" "$ms" "$conn" "$(compare sslscan "$WORK/$srv.sslscan.set")" \
            "$(awk -v a="$ms" -v b="$k_ms" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')"
    else
        echo "sslscan: not installed (apt-get install sslscan)"
    fi
    if [ -n "$SSLYZE" ]; then
        rm -f "$WORK/$srv.sslyze.json"
        read -r ms conn < <(timed 1 "$SSLYZE" --quiet --json_out="$WORK/$srv.sslyze.json" "$t")
        normalise sslyze "$WORK/$srv.sslyze.json" > "$WORK/$srv.sslyze.set"
        printf '%-34s %8s %12s %s (x%s)\n' "sslyze (default full)" "$ms" "$conn" "$(compare sslyze "$WORK/$srv.sslyze.set")" \
            "$(awk -v a="$ms" -v b="$k_ms" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')"
    else
        echo "sslyze: not installed (pip install sslyze)"
    fi
    if [ -n "$TESTSSL" ]; then
        rm -f "$WORK/$srv.testssl.json"
        read -r ms conn < <(timed 1 "$TESTSSL" --quiet --color 0 --warnings batch --ip one -p -E --jsonfile "$WORK/$srv.testssl.json" "$t")
        normalise testssl "$WORK/$srv.testssl.json" > "$WORK/$srv.testssl.set"
        printf '%-34s %8s %12s %s (x%s)\n' "testssl.sh (-p -E only)" "$ms" "$conn" "$(compare testssl "$WORK/$srv.testssl.set")" \
            "$(awk -v a="$ms" -v b="$k_ms" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')"
        # Full run (protocols, suites, server defaults, preferences, vulnerabilities) against kawal's full scan.
        rm -f "$WORK/$srv.testssl-full.json"
        read -r ms conn < <(timed 1 "$TESTSSL" --quiet --color 0 --warnings batch --ip one -p -E -S -P -U \
            --jsonfile "$WORK/$srv.testssl-full.json" "$t")
        printf '%-34s %8s %12s (x%s)\n' "testssl.sh (-p -E -S -P -U)" "$ms" "$conn" \
            "$(awk -v a="$ms" -v b="$k_ms" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')"
        echo
        findings "$WORK/$srv.kawal.json" "$WORK/$srv.testssl-full.json"
    else
        echo "testssl.sh: not installed (apt-get install testssl.sh)"
    fi
done
echo
echo "connections = TCP passive opens on this host per run (from /proc/net/snmp; includes unrelated local traffic)"
echo "handshakes = the scanner's own count, which its tests check against the connections a server accepted"
exit $STATUS
