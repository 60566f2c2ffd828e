#!/usr/bin/python3
"""libtorrent seeder on 127.0.0.1. Checks the data, then prints `listening on port N` and seeds until killed.
Peers given with --peer are dialled (and re-dialled every second while not connected), so clients that ignore
loopback peers from a tracker can still be reached. Prints `uploaded N` (payload bytes) every second.
With --wait-announce it prints the listening line only after a tracker accepted its announce.
Usage: lt_seed.py TORRENT DATA_DIR [--port N] [--peer HOST:PORT]... [--upload-limit BYTES_PER_S] [--wait-announce]"""
import argparse, sys, time
import libtorrent as lt
from lt_common import dial_missing, limit_loopback_too, loopback_settings, parse_peer

ap = argparse.ArgumentParser()
ap.add_argument('torrent')
ap.add_argument('data')
ap.add_argument('--port', type=int, default=0)
ap.add_argument('--peer', action='append', default=[])
ap.add_argument('--upload-limit', type=int, default=0)
ap.add_argument('--wait-announce', action='store_true')
a = ap.parse_args()
announced = False


def pump():
    global announced
    for al in ses.pop_alerts():
        if isinstance(al, lt.tracker_reply_alert):
            announced = True
        if isinstance(al, (lt.tracker_error_alert, lt.file_error_alert, lt.torrent_error_alert,
                           lt.peer_error_alert, lt.peer_disconnected_alert, lt.listen_failed_alert)):
            print(f'seeder alert: {al.message()}', flush=True)


def wait_announce(limit_s):
    global announced
    announced = False
    h.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval)
    end = time.time() + limit_s
    while not announced and time.time() < end:
        pump()
        ses.wait_for_alert(100)
    if not announced:
        sys.exit('seeder: no tracker reply')


ses = lt.session(loopback_settings(a.port, a.upload_limit))
if a.upload_limit:
    limit_loopback_too(ses)
h = ses.add_torrent({'ti': lt.torrent_info(a.torrent), 'save_path': a.data})
peers = [parse_peer(p) for p in a.peer]
deadline = time.time() + 600
while not h.status().is_seeding:
    pump()
    st = h.status()
    if st.errc.value() != 0:
        sys.exit(f'seeder error: {st.errc.message()}')
    if time.time() > deadline:
        sys.exit(f'seeder: data did not check complete (state {st.state}, progress {st.progress:.3f})')
    ses.wait_for_alert(100)
if a.wait_announce:
    wait_announce(30)
print(f'listening on port {ses.listen_port()}', flush=True)
last = 0.0
while True:
    pump()
    now = time.time()
    if now - last >= 1.0:
        last = now
        dial_missing(h, peers)
        print(f'uploaded {h.status().total_payload_upload}', flush=True)
    ses.wait_for_alert(200)
