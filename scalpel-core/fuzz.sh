#!/bin/sh
# Fuzzing campaign over every fuzz target in turn (docs/robustness.md).
#
#   scalpel-core/fuzz.sh [LOG [TARGET...]]   (run from anywhere; LOG defaults to
#                                            scalpel-core/target/fuzz-campaign.log; TARGET is
#                                            Class#method, default: every target below)
#
# Each target is fuzzed in its own JVM (with JAZZER_FUZZ=1 a JVM fuzzes one @FuzzTest only) for the
# maxDuration its annotation gives. Jazzer keeps the inputs it found in .cifuzz-corpus/ (not
# committed) and writes a failing input as crash-* into the target's ...Inputs/ directory, where
# the regression run of the normal test suite then replays it. The final libFuzzer statistics of
# each target are appended to LOG; the totals of a campaign are kept in docs/fuzzing-campaign.txt.
set -eu
cd "$(dirname "$0")/.."
LOG=${1:-scalpel-core/target/fuzz-campaign.log}
mkdir -p "$(dirname "$LOG")"
: > "$LOG"
TARGETS="io.scalpel.capture.CaptureReaderFuzzTest#pcapFile
io.scalpel.capture.CaptureReaderFuzzTest#pcapngFile
io.scalpel.decode.PacketDecoderFuzzTest#decodeAnyFrame
io.scalpel.zeek.ConnLogFuzzTest#tsvRows
io.scalpel.zeek.ConnLogFuzzTest#anyLog
io.scalpel.zeek.ParquetConnLogFuzzTest#parquetLog
io.scalpel.zeek.ParquetConnLogFuzzTest#parquetFooter
io.scalpel.index.IndexReaderFuzzTest#damagedIndex"
if [ $# -gt 1 ]; then
    shift
    TARGETS="$*"
fi
status=0
for t in $TARGETS; do
    echo "== $t ($(date -u +%Y-%m-%dT%H:%M:%SZ))" | tee -a "$LOG"
    out=$(mktemp)
    if JAZZER_FUZZ=1 ./mvnw -B -o -q test -pl scalpel-core -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
        -Dscalpel.test.argLine="-Xmx1g -Djazzer.instrumentation_includes=io.scalpel.**" >"$out" 2>&1; then
        echo "result: no finding" | tee -a "$LOG"
    else
        echo "result: FINDING or failure (see the output below and the crash-* file in the Inputs directory)" | tee -a "$LOG"
        grep -E 'Exception|Error|crash-|FAIL' "$out" | head -40 | tee -a "$LOG"
        status=1
    fi
    grep -E '^(#[0-9]+[[:space:]]+(DONE|INITED)|Done [0-9]+ runs|INFO: seed corpus|stat::)' "$out" | tee -a "$LOG" || true
    rm -f "$out"
done
awk '/^Done [0-9]+ runs/ { total += $2 } END { print "total executions: " total }' "$LOG" | tee -a "$LOG"
exit $status
