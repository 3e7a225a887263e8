#!/usr/bin/env bash
# Indexes the bundled sample capture and slices one Zeek connection out of it.
# Run from anywhere after `./mvnw -B -q package -DskipTests`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/scalpel-cli/target/scalpel.jar"
[ -f "$jar" ] || { echo "build first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }
out="$root/testdata/out"
mkdir -p "$out"
cp "$root/testdata/sample.pcap" "$out/sample.pcap"

echo "== scalpel index testdata/out/sample.pcap"
java -jar "$jar" index "$out/sample.pcap"

uid=$(awk -F'\t' '!/^#/ && $7 == "tcp" {print $2; exit}' "$root/testdata/sample-conn.log")
echo
echo "== scalpel slice testdata/out/sample.pcap --conn testdata/sample-conn.log --uid $uid -w testdata/out/$uid.pcap"
java -jar "$jar" slice "$out/sample.pcap" --conn "$root/testdata/sample-conn.log" --uid "$uid" -w "$out/$uid.pcap"

echo
echo "== the conn.log row of $uid"
awk -F'\t' -v u="$uid" '$1 == "#fields" {sub(/^#fields\t/, ""); print} $2 == u {print}' "$root/testdata/sample-conn.log" | cut -f1-9,17,19

if command -v tcpdump >/dev/null 2>&1; then
  echo
  echo "== tcpdump -nn -r testdata/out/$uid.pcap"
  tcpdump -nn -r "$out/$uid.pcap" 2>/dev/null
fi
echo
echo "Open the extract in Wireshark:  wireshark testdata/out/$uid.pcap"
echo "or stream a slice straight into it:"
echo "  java -jar scalpel-cli/target/scalpel.jar slice testdata/out/sample.pcap --conn testdata/sample-conn.log --uid $uid -w - | wireshark -k -i -"
