#!/bin/sh
# profile.sh OUT_DIR TAG JAR CAPTURE CONN_LOG LISTS_DIR CLIENTS WHAT [JVM_OPTION...] : one server
# (`java -Xmx1g JVM_OPTION... -jar JAR serve`, --max-slices 32, SERVE_ARGS added) under a Java Flight
# Recording (profile settings) and one wrk run of 20 s (WHAT=uid or flow at CLIENTS clients), after
# its conn.log index is current and 20 warm-up requests. Writes OUT_DIR/TAG.jfr, TAG-server.log (the
# access log) and TAG-wrk.txt (uptime, wrk's output, then the server's own percentiles of the run's
# slices). E.g. the collectors: for gc in G1 Parallel Serial Z; do profile.sh out $gc main.jar ... 8 uid
# -XX:+Use${gc}GC; done; then jfr print --events jdk.GarbageCollection out/G1.jfr.
set -eu
out=$1 tag=$2 jar=$3 cap=$4 log=$5 lists=$6 c=$7 what=$8
shift 8
here=$(cd "$(dirname "$0")" && pwd)
port=${PORT:-17391}
name=$(basename "$cap")
mkdir -p "$out"
# shellcheck disable=SC2086 # SERVE_ARGS are words
java -Xmx1g "$@" -XX:StartFlightRecording=filename="$out/$tag.jfr",settings=profile,dumponexit=true -jar "$jar" serve \
  --captures "$cap" --logs "$log" --bind 127.0.0.1:$port --max-slices 32 ${SERVE_ARGS:-} > "$out/$tag-server.log" 2>&1 &
pid=$!
until curl -sf http://127.0.0.1:$port/api/v1/captures | grep -q '"state":"current"'; do sleep 1; done
head -20 "$lists/uids.txt" | while read -r uid; do
  curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/slice?capture=$name&uid=$uid" || true
done
t=1; [ "$c" -gt 1 ] && t=2
uptime > "$out/$tag-wrk.txt"
from=$(wc -l < "$out/$tag-server.log")
(cd "$lists" && WHAT=$what CAPTURE=$name wrk -t$t -c"$c" -d20s --timeout 60s --latency -s "$here/one-request.lua" \
  "http://127.0.0.1:$port") >> "$out/$tag-wrk.txt" 2>&1
sleep 1
tail -n "+$((from + 1))" "$out/$tag-server.log" | grep '"route":"slice"' | sed -n 's/.*"ms":\([0-9.]*\).*/\1/p' | sort -n \
  | awk '{ v[NR] = $1 } END { if (NR > 0) printf "server: n=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f ms\n", NR,
      v[int(NR * 0.5) + 1], v[int(NR * 0.9) + 1], v[int(NR * 0.99) + 1], v[NR] }' >> "$out/$tag-wrk.txt"
kill "$pid"
wait "$pid" 2>/dev/null || true
