#!/usr/bin/python3
"""A scripted swarm of leechers on loopback, for load tests of one seeder.
Usage: peer_swarm.py HOST:PORT INFO_HASH_HEX PIECES PIECE_LENGTH TOTAL_LENGTH [--peers N] [--seconds S] [--depth D]
Opens N TCP connections (each its own peer id), does the BEP 3 handshake, says interested, and whenever unchoked
keeps D block requests outstanding for random blocks. Bounded: stops after S seconds and closes every connection.
Prints one JSON line: peers that completed the handshake, peers connected at the end, peers ever unchoked, payload
bytes received, blocks received, protocol errors seen."""
import argparse, asyncio, json, os, random, struct, sys, time

ap = argparse.ArgumentParser()
ap.add_argument('addr')
ap.add_argument('info_hash')
ap.add_argument('pieces', type=int)
ap.add_argument('piece_length', type=int)
ap.add_argument('total_length', type=int)
ap.add_argument('--peers', type=int, default=200)
ap.add_argument('--seconds', type=float, default=30)
ap.add_argument('--depth', type=int, default=8)
a = ap.parse_args()
host, _, port = a.addr.rpartition(':')
port = int(port)
info_hash = bytes.fromhex(a.info_hash)
BLOCK = 16384
stats = dict(handshaken=0, connected_at_end=0, unchoked=0, bytes=0, blocks=0, errors=0)
deadline = time.monotonic() + a.seconds


def piece_size(i):
    return a.piece_length if i < a.pieces - 1 else a.total_length - a.piece_length * (a.pieces - 1)


def random_block(rng):
    p = rng.randrange(a.pieces)
    size = piece_size(p)
    b = rng.randrange((size + BLOCK - 1) // BLOCK)
    return p, b * BLOCK, min(BLOCK, size - b * BLOCK)


async def peer(n):
    rng = random.Random(n)
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
    except Exception:
        stats['errors'] += 1
        return
    try:
        peer_id = b'-SW0001-' + f'{n:012d}'.encode()
        w.write(b'\x13BitTorrent protocol' + bytes(8) + info_hash + peer_id)
        await w.drain()
        hs = await asyncio.wait_for(r.readexactly(68), 10)
        if hs[28:48] != info_hash:
            stats['errors'] += 1
            return
        stats['handshaken'] += 1
        w.write(struct.pack('>IB', 1, 2))  # interested
        await w.drain()
        outstanding, choked, ever = 0, True, False
        while time.monotonic() < deadline:
            if not choked and outstanding < a.depth:
                out = bytearray()
                while outstanding < a.depth:
                    p, begin, length = random_block(rng)
                    out += struct.pack('>IBIII', 13, 6, p, begin, length)
                    outstanding += 1
                w.write(out)
                await w.drain()
            try:
                head = await asyncio.wait_for(r.readexactly(4), max(0.05, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
            (length,) = struct.unpack('>I', head)
            if length == 0:
                continue
            body = await r.readexactly(length)
            mid = body[0]
            if mid == 0:
                choked, outstanding = True, 0  # requests are dropped on choke (no fast extension)
            elif mid == 1:
                choked = False
                if not ever:
                    ever = True
                    stats['unchoked'] += 1
            elif mid == 7:
                outstanding = max(0, outstanding - 1)
                stats['blocks'] += 1
                stats['bytes'] += length - 9
        stats['connected_at_end'] += 1
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        stats['errors'] += 1
    finally:
        w.close()


async def main():
    tasks = []
    for n in range(a.peers):
        tasks.append(asyncio.create_task(peer(n)))
        await asyncio.sleep(0.005)  # a ramp, not a SYN flood
    await asyncio.wait(tasks, timeout=a.seconds + 20)


asyncio.run(main())
print(json.dumps(stats), flush=True)
