#!/usr/bin/python3
"""libtorrent leecher that starts from a magnet link only: prints `listening on port N`, dials every --peer (again
every second while not connected), prints `metadata received` once it has the info dictionary, and exits 0 once every
piece is downloaded and hash-checked. Loopback only, DHT/LSD/UPnP/uTP off, so the metadata can only come from the
peers it is given.
Usage: lt_magnet_leech.py MAGNET OUT_DIR [--port N] [--peer HOST:PORT]... [--timeout S]"""
import argparse, sys, time
import libtorrent as lt
from lt_common import dial_missing, finish, loopback_settings, parse_peer

ap = argparse.ArgumentParser()
ap.add_argument('magnet')
ap.add_argument('out')
ap.add_argument('--port', type=int, default=0)
ap.add_argument('--peer', action='append', default=[])
ap.add_argument('--timeout', type=float, default=300)
a = ap.parse_args()

ses = lt.session(loopback_settings(a.port))
atp = lt.parse_magnet_uri(a.magnet)
atp.save_path = a.out
h = ses.add_torrent(atp)
print(f'listening on port {ses.listen_port()}', flush=True)
peers = [parse_peer(p) for p in a.peer]
start = time.time(); last = 0.0; had_metadata = False
while True:
    for al in ses.pop_alerts():
        if isinstance(al, (lt.peer_disconnected_alert, lt.peer_error_alert, lt.metadata_failed_alert,
                           lt.torrent_error_alert, lt.file_error_alert, lt.hash_failed_alert)):
            print(f'leecher alert: {al.message()}', flush=True)
    st = h.status()
    if st.has_metadata and not had_metadata:
        had_metadata = True
        print(f'metadata received after {time.time() - start:.2f}s', flush=True)
    if st.has_metadata and (st.is_finished or st.is_seeding):
        break
    now = time.time()
    if now - start > a.timeout:
        sys.exit(f'leecher: timed out (metadata {st.has_metadata}, progress {st.progress:.3f})')
    if now - last >= 1.0:
        last = now
        dial_missing(h, peers)
        print(f'progress {st.progress:.3f} peers {st.num_peers}', flush=True)
    ses.wait_for_alert(100)
print('complete', flush=True)
finish(ses, h)
sys.exit(0)
