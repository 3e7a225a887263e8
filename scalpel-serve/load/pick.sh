#!/bin/sh
# pick.sh CONN_LOG N SEED OUT_DIR: draws N rows of a Zeek TSV conn.log (awk's rand() seeded with SEED,
# so the same rows each time) and writes OUT_DIR/uids.txt (one uid a line) and OUT_DIR/flows.txt
# (the same rows' flows as the API's flow= takes them: PROTO ADDR:PORT ADDR:PORT, IPv6 in brackets,
# already URL-encoded), for one-request.lua.
set -eu
log=$1 n=$2 seed=$3 out=$4
mkdir -p "$out"
awk -F '\t' -v n="$n" -v seed="$seed" -v out="$out" '
  /^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
  /^#/ { next }
  { rows[++count] = $0 }
  END {
    srand(seed)
    for (k = 1; k <= n && count > 0; k++) {
      split(rows[int(rand() * count) + 1], f, "\t")
      o = f[col["id.orig_h"]]; r = f[col["id.resp_h"]]
      if (o ~ /:/) o = "[" o "]"
      if (r ~ /:/) r = "[" r "]"
      flow = f[col["proto"]] " " o ":" f[col["id.orig_p"]] " " r ":" f[col["id.resp_p"]]
      gsub(/ /, "%20", flow); gsub(/\[/, "%5B", flow); gsub(/\]/, "%5D", flow); gsub(/:/, "%3A", flow)
      print f[col["uid"]] > (out "/uids.txt")
      print flow > (out "/flows.txt")
    }
  }' "$log"
