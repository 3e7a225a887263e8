#!/usr/bin/env python3
"""Builds the golden extracts from a capture and its ground truth, independently of scalpel:
the records of the given uids (from <capture>.truth.tsv) copied byte for byte after the
capture's file header (pcap), or, for pcapng, each section's records after that section's
header block (section length set to -1) and its interface description blocks.

usage: make-golden.py CAPTURE TRUTH.tsv OUT UID[,UID...]"""
import struct
import sys


def truth_offsets(truth, uids):
    offsets = []
    with open(truth) as f:
        next(f)
        for line in f:
            frame, offset, length, ts, caplen, frame_uids = line.rstrip("\n").split("\t")
            if frame_uids != "-" and set(frame_uids.split(",")) & uids:
                offsets.append((int(offset), int(length)))
    return sorted(offsets)


def pcapng_sections(data):
    """Per section: (start offset, SHB with section length -1 followed by its interface blocks)."""
    sections = []
    pos = 0
    order = "<"
    while pos < len(data):
        if data[pos:pos + 4] == b"\x0a\x0d\x0d\x0a":
            order = ">" if data[pos + 8:pos + 12] == b"\x1a\x2b\x3c\x4d" else "<"
            (length,) = struct.unpack(order + "I", data[pos + 4:pos + 8])
            shb = bytearray(data[pos:pos + length])
            shb[16:24] = b"\xff" * 8  # section length: unknown
            sections.append([pos, bytes(shb)])
        else:
            block_type, length = struct.unpack(order + "II", data[pos:pos + 8])
            if block_type == 1:  # interface description
                sections[-1][1] += data[pos:pos + length]
        pos += length
    return sections


def main():
    capture, truth, out, uids = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4].split(","))
    data = open(capture, "rb").read()
    pcapng = data[:4] == b"\x0a\x0d\x0d\x0a"
    sections = pcapng_sections(data) if pcapng else []
    current = None
    with open(out, "wb") as f:
        if not pcapng:
            f.write(data[:24])
        for offset, length in truth_offsets(truth, uids):
            if pcapng:
                section = max(i for i, s in enumerate(sections) if s[0] < offset)
                if section != current:
                    f.write(sections[section][1])
                    current = section
            f.write(data[offset:offset + length])


if __name__ == "__main__":
    main()
