#!/usr/bin/env bash
# Compares Scalpel with tcpdump on a generated capture, pair by pair, and prints a markdown table.
# See docs/performance.md for what each row measures and how to read the ratios.
#
# usage: scalpel-bench/compare.sh [--size SIZE] [--shape traffic|uniform] [--runs N] [--seed N] [--dir DIR]
#                                  [--uids N] [--uid UID] [--query EXPR] [--capture FILE --log FILE]
#                                  [--cli launcher|jar] [--keep]
#   --size   capture size, K/M/G suffixes are powers of 1024 (default 2G; 10G and more work)
#   --shape  traffic: shaped like real traffic, about 100 000 connections per GiB (default);
#            uniform: 4096 long flows open at once, few connections (the original workload)
#   --runs   timed runs of each command, alternating within a pair (default 3, at least 3)
#   --seed   seed of the capture and of the uid choices (default 7)
#   --dir    work directory for the capture, its index and the extracts (default: a new one
#            under ${TMPDIR:-/tmp}); it needs about 2.2 times the capture size free
#   --uids   uids sliced together in the many-uid rows (default 10000)
#   --uid    the uid of the single-uid rows (default: a TCP row of 10 to 200 packets, by the seed)
#   --query  the query of the query row, e.g. 'host 10.0.0.1 and port 443' (default: the host and
#            service port whose connections hold the nearest to 0.1 % of the log's packets)
#   --capture, --log
#            an existing classic pcap and its conn.log instead of a generated pair (--size,
#            --shape and the generation are then skipped); the capture is hard-linked (else
#            symbolically linked) into the work directory, so its index is built there
#   --cli    how the timed scalpel commands start: launcher, bin/scalpel (default), or jar,
#            java -jar scalpel-cli/target/scalpel.jar; both with -Xmx256m
#   --keep   leave the work directory in place
#
# Exit codes: 0 done, 1 a command failed or an extract check failed, 2 usage,
#             3 cannot run here (no tcpdump and no way to install it, not enough disk space).
set -euo pipefail

size=2G
shape=traffic
cli=launcher
runs=3
seed=7
dir=
uids=10000
pick=
query=
given_capture=
given_log=
keep=0
die() { echo "compare.sh: $*" >&2; exit 1; }
usage() { sed -n '4,26p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=${2:?}; shift 2 ;;
    --shape) shape=${2:?}; shift 2 ;;
    --cli) cli=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --seed) seed=${2:?}; shift 2 ;;
    --dir) dir=${2:?}; shift 2 ;;
    --uids) uids=${2:?}; shift 2 ;;
    --uid) pick=${2:?}; shift 2 ;;
    --query) query=${2:?}; shift 2 ;;
    --capture) given_capture=${2:?}; shift 2 ;;
    --log) given_log=${2:?}; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage ;;
    *) echo "compare.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 3 ] || { echo "compare.sh: --runs must be a number of at least 3 (medians)" >&2; exit 2; }
[[ $uids =~ ^[0-9]+$ ]] && [ "$uids" -ge 1 ] || { echo "compare.sh: --uids must be a positive number" >&2; exit 2; }
[[ $size =~ ^[0-9]+[KkMmGg]?$ ]] || { echo "compare.sh: --size '$size' is not a size such as 512M, 2G or 10G" >&2; exit 2; }
[[ $shape == traffic || $shape == uniform ]] || { echo "compare.sh: --shape must be traffic or uniform, not '$shape'" >&2; exit 2; }
[[ $cli == launcher || $cli == jar ]] || { echo "compare.sh: --cli must be launcher or jar, not '$cli'" >&2; exit 2; }
if [ -n "$given_capture$given_log" ]; then
  [ -n "$given_capture" ] && [ -n "$given_log" ] || { echo "compare.sh: --capture and --log go together" >&2; exit 2; }
  [ -f "$given_capture" ] || { echo "compare.sh: --capture '$given_capture' is not a file" >&2; exit 2; }
  [ -f "$given_log" ] || { echo "compare.sh: --log '$given_log' is not a file" >&2; exit 2; }
fi

root=$(cd "$(dirname "$0")/.." && pwd)
cli_jar=$root/scalpel-cli/target/scalpel.jar
bench_jar=$root/scalpel-bench/target/benchmarks.jar

bytes_of() { # SIZE with an optional K/M/G suffix (powers of 1024)
  local n=${1%[KkMmGg]} unit=1
  case "$1" in *[Kk]) unit=1024 ;; *[Mm]) unit=$((1024 * 1024)) ;; *[Gg]) unit=$((1024 * 1024 * 1024)) ;; esac
  echo $((n * unit))
}
if [ -n "$given_capture" ]; then
  capture_bytes=$(stat -L -c %s "$given_capture")
