#!/usr/bin/python3
"""libtorrent seeder on 127.0.0.1. Checks the data, then prints `listening on port N` and seeds until killed.
Peers given with --peer are dialled (and re-dialled every second while not connected), so clients that ignore
loopback peers from a tracker can still be reached. Prints `uploaded N` (payload bytes) every second.
Usage: lt_seed.py TORRENT DATA_DIR [--port N] [--peer HOST:PORT]... [--upload-limit BYTES_PER_S]"""
import argparse, sys, time
import libtorrent as lt
from lt_common import loopback_settings, parse_peer, report_alerts

ap = argparse.ArgumentParser()
ap.add_argument('torrent')
ap.add_argument('data')
ap.add_argument('--port', type=int, default=0)
ap.add_argument('--peer', action='append', default=[])
ap.add_argument('--upload-limit', type=int, default=0)
a = ap.parse_args()

ses = lt.session(loopback_settings(a.port, a.upload_limit))
h = ses.add_torrent({'ti': lt.torrent_info(a.torrent), 'save_path': a.data})
peers = [parse_peer(p) for p in a.peer]
deadline = time.time() + 60
while not h.status().is_seeding:
    report_alerts(ses, 'seeder')
    st = h.status()
    if st.errc.value() != 0:
        sys.exit(f'seeder error: {st.errc.message()}')
    if time.time() > deadline:
        sys.exit(f'seeder: data did not check complete (state {st.state}, progress {st.progress:.3f})')
    ses.wait_for_alert(100)
print(f'listening on port {ses.listen_port()}', flush=True)
last = 0.0
while True:
    report_alerts(ses, 'seeder')
    now = time.time()
    if now - last >= 1.0:
        last = now
        connected = {(p.ip[0], p.ip[1]) for p in h.get_peer_info()}
        for p in peers:
            if p not in connected:
                h.connect_peer(p)
        print(f'uploaded {h.status().total_payload_upload}', flush=True)
    ses.wait_for_alert(200)
