#!/bin/sh
# compare.sh OUT_DIR CAPTURE CONN_LOG LISTS_DIR ROUNDS JAR... : for each round, for each jar in turn,
# starts `scalpel serve` from that jar on loopback (-Xmx1g, --max-slices 32), waits until its
# captures are open (and, where it has one, its conn.log index is current), sends a warm-up request,
# then runs wrk (bounded: 20 s a run) with one-request.lua: uids at 1, 8 and 32 clients, flows at
# 1 and 8, and stops it. wrk's output goes to OUT_DIR/ROUND-JARNAME-WHAT-cN.txt, uptime before each run with it.
# The capture's index is built beforehand (scalpel index), so that no run waits for it.
set -eu
out=$1 capture=$2 log=$3 lists=$4 rounds=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
port=17381
mkdir -p "$out"
name=$(basename "$capture")
round=1
while [ "$round" -le "$rounds" ]; do
  for jar in "$@"; do
    tag=$(basename "$jar" .jar)
    java -Xmx1g -jar "$jar" serve --captures "$capture" --logs "$log" --bind 127.0.0.1:$port --max-slices 32 \
      > "$out/$round-$tag-server.log" 2>&1 &
    pid=$!
    i=0
    until curl -sf "http://127.0.0.1:$port/api/v1/captures" > "$out/$round-$tag-captures.json" 2>/dev/null \
        && grep -q '"state":"fresh"' "$out/$round-$tag-captures.json" \
        && { ! grep -q conn_log_index "$out/$round-$tag-captures.json" \
             || grep -q '"state":"current"' "$out/$round-$tag-captures.json"; }; do
      i=$((i + 1))
      [ "$i" -lt 600 ] || { echo "server $tag not ready" >&2; kill "$pid"; exit 1; }
      sleep 1
    done
    curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/slice?capture=$name&uid=$(head -1 "$lists/uids.txt")" || true
    for what in uid flow; do
      for c in 1 8 32; do
        [ "$what-$c" = flow-32 ] && continue
        f="$out/$round-$tag-$what-c$c.txt"
        uptime > "$f"
        t=1; [ "$c" -gt 1 ] && t=2
        (cd "$lists" && WHAT=$what CAPTURE=$name wrk -t$t -c$c -d20s --timeout 60s --latency -s "$here/one-request.lua" \
          "http://127.0.0.1:$port") >> "$f" 2>&1
      done
    done
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
  round=$((round + 1))
done
