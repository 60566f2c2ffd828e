#!/usr/bin/python3
"""libtorrent leecher on 127.0.0.1: prints `listening on port N`, dials every --peer (again every second while not
connected), prints progress, and exits 0 once every piece is downloaded and hash-checked.
Usage: lt_leech.py TORRENT OUT_DIR [--port N] [--peer HOST:PORT]... [--timeout S]"""
import argparse, sys, time
import libtorrent as lt
from lt_common import dial_missing, finish, loopback_settings, parse_peer, report_alerts

ap = argparse.ArgumentParser()
ap.add_argument('torrent')
ap.add_argument('out')
ap.add_argument('--port', type=int, default=0)
ap.add_argument('--peer', action='append', default=[])
ap.add_argument('--timeout', type=float, default=600)
a = ap.parse_args()

ses = lt.session(loopback_settings(a.port))
h = ses.add_torrent({'ti': lt.torrent_info(a.torrent), 'save_path': a.out})
print(f'listening on port {ses.listen_port()}', flush=True)
peers = [parse_peer(p) for p in a.peer]
start = time.time(); last = 0.0
while True:
    report_alerts(ses, 'leecher')
    st = h.status()
    if st.is_finished or st.is_seeding:
        break
    now = time.time()
    if now - start > a.timeout:
        sys.exit(f'leecher: timed out at progress {st.progress:.3f}')
    if now - last >= 1.0:
        last = now
        dial_missing(h, peers)
        print(f'progress {st.progress:.3f} downloaded {st.total_payload_download} peers {st.num_peers}', flush=True)
    ses.wait_for_alert(100)
st = h.status()
print(f'complete downloaded {st.total_payload_download}', flush=True)
finish(ses, h)
sys.exit(0)
