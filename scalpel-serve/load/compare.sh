#!/bin/sh
# compare.sh OUT_DIR CAPTURE CONN_LOG LISTS_DIR ROUNDS SERVER... : for each round, for each SERVER in
# turn, starts `scalpel serve` on loopback (--max-slices 32) and runs wrk against it, bounded: 20 s a run
# (DURATION), with one-request.lua: uids at 1, 8 and 32 clients, flows at 1 and 8 (WHATS, CLIENTS
# narrow it). A SERVER is NAME=COMMAND, the command that runs scalpel up to its subcommand, e.g.
#   main="java -Xmx1g -jar /path/main.jar"   branch="env SCALPEL_JAR=/path/scalpel.jar bin/scalpel"
# (a bare path to a jar stands for "java -Xmx1g -jar JAR", named after the jar).
# Before the runs it waits until the captures are open and the conn.log index is current, and
# sends a warm-up request per 20 uids. Each run writes OUT_DIR/ROUND-NAME-WHAT-cN.txt: uptime, wrk's
# output, then one line "server: n=… p50=… p90=… p99=… max=… ms cpu_ms_per_request=…": the
# access log's own times of that run's slices (the time in the server, from request to last byte
# handed to the kernel) and the server process's CPU time over the run divided by its requests.
# summary.sh OUT_DIR tabulates them. The capture's index is built beforehand (scalpel index), so
# that no run waits for it.
set -eu
out=$1 capture=$2 log=$3 lists=$4 rounds=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
port=${PORT:-17381}
duration=${DURATION:-20s}
whats=${WHATS:-uid flow}
clients=${CLIENTS:-1 8 32}
tick=$(getconf CLK_TCK)
mkdir -p "$out"
name=$(basename "$capture")

# cpu_ticks PID: the process's user + system time so far, in clock ticks
cpu_ticks() {
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# slice_ms LOG FROM: n and percentiles of the access log's "ms" of the slices after line FROM
slice_ms() {
  tail -n "+$(($2 + 1))" "$1" | grep '"route":"slice"' | sed -n 's/.*"ms":\([0-9.]*\).*/\1/p' | sort -n \
    | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n=0"; exit }
        printf "n=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f ms", NR, v[int(NR * 0.5) + 1], v[int(NR * 0.9) + 1],
          v[int(NR * 0.99) + 1], v[NR] }'
}

round=1
while [ "$round" -le "$rounds" ]; do
  for server in "$@"; do
    case "$server" in
      *=*) tag=${server%%=*} command=${server#*=} ;;
      *) tag=$(basename "$server" .jar) command="java -Xmx1g -jar $server" ;;
    esac
    # shellcheck disable=SC2086 # the command is words
    $command serve --captures "$capture" --logs "$log" --bind 127.0.0.1:$port --max-slices 32 \
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
    # the launcher execs java: the server's own process is $pid
    head -20 "$lists/uids.txt" | while read -r uid; do
      curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/slice?capture=$name&uid=$uid" || true
    done
    for what in $whats; do
      for c in $clients; do
        [ "$what-$c" = flow-32 ] && continue
        f="$out/$round-$tag-$what-c$c.txt"
        uptime > "$f"
        t=1; [ "$c" -gt 1 ] && t=2
        from=$(wc -l < "$out/$round-$tag-server.log")
        before=$(cpu_ticks "$pid")
        (cd "$lists" && WHAT=$what CAPTURE=$name wrk -t$t -c$c -d"$duration" --timeout 60s --latency -s "$here/one-request.lua" \
          "http://127.0.0.1:$port") >> "$f" 2>&1
        sleep 1 # the access log's last lines
        after=$(cpu_ticks "$pid")
        requests=$(tail -n "+$((from + 1))" "$out/$round-$tag-server.log" | grep -c '"route":"slice"' || true)
        echo "server: $(slice_ms "$out/$round-$tag-server.log" "$from") cpu_ms_per_request=$(awk -v t=$((after - before)) \
          -v n="$requests" -v hz="$tick" 'BEGIN { printf "%.2f", (n > 0 ? t * 1000 / hz / n : 0) }')" >> "$f"
      done
    done
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
  round=$((round + 1))
done
