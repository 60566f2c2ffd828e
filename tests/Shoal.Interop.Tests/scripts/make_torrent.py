#!/usr/bin/python3
"""Makes a .torrent with libtorrent, so the tests do not depend on Shoal's own creator.
Usage: make_torrent.py DIR_OR_FILE OUT [--tracker URL]... [--piece-size N]
Prints one JSON line: infoHash, pieceLength, pieceCount, totalLength, files (relative paths in torrent order)."""
import argparse, json, os, sys
import libtorrent as lt

ap = argparse.ArgumentParser()
ap.add_argument('path')
ap.add_argument('out')
ap.add_argument('--tracker', action='append', default=[])
ap.add_argument('--piece-size', type=int, default=0)
a = ap.parse_args()

path = os.path.abspath(a.path)
fs = lt.file_storage()
lt.add_files(fs, path)
if fs.num_files() == 0:
    sys.exit(f'no files under {path}')
# v1 only: every client under test speaks v1; no pad files so the file layout is the plain concatenation.
flags = lt.create_torrent.v1_only
t = lt.create_torrent(fs, a.piece_size, flags=flags)
for i, url in enumerate(a.tracker):
    t.add_tracker(url, i)
t.set_creator('shoal interop tests')
lt.set_piece_hashes(t, os.path.dirname(path))
data = lt.bencode(t.generate())
with open(a.out, 'wb') as f:
    f.write(data)
ti = lt.torrent_info(a.out)
files = ti.files()
print(json.dumps({
    'infoHash': str(ti.info_hash()),
    'name': ti.name(),
    'pieceLength': ti.piece_length(),
    'pieceCount': ti.num_pieces(),
    'totalLength': ti.total_size(),
    'files': [{'path': files.file_path(i), 'length': files.file_size(i)} for i in range(files.num_files())],
}))
