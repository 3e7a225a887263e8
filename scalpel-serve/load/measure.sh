#!/bin/sh
# measure.sh WORK_DIR BEFORE_JAR [ROUNDS] : the whole load measurement of `scalpel serve` in one
# command, for docs/performance.md ("scalpel serve under load"): this checkout's server (its jar
# through its launcher, bin/scalpel, with the JVM options `serve` gets there, and -Xmx1g as the
# other) against BEFORE_JAR run as
# `java -Xmx1g -jar BEFORE_JAR` (how the figures before were taken), ROUNDS rounds (default 3)
# alternating, on each capture of CAPTURES (default: the 8 GiB and the 1 GiB benchmark captures,
# CAPTURE:CONN_LOG pairs separated by spaces). Each capture is hard-linked into WORK_DIR (same file
# system; never indexed in place) and indexed there by this checkout; 1000 uids and flows are drawn
# from its conn.log with seed 7 (pick.sh); compare.sh runs wrk at 1, 8 and 32 clients for uids, 1
# and 8 for flows; summary.sh prints the medians. Results in WORK_DIR/NAME-runs/, the tables in
# WORK_DIR/summary.txt. Build first: ./mvnw -B -q package -DskipTests. About 4 minutes per capture and round.
set -eu
work=$1 before=$2 rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
captures=${CAPTURES:-/work/bench/traffic-8g.pcap:/work/bench/traffic-8g.conn.log /work/bench/traffic-1g.pcap:/work/bench/traffic-1g.conn.log}
[ -f "$before" ] || { echo "measure.sh: $before: no such jar" >&2; exit 2; }
[ -f "$root/scalpel-cli/target/scalpel.jar" ] || { echo "measure.sh: build first (./mvnw -B -q package -DskipTests)" >&2; exit 2; }
command -v wrk > /dev/null || { echo "measure.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
mkdir -p "$work"
work=$(cd "$work" && pwd)
cp "$root/scalpel-cli/target/scalpel.jar" "$work/branch.jar" # a build meanwhile does not change what is measured
: > "$work/summary.txt"
for pair in $captures; do
  capture=${pair%%:*} log=${pair#*:}
  name=$(basename "$capture")
  if [ ! -f "$work/$name" ]; then
    ln "$capture" "$work/$name" || { echo "measure.sh: cannot hard-link $capture into $work (another file system?)" >&2; exit 2; }
  fi
  SCALPEL_JAR="$work/branch.jar" "$root/bin/scalpel" index -q "$work/$name"
  sh "$here/pick.sh" "$log" 1000 7 "$work/$name-lists"
  sh "$here/compare.sh" "$work/$name-runs" "$work/$name" "$log" "$work/$name-lists" "$rounds" \
    "before=java -Xmx1g -jar $before" "branch=env SCALPEL_JAR=$work/branch.jar SCALPEL_JAVA_OPTS=-Xmx1g $root/bin/scalpel"
  { echo "## $name, $rounds rounds, $(date -u +%FT%TZ), $(uptime)"; sh "$here/summary.sh" "$work/$name-runs"; echo; } \
    >> "$work/summary.txt"
done
cat "$work/summary.txt"
