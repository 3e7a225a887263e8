#!/usr/bin/env python3
"""Builds the golden extracts from a capture and its ground truth, independently of scalpel:
the records of the given uids (from <capture>.truth.tsv) copied byte for byte after the
capture's file header (pcap), or, for pcapng, the blocks of each section holding such a record,
in file order: the section header block (section length set to -1), every interface description
block, name resolution blocks (type 4), custom blocks of type 0x00000BAD and the records; other
blocks (statistics, decryption secrets, custom 0x40000BAD, other packets) are left out.

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


NAME_RESOLUTION = 4
INTERFACE_DESCRIPTION = 1
CUSTOM_COPYABLE = 0x00000BAD


def pcapng_blocks(data):
    """Every block as (section, offset, type, bytes), in file order."""
    blocks = []
    pos = 0
    order = "<"
    section = -1
    while pos < len(data):
        if data[pos:pos + 4] == b"\x0a\x0d\x0d\x0a":
            order = ">" if data[pos + 8:pos + 12] == b"\x1a\x2b\x3c\x4d" else "<"
            section += 1
        block_type, length = struct.unpack(order + "II", data[pos:pos + 8])
        blocks.append((section, pos, block_type, data[pos:pos + length]))
        pos += length
    return blocks


def main():
    capture, truth, out, uids = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4].split(","))
    data = open(capture, "rb").read()
    selected = truth_offsets(truth, uids)
    with open(out, "wb") as f:
        if data[:4] != b"\x0a\x0d\x0d\x0a":
            f.write(data[:24])
            for offset, length in selected:
                f.write(data[offset:offset + length])
            return
        offsets = {offset for offset, _ in selected}
        blocks = pcapng_blocks(data)
        sections = {section for section, offset, _, _ in blocks if offset in offsets}
        for section, offset, block_type, block in blocks:
            if section not in sections:
                continue
            if block[:4] == b"\x0a\x0d\x0d\x0a":
                f.write(block[:16] + b"\xff" * 8 + block[24:])  # section length: unknown
            elif offset in offsets or block_type in (INTERFACE_DESCRIPTION, NAME_RESOLUTION, CUSTOM_COPYABLE):
                f.write(block)


if __name__ == "__main__":
    main()
