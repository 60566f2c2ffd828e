#!/usr/bin/python3
"""libtorrent seeder for BEP 6 tests: like lt_seed.py, but it can keep every peer choked and grant a chosen number of
allowed-fast pieces. Prints `listening on port N` once the data is checked, `uploaded N` every second, and with
--choke-after BYTES it unchokes peers until it has uploaded that much, then chokes them (libtorrent rejects the
requests still pending), and unchokes again --rechoke-seconds later.
Usage: lt_fast_seed.py TORRENT DATA_DIR [--port N] [--peer HOST:PORT]... [--unchoke-slots N] [--allowed-fast N]
                       [--upload-limit BYTES_PER_S] [--choke-after BYTES] [--rechoke-seconds S]"""
import argparse, sys, time
import libtorrent as lt
from lt_common import dial_missing, limit_loopback_too, loopback_settings, parse_peer, report_alerts

ap = argparse.ArgumentParser()
ap.add_argument('torrent')
ap.add_argument('data')
ap.add_argument('--port', type=int, default=0)
ap.add_argument('--peer', action='append', default=[])
ap.add_argument('--unchoke-slots', type=int, default=8)
ap.add_argument('--allowed-fast', type=int, default=5)
ap.add_argument('--upload-limit', type=int, default=0)
ap.add_argument('--choke-after', type=int, default=0)
ap.add_argument('--rechoke-seconds', type=float, default=3.0)
a = ap.parse_args()

s = loopback_settings(a.port, a.upload_limit)
s.update({
    'unchoke_slots_limit': a.unchoke_slots,
    'allowed_fast_set_size': a.allowed_fast,
    # Unchoke rounds every second so a change of unchoke_slots_limit takes effect at once, and no optimistic
    # unchoke that would let a peer out of a choke the test wants kept.
    'unchoke_interval': 1,
    'optimistic_unchoke_interval': 100000,
})
ses = lt.session(s)
# Loopback peers are in libtorrent's 'local' class, which ignores unchoke slots (and rate limits): put them in the
# global class so the unchoke limit holds on 127.0.0.1.
limit_loopback_too(ses)
h = ses.add_torrent({'ti': lt.torrent_info(a.torrent), 'save_path': a.data})
peers = [parse_peer(p) for p in a.peer]
deadline = time.time() + 600
while not h.status().is_seeding:
    report_alerts(ses, 'fast seeder')
    st = h.status()
    if st.errc.value() != 0:
        sys.exit(f'fast seeder error: {st.errc.message()}')
    if time.time() > deadline:
        sys.exit('fast seeder: data did not check complete')
    ses.wait_for_alert(100)
print(f'listening on port {ses.listen_port()}', flush=True)
last = 0.0
phase = 'open' if a.choke_after else 'fixed'
choked_at = 0.0
while True:
    report_alerts(ses, 'fast seeder')
    now = time.time()
    up = h.status().total_payload_upload
    if phase == 'open' and up >= a.choke_after:
        ses.apply_settings({'unchoke_slots_limit': 0})
        phase, choked_at = 'choked', now
        print(f'choking everyone after {up} bytes', flush=True)
    elif phase == 'choked' and now - choked_at >= a.rechoke_seconds:
        ses.apply_settings({'unchoke_slots_limit': a.unchoke_slots})
        phase = 'reopened'
        print('unchoking again', flush=True)
    if now - last >= 1.0:
        last = now
        dial_missing(h, peers)
        print(f'uploaded {up}', flush=True)
    ses.wait_for_alert(100)