else
  capture_bytes=$(bytes_of "$size")
fi

# --- tcpdump -------------------------------------------------------------------------------
if ! command -v tcpdump >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "compare.sh: tcpdump is not installed; installing it with apt-get" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpdump >&2 \
      || { echo "compare.sh: cannot run: tcpdump is missing and apt-get could not install it" >&2; exit 3; }
  else
    echo "compare.sh: cannot run: tcpdump is missing (install it, e.g. apt-get install tcpdump, and re-run)" >&2
    exit 3
  fi
fi
[ -x /usr/bin/time ] || echo "compare.sh: /usr/bin/time is missing: the peak RSS row will be empty" >&2

# --- work directory and disk space ---------------------------------------------------------
if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/scalpel-compare.XXXXXX")
else
  mkdir -p "$dir"
fi
dir=$(cd "$dir" && pwd)
need=$((capture_bytes * 22 / 10))
[ -z "$given_capture" ] || need=$((capture_bytes * 2 / 10)) # the index and the extracts only
avail=$(df --output=avail -B1 "$dir" | tail -n 1 | tr -d ' ')
if [ "$avail" -lt "$need" ]; then
  echo "compare.sh: cannot run: $dir has $((avail / 1048576)) MiB free, a $size capture needs about $((need / 1048576)) MiB (2.2 times its size)" >&2
  [ "$keep" = 1 ] || rmdir "$dir" 2>/dev/null || true
  exit 3
fi
cleanup() { if [ "$keep" = 0 ]; then rm -rf "$dir"; else echo "compare.sh: left $dir" >&2; fi; }
trap cleanup EXIT

# --- jars ----------------------------------------------------------------------------------
if [ ! -f "$cli_jar" ] || [ ! -f "$bench_jar" ]; then
  echo "compare.sh: building scalpel.jar and benchmarks.jar" >&2
  (cd "$root" && { ./mvnw -B -q -o package -DskipTests >&2 || ./mvnw -B -q package -DskipTests >&2; }) \
    || die "the build failed; run ./mvnw -B package -DskipTests in $root"
fi
java=${JAVA:-java}
if [ "$cli" = launcher ]; then
  # the launcher's own options (class-data archive, C1 for slices), the same heap
  scalpel=(env "JAVA=$(command -v "$java")" "SCALPEL_JAVA_OPTS=-Xmx256m" "$root/bin/scalpel")
else
  scalpel=("$java" -Xmx256m -jar "$cli_jar")
fi
bench=("$java" -Xmx256m -cp "$bench_jar")

# --- the capture ---------------------------------------------------------------------------
X=$dir/synthetic.pcap
LOG=$dir/conn.log
if [ -n "$given_capture" ]; then
  echo "compare.sh: using $given_capture and $given_log in $dir" >&2
  ln -f "$(readlink -f "$given_capture")" "$X" 2>/dev/null || ln -sf "$(readlink -f "$given_capture")" "$X"
  ln -sf "$(readlink -f "$given_log")" "$LOG"
  actual_bytes=$(stat -L -c %s "$X")
  # counting the packets reads the whole capture once, which also brings it into the page cache
  packets=$(tcpdump -r "$X" -w /dev/null --count 2>&1 | sed -n 's/^\([0-9]*\) packets\{0,1\}.*/\1/p' | head -n 1)
else
  echo "compare.sh: generating a $size $shape-shaped capture in $dir (seed $seed)" >&2
  "${bench[@]}" io.scalpel.bench.SyntheticCapture "$X" "$size" "$seed" "$LOG" --shape "$shape" 2>"$dir/generate.out" \
    || { cat "$dir/generate.out" >&2; die "generating the capture failed"; }
  actual_bytes=$(stat -c %s "$X")
  packets=$(sed -n 's/.*: \([0-9]*\) packets,.*/\1/p' "$dir/generate.out")
  cat "$X" >/dev/null # into the page cache before anything is timed
fi
log_rows=$(grep -vc '^#' "$LOG")
log_bytes=$(stat -L -c %s "$LOG")

