#!/usr/bin/python3
"""libtorrent leecher that starts from a magnet link only: prints `listening on port N`, dials every --peer (again
every second while not connected), prints `metadata received` once it has the info dictionary, and exits 0 once every
piece is downloaded and hash-checked. Loopback only, DHT/LSD/UPnP/uTP off, so the metadata can only come from the
peers it is given.
Usage: lt_magnet_leech.py MAGNET OUT_DIR [--port N] [--peer HOST:PORT]... [--timeout S]"""
import argparse, sys, time
import libtorrent as lt

ap = argparse.ArgumentParser()
ap.add_argument('magnet')
ap.add_argument('out')
ap.add_argument('--port', type=int, default=0)
ap.add_argument('--peer', action='append', default=[])
ap.add_argument('--timeout', type=float, default=300)
a = ap.parse_args()

s = lt.default_settings()
s.update({
    'listen_interfaces': f'127.0.0.1:{a.port}',
    'outgoing_interfaces': '127.0.0.1',
    'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'enable_incoming_utp': False, 'enable_outgoing_utp': False,
    'allow_multiple_connections_per_ip': True,
    'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
                  | lt.alert.category_t.peer_notification,
})
ses = lt.session(s)
atp = lt.parse_magnet_uri(a.magnet)
atp.save_path = a.out
h = ses.add_torrent(atp)
print(f'listening on port {ses.listen_port()}', flush=True)
peers = []
for p in a.peer:
    host, _, port = p.rpartition(':')
    peers.append((host.strip('[]'), int(port)))
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
        connected = {(p.ip[0], p.ip[1]) for p in h.get_peer_info()}
        for p in peers:
            if p not in connected:
                h.connect_peer(p)
        print(f'progress {st.progress:.3f} peers {st.num_peers}', flush=True)
    ses.wait_for_alert(100)
print('complete', flush=True)
h.flush_cache()
ses.remove_torrent(h)
time.sleep(0.05)
sys.exit(0)
