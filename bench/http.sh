#!/usr/bin/env bash
# Load test of what the proxy pulls and of a staff page (issue 7), on loopback:
# gunicorn (2 workers) serving a fresh PostgreSQL database with $SERVICES services and a
# published snapshot, driven by wrk (Debian package `wrk`).
#
#   bench/http.sh            # SERVICES=1000 DURATION=15s CONNECTIONS=50 PORT=8917
#
# Prints requests/s and latency percentiles for: 304 of metadata.xml (If-None-Match),
# full 200 of metadata.xml (identity and gzip), and the member list page of a logged-in staff
# user (session made by the script). Then shows that serving never built a snapshot.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
SERVICES=${SERVICES:-1000}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-50}
PORT=${PORT:-8917}
export BENCH_DATABASE_NAME=${BENCH_DATABASE_NAME:-trustnet_bench_http}
URL="http://127.0.0.1:${PORT}"
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

echo "machine: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
echo "preparing database ${BENCH_DATABASE_NAME} with ${SERVICES} services ..."
eval "$("$PYTHON" bench/proxy_build.py --http-prepare "$SERVICES")"
count() { "$PYTHON" bench/proxy_build.py --child snapshot-count 0 | tail -1; }
BEFORE=$(count)

"$PYTHON" -m gunicorn trustnet.wsgi -w 2 -b "127.0.0.1:${PORT}" --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs -o /dev/null "$URL/proxy/production/metadata.xml" && break; sleep 0.2; done

check() {  # status code of one request, so a wrong setup does not benchmark redirects
  curl -s -o /dev/null -w '%{http_code}' "$@"
}
echo "metadata.xml: $METADATA_BYTES bytes, ETag $ETAG"
echo "checks: 304=$(check -H "If-None-Match: $ETAG" "$URL/proxy/production/metadata.xml")" \
     "200=$(check "$URL/proxy/production/metadata.xml")" \
     "member list=$(check -H "Cookie: $COOKIE" "$URL/members/organisations/")"

run() {
  local title=$1; shift
  echo
  echo "== $title (${CONNECTIONS} connections, ${DURATION})"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" | grep -E 'Requests/sec|Transfer/sec|^ +(50|75|90|99)%|Non-2xx|Socket errors|requests in'
}
run "304 metadata.xml with If-None-Match" -H "If-None-Match: $ETAG" "$URL/proxy/production/metadata.xml"
run "200 metadata.xml, identity" "$URL/proxy/production/metadata.xml"
run "200 metadata.xml, gzip" -H "Accept-Encoding: gzip" "$URL/proxy/production/metadata.xml"
run "200 member list page (staff session)" -H "Cookie: $COOKIE" "$URL/members/organisations/"

AFTER=$(count)
echo
echo "snapshots before the load: $BEFORE, after: $AFTER (a 200 never triggers a build)"