# A conn.log row for the single-uid pair: TCP, 10 to 200 packets, chosen by the seed. The
# columns are found by name: the two shapes' logs have different column sets. The row comes
# out as: uid orig_h orig_p resp_h resp_p proto orig_pkts resp_pkts vlan inner_vlan.
columns='$1 == "#fields" { for (i = 2; i <= NF; i++) c[$i] = i - 1; next }
  /^#/ { next }
  function f(name) { return (name in c) ? $(c[name]) : "-" }
  function row() { return f("uid") "\t" f("id.orig_h") "\t" f("id.orig_p") "\t" f("id.resp_h") "\t" f("id.resp_p") "\t" \
    f("proto") "\t" f("orig_pkts") "\t" f("resp_pkts") "\t" f("vlan") "\t" f("inner_vlan") }'
if [ -n "$pick" ]; then
  row=$(awk -F'\t' -v u="$pick" "$columns"'
    f("uid") == u && (f("proto") == "tcp" || f("proto") == "udp") { print row(); exit }' "$LOG")
  [ -n "$row" ] || die "$LOG has no TCP or UDP row with uid $pick"
else
  row=$(awk -F'\t' -v seed="$seed" "$columns"'
    f("proto") == "tcp" && f("orig_pkts") + f("resp_pkts") >= 10 && f("orig_pkts") + f("resp_pkts") <= 200 { r[n++] = row() }
    END { if (n) { srand(seed); print r[int(rand() * n)] } }' "$LOG")
  [ -n "$row" ] || die "$LOG has no TCP row of 10 to 200 packets; try a larger --size"
fi
IFS=$'\t' read -r uid oh op rh rp proto opk rpk vlan inner_vlan <<<"$row"
expected_packets=$((opk + rpk))
five="$proto and ((src host $oh and src port $op and dst host $rh and dst port $rp) or (src host $rh and src port $rp and dst host $oh and dst port $op))"
if [ "$vlan" = "-" ]; then
  filter=$five
  tagged=untagged
elif [ "$inner_vlan" = "-" ]; then
  filter="($five) or (vlan and ($five))"
  tagged="VLAN $vlan"
else
  filter="vlan and vlan and ($five)"
  tagged="VLANs $vlan/$inner_vlan"
fi

# Random uids for the many-uid rows, as --uid arguments of 500 uids each.
mapfile -t many < <(awk -F'\t' "$columns"' { print f("uid") }' "$LOG" | shuf -n "$uids" --random-source=<(yes "$seed"))
uid_args=()
for ((i = 0; i < ${#many[@]}; i += 500)); do
  uid_args+=(--uid "$(IFS=,; echo "${many[*]:i:500}")")
done

# The query row: a host and a service port whose connections hold about 0.1 % of the log's
# packets (the (host, responder port) pair nearest to it, either end of a TCP or UDP row), or
# --query. tcpdump's filter sees through up to two VLAN tags in one pass: each `vlan` shifts what
# follows it, so the deeper alternative is nested inside the shallower one (docs/cli.md).
if [ -z "$query" ]; then
  query=$(awk -F'\t' "$columns"'
    f("proto") == "tcp" || f("proto") == "udp" {
      p = f("orig_pkts") + f("resp_pkts"); total += p
      n[f("id.orig_h") " " f("id.resp_p")] += p; n[f("id.resp_h") " " f("id.resp_p")] += p
    }
    END {
      want = total / 1000; best = ""
      for (k in n) { d = n[k] - want; if (d < 0) d = -d; if (best == "" || d < bd) { best = k; bd = d } }
      split(best, hp, " "); if (best != "") print "host " hp[1] " and port " hp[2]
    }' "$LOG")
  [ -n "$query" ] || die "$LOG has no TCP or UDP row to build a query from; give --query"
fi
query_filter="($query) or (vlan and (($query) or (vlan and ($query))))"

# --- timing --------------------------------------------------------------------------------
now_us() { echo "${EPOCHREALTIME/./}"; }
# timed NAME CMD...: runs CMD (output to NAME.out in $dir), appends its wall time in ms to times[NAME]
declare -A times
timed() {
  local name=$1; shift
  local t0 t1
  t0=$(now_us)
  "$@" >"$dir/$name.out" 2>&1 || { cat "$dir/$name.out" >&2; die "'$name' failed: $*"; }
  t1=$(now_us)
  times[$name]+="$(( (t1 - t0) / 1000 )).$(printf '%03d' $(( (t1 - t0) % 1000 ))) "
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { echo "${times[$1]}" | median; }
ratio() { # scalpel's time against the peer's, in words
  awk -v a="$1" -v b="$2" 'BEGIN { if (a >= b) printf "%.2f× slower", a / b; else printf (b / a >= 100 ? "%.0f× faster" : "%.2f× faster"), b / a }'
}
ms() { awk -v a="$1" 'BEGIN { printf (a >= 1000 ? "%.2f s" : "%.1f ms"), (a >= 1000 ? a / 1000 : a) }'; }

warm_slice() { # one fresh JVM: warms up on 200 other uids, then times 50 random ones (index open, log parsed)
  "${bench[@]}" io.scalpel.bench.WarmSlice "$X" "$LOG" "$dir/warm" 50 "$((seed + r))" >"$dir/warm.out" 2>&1 \
    || { cat "$dir/warm.out" >&2; die "WarmSlice failed"; }
  times[api_slice]+="$(sed -n 's/^median \([0-9.]*\) ms over.*/\1/p' "$dir/warm.out") "
  rm -rf "$dir/warm"
}

echo "compare.sh: $runs runs of each pair" >&2
"${scalpel[@]}" index -q "$X" # not timed: a cold JVM and disk, and the launcher's first run makes its class-data archive
for ((r = 1; r <= runs; r++)); do
  echo "compare.sh: run $r of $runs" >&2
  timed tcpdump_read tcpdump -r "$X" -w /dev/null
  timed index "${scalpel[@]}" index --rebuild -q "$X" # a full build every run (without --rebuild an unchanged capture is not scanned again)

  timed tcpdump_filter tcpdump -r "$X" -w "$dir/tcpdump-uid.pcap" "$filter"
  timed cli_slice "${scalpel[@]}" slice "$X" --conn "$LOG" --uid "$uid" -w "$dir/slice-uid.pcap"
  warm_slice

  timed tcpdump_query tcpdump -r "$X" -w "$dir/tcpdump-query.pcap" "$query_filter"
  timed cli_query "${scalpel[@]}" slice "$X" --query "$query" -w "$dir/slice-query.pcap"

  timed tcpdump_read2 tcpdump -r "$X" -w /dev/null
  timed many_one "${scalpel[@]}" slice "$X" --conn "$LOG" "${uid_args[@]}" -w "$dir/many.pcap"
  rm -rf "$dir/split"
  timed many_split "${scalpel[@]}" slice "$X" --conn "$LOG" "${uid_args[@]}" --split-dir "$dir/split"
done

# --- checks --------------------------------------------------------------------------------
check=$("${bench[@]}" io.scalpel.bench.ExtractContains "$dir/tcpdump-uid.pcap" "$dir/slice-uid.pcap") \
  || { echo "$check" >&2; die "tcpdump's output for $uid lacks frames of scalpel's slice"; }
slice_packets=$(tcpdump -n -r "$dir/slice-uid.pcap" 2>/dev/null | wc -l)
[ "$slice_packets" = "$expected_packets" ] \
  || die "scalpel's slice of $uid has $slice_packets packets, the generator's conn.log says $expected_packets"
for pair in "tcpdump-query.pcap slice-query.pcap" "slice-query.pcap tcpdump-query.pcap"; do
  set -- $pair
  check=$("${bench[@]}" io.scalpel.bench.ExtractContains "$dir/$1" "$dir/$2") \
    || { echo "$check" >&2; die "the query '$query': $1 lacks frames of $2"; }
done
query_packets=$(tcpdump -n -r "$dir/slice-query.pcap" 2>/dev/null | wc -l)
many_packets=$(sed -n 's/.*wrote \([0-9]*\) packets.*/\1/p' "$dir/many_one.out")
split_files=$(find "$dir/split" -type f | wc -l)

index_bytes=$(du -sb "$X.scalpel" | cut -f1)

# Peak heap (largest heap occupancy before a collection, from -Xlog:gc) and peak RSS.
peak() { # NAME CMD...: runs CMD under /usr/bin/time -v with GC logging; sets rss_kb and heap_mb
  local name=$1; shift
  rm -f "$dir/$name.gc"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$dir/$name.time" "$java" -Xmx256m "-Xlog:gc:file=$dir/$name.gc" "$@" >/dev/null 2>"$dir/$name.err" \
      || { cat "$dir/$name.err" >&2; die "'$name' failed with -Xmx256m"; }
    rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/$name.time")
  else
    "$java" -Xmx256m "-Xlog:gc:file=$dir/$name.gc" "$@" >/dev/null 2>"$dir/$name.err" \
      || { cat "$dir/$name.err" >&2; die "'$name' failed with -Xmx256m"; }
    rss_kb=
  fi
  heap_mb=$(grep -o '[0-9]*M->[0-9]*M' "$dir/$name.gc" | sed 's/M->.*//' | sort -n | tail -n 1)
  live_mb=$(grep -o '[0-9]*M->[0-9]*M' "$dir/$name.gc" | sed 's/.*M->//; s/M$//' | sort -n | tail -n 1)
}
peak index_mem -jar "$cli_jar" index --rebuild -q "$X"
index_rss=$rss_kb index_heap=${heap_mb:-0} index_live=${live_mb:-0}
peak slice_mem -jar "$cli_jar" slice "$X" --conn "$LOG" "${uid_args[@]}" -w "$dir/many-mem.pcap"
slice_rss=$rss_kb slice_heap=${heap_mb:-0} slice_live=${live_mb:-0}

endpoint() { case "$1" in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac; }

# --- the table -----------------------------------------------------------------------------
row() { # LABEL SCALPEL_MS TCPDUMP_MS TCPDUMP_LABEL
  printf '| %s | %s | %s: %s | %s |\n' "$1" "$(ms "$2")" "$4" "$(ms "$3")" "$(ratio "$2" "$3")"
}
echo
if [ "$cli" = launcher ]; then started="bin/scalpel (SCALPEL_JAVA_OPTS=-Xmx256m)"; else started="java -Xmx256m -jar scalpel.jar"; fi
if [ -n "$given_capture" ]; then what="$given_capture (given)"; else what="$size requested, $shape shape"; fi
echo "Capture: $what, $actual_bytes bytes, ${packets:-?} packets ($((actual_bytes / ${packets:-1})) bytes a record)," \
  "$log_rows conn.log rows ($((log_rows * 1073741824 / actual_bytes)) per GiB; the log has $log_bytes bytes), seed $seed${given_log:+ (for the picks)}."
echo "Medians of $runs runs; each scalpel command alternates with its tcpdump command. Java: $("$java" -version 2>&1 | head -n 1)." \
  "The CLI started as $started."
echo
echo "| what | scalpel | compared with | ratio |"
echo "| --- | --- | --- | --- |"
row "\`scalpel index --rebuild X\`" "$(med index)" "$(med tcpdump_read)" "\`tcpdump -r X -w /dev/null\`"
row "\`scalpel slice X --conn LOG --uid U -w OUT\` with the whole conn.log ($expected_packets packets, $tagged)" "$(med cli_slice)" "$(med tcpdump_filter)" "\`tcpdump -r X -w OUT '<5-tuple>'\`"
row "one uid, warm Java API (\`WarmSlice\`: median of 50 random uids per run)" "$(med api_slice)" "$(med tcpdump_filter)" "the same tcpdump"
row "\`scalpel slice X --query '$query' -w OUT\` ($query_packets packets, $(awk -v a="$query_packets" -v b="${packets:-0}" 'BEGIN { if (b > 0) printf "%.3f %%", 100 * a / b; else printf "?" }') of the capture's)" "$(med cli_query)" "$(med tcpdump_query)" "\`tcpdump -r X -w OUT 'Q or (vlan and (Q or (vlan and Q)))'\`"
row "${#many[@]} random uids into one file ($many_packets packets)" "$(med many_one)" "$(med tcpdump_read2)" "\`tcpdump -r X -w /dev/null\`"
row "${#many[@]} random uids with \`--split-dir\` ($split_files files)" "$(med many_split)" "$(med tcpdump_read2)" "the same tcpdump"
echo
echo "| measure | value |"
echo "| --- | --- |"
echo "| index bytes / capture bytes | $index_bytes / $actual_bytes = $(awk -v a="$index_bytes" -v b="$actual_bytes" -v p="${packets:-0}" \
  'BEGIN { printf "%.2f %%", 100 * a / b; if (p > 0) printf " (%.1f bytes a frame)", a / p }') |"
echo "| \`scalpel index\` with -Xmx256m: peak heap before a GC / most live after a GC / peak RSS | $index_heap MiB / $index_live MiB / $((${index_rss:-0} / 1024)) MiB |"
echo "| \`scalpel slice\` of ${#many[@]} uids with -Xmx256m: peak heap before a GC / most live after a GC / peak RSS | $slice_heap MiB / $slice_live MiB / $((${slice_rss:-0} / 1024)) MiB |"
echo "| the query row | tcpdump's output and scalpel's slice hold the same frames |"
echo "| uid of the single-uid rows | $uid ($proto $(endpoint "$oh" "$op") -> $(endpoint "$rh" "$rp"), $tagged); tcpdump's output holds every packet of scalpel's slice |"
echo
echo "Runs (ms):"
for k in tcpdump_read index tcpdump_filter cli_slice api_slice tcpdump_query cli_query tcpdump_read2 many_one many_split; do
  echo "- $k: ${times[$k]}"
done
