#!/bin/sh
# summary.sh OUT_DIR: one line per server, what and clients of compare.sh's runs in OUT_DIR: the
# median over the rounds of wrk's requests/s, p50 and p99 (ms), of the server's own p50 and p99 of
# its slices (ms, the access log) and of its CPU time per request (ms), with each round's p99s and
# the load averages the runs began at.
set -eu
out=$1
printf "%-28s %8s %8s %8s %10s %10s %8s  %s / %s\n" "server-what-clients" "req/s" "p50" "p99" "srv_p50" "srv_p99" \
  "cpu_ms" "p99 per round" "load at start"
for f in "$out"/*-*-c*.txt; do
  base=$(basename "$f" .txt)
  round=${base%%-*} rest=${base#*-}
  awk -v key="$rest" -v round="$round" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    NR == 1 { sub(/.*load average: /, ""); load = $1; sub(/,$/, "", load) }
    /^ +50% / { p50 = ms($2) }
    /^ +99% / { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /^server:/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); s[kv[1]] = kv[2] } }
    END { printf "%s %s %s %s %s %s %s %s %s\n", key, round, rps, p50, p99, s["p50"] + 0, s["p99"] + 0, s["cpu_ms_per_request"] + 0,
      load }' "$f"
done | sort -k1,1 -k2,2n | awk '
  function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { k = $1; keys[k] = 1; rps[k] = rps[k] " " $3; p50[k] = p50[k] " " $4; p99[k] = p99[k] " " $5; s50[k] = s50[k] " " $6
    s99[k] = s99[k] " " $7; cpu[k] = cpu[k] " " $8; loads[k] = loads[k] " " $9; rounds[k] = rounds[k] " " $5 }
  END {
    for (k in keys) printf "%-28s %8.1f %8.2f %8.1f %10.2f %10.1f %8.2f %s /%s\n", k, median(rps[k]), median(p50[k]),
      median(p99[k]), median(s50[k]), median(s99[k]), median(cpu[k]), rounds[k], loads[k]
  }' | sort
