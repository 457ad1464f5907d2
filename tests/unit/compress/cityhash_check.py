#!/usr/bin/env python3
"""Compares our CityHash128 (cityhash_tool) with the clickhouse-cityhash package (ClickHouse's
CityHash v1.0.2 bindings) on a fixed, seeded set of inputs covering every code path.

usage: cityhash_check.py <path to cityhash_tool> [count]
Exit 0 = all equal, 1 = mismatch, 77 = skipped (clickhouse-cityhash not installed).
"""
import random
import struct
import subprocess
import sys

SKIP = 77


def lengths(rng, count):
    out = list(range(0, 300))  # 0-16, 17-32, 33-64, 65-128, the 144 boundary, every remainder mod 8
    # CityHash128 hashes len-16 bytes with a 128-byte main loop and a tail of up to four 32-byte
    # chunks: cover loop counts 1..12 with every tail shape.
    for k in range(12):
        for d in (-1, 0, 1, 7, 31, 32, 33, 63, 64, 65, 96, 127):
            n = 144 + 128 * k + d
            if n >= 0:
                out.append(n)
    while len(out) < count:
        bucket = rng.randrange(6)
        if bucket == 0:
            out.append(rng.randint(0, 16))
        elif bucket == 1:
            out.append(rng.randint(17, 32))
        elif bucket == 2:
            out.append(rng.randint(33, 64))
        elif bucket == 3:
            out.append(rng.randint(65, 128))
        else:
            out.append(rng.randint(129, 4096))
    return out[:count]


def payload(rng, n, i):
    if i % 50 == 1:
        return bytes(n)  # all zero
    if i % 50 == 2:
        return b"\xff" * n
    return rng.randbytes(n)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    try:
        from clickhouse_cityhash.cityhash import CityHash128
    except ImportError:
        print("SKIP: clickhouse-cityhash is not installed (pip install clickhouse-cityhash)")
        return SKIP
    tool = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    rng = random.Random(20240611)
    inputs = [payload(rng, n, i) for i, n in enumerate(lengths(rng, count))]
    stdin = b"".join(struct.pack("<I", len(d)) + d for d in inputs)
    proc = subprocess.run([tool], input=stdin, stdout=subprocess.PIPE, check=True)
    lines = proc.stdout.decode().splitlines()
    if len(lines) != len(inputs):
        print(f"FAIL: tool printed {len(lines)} lines for {len(inputs)} inputs")
        return 1
    mismatches = 0
    for data, line in zip(inputs, lines):
        # The package returns one int: first (ClickHouse's low) half in the high 64 bits.
        ref = CityHash128(data)
        want = f"{ref >> 64:016x} {ref & (2**64 - 1):016x}"
        if line != want:
            mismatches += 1
            if mismatches <= 10:
                print(f"MISMATCH len={len(data)} data[:16]={data[:16].hex()} ours={line} reference={want}")
    print(f"checked {len(inputs)} inputs (lengths {min(map(len, inputs))}..{max(map(len, inputs))}): "
          f"{mismatches} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
