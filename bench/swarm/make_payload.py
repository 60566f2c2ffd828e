#!/usr/bin/python3
"""Writes a random payload for the swarm benchmark.
Usage: make_payload.py single OUT_FILE SIZE_MB
       make_payload.py multi OUT_DIR SIZE_MB FILES   (FILES files of varied sizes summing to SIZE_MB MiB, in subfolders)
Sizes are deterministic (seeded); the bytes come from os.urandom."""
import os, random, sys

mode, out, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
total = size_mb * 1024 * 1024


def write(path, n):
    with open(path, 'wb') as f:
        while n > 0:
            k = min(n, 4 << 20)
            f.write(os.urandom(k))
            n -= k


if mode == 'single':
    write(out, total)
else:
    count = int(sys.argv[4])
    rng = random.Random(42)
    weights = [rng.uniform(0.2, 1.8) for _ in range(count)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    sizes[-1] += total - sum(sizes)
    for i, n in enumerate(sizes):
        d = os.path.join(out, f'd{i // 100:02d}')
        os.makedirs(d, exist_ok=True)
        write(os.path.join(d, f'f{i:04d}.bin'), n)
