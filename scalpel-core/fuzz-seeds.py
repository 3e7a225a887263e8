#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz tests (docs/robustness.md) from the project's own testdata.

Run from scalpel-core: ./fuzz-seeds.py. Each seed is a small valid input (a few records of a
generated capture, a few conn.log rows) for Jazzer to mutate; the fuzz tests also run every seed
as a regression test.
"""
import gzip
import os
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTDATA = HERE.parent / "testdata"
RES = HERE / "src" / "test" / "resources" / "io" / "scalpel"
RECORDS = 3
# PacketDecoderFuzzTest.LINK_TYPES, in its order: the seed's first byte indexes it.
LINK_TYPES = [0, 1, 9, 10, 12, 14, 50, 101, 104, 105, 108, 113, 127, 228, 229, 239, 276]


def out(directory, name, data):
    d = RES / directory
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def pcap_records(data):
    """(file header, byte order, link type, [records]) of a classic pcap."""
    order = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link = struct.unpack(order + "I", data[20:24])[0] & 0xFFFF
    records, at = [], 24
    while at + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[at + 8:at + 12])[0]
        records.append(data[at:at + 16 + caplen])
        at += 16 + caplen
    return data[:24], link, records


def pcapng_blocks(data):
    """Blocks of a pcapng file, each (type, bytes), in file order."""
    blocks, at, order = [], 0, "<"
    while at + 12 <= len(data):
        if data[at:at + 4] == b"\x0a\x0d\x0d\x0a":
            order = "<" if data[at + 8:at + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        btype, blen = struct.unpack(order + "II", data[at:at + 8])
        blocks.append((btype, data[at:at + blen]))
        at += blen
    return blocks


def main():
    pcaps = sorted(TESTDATA.glob("*.pcap")) + sorted((TESTDATA / "linktypes").glob("*.pcap")) \
        + sorted((TESTDATA / "golden").glob("*.pcap"))
    for p in pcaps:
        header, link, records = pcap_records(p.read_bytes())
        out("capture/CaptureReaderFuzzTestInputs/pcapFile", p.stem, header + b"".join(records[:RECORDS]))
        if link in LINK_TYPES:
            for i, r in enumerate(records[:2]):
                out("decode/PacketDecoderFuzzTestInputs/decodeAnyFrame", f"{p.stem}-{i}",
                    bytes([LINK_TYPES.index(link), 0]) + r[16:])
    first = pcaps[0].read_bytes()
    header, _, records = pcap_records(first)
    out("capture/CaptureReaderFuzzTestInputs/pcapFile", "cut-mid-record",
        header + records[0] + records[1][:len(records[1]) // 2])
    for p in sorted(TESTDATA.glob("*.pcapng")) + sorted((TESTDATA / "golden").glob("*.pcapng")):
        kept, packets = [], 0
        for btype, block in pcapng_blocks(p.read_bytes()):
            if btype in (3, 6):
                if packets == RECORDS:
                    continue
                packets += 1
            kept.append(block)
        out("capture/CaptureReaderFuzzTestInputs/pcapngFile", p.stem, b"".join(kept))
    tsv = (TESTDATA / "sample-conn.log").read_text().splitlines()
    fields = next(l for l in tsv if l.startswith("#fields")).split("\t")[1:]
    wanted = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration",
              "tunnel_parents", "vlan", "inner_vlan", "orig_pkts"]
    rows = [l.split("\t") for l in tsv if not l.startswith("#")]
    picked = ["\t".join(r[fields.index(w)] for w in wanted) for r in rows[:6]]
    out("zeek/ConnLogFuzzTestInputs/tsvRows", "sample-rows", ("\n".join(picked) + "\n").encode())
    head = "\n".join(tsv[:8 + 4]) + "\n"
    out("zeek/ConnLogFuzzTestInputs/anyLog", "sample-tsv", head.encode())
    json = "\n".join((TESTDATA / "sample-conn.json").read_text().splitlines()[:4]) + "\n"
    out("zeek/ConnLogFuzzTestInputs/anyLog", "sample-json", json.encode())
    out("zeek/ConnLogFuzzTestInputs/anyLog", "sample-json-gz", gzip.compress(json.encode(), mtime=0))


if __name__ == "__main__":
    main()
