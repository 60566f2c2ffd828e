#!/usr/bin/python3
"""libtorrent with its DHT on, on 127.0.0.1 only, for the trackerless interop tests (issue 8, bars 1 and 2).
Modes:
  seed TORRENT DATA_DIR   checks the data, then seeds; re-announces to the DHT every 2 s until killed or --timeout
  leech MAGNET OUT_DIR    starts from the magnet link alone; exits 0 once every piece is downloaded and checked
  node                    a DHT node with no torrent (part of the test's small DHT)
Every mode bootstraps from the --dht-node endpoints only, and prints 'listening on port N' (its TCP and UDP port)
once its DHT knows a node; then 'dht nodes N ...' lines. libtorrent filters loopback DHT traffic by default; the
settings below lift exactly those filters.
Usage: lt_dht_peer.py MODE [ARGS] --dht-node HOST:PORT... [--timeout S]"""
import argparse, sys, time
import libtorrent as lt
from lt_common import finish, loopback_settings

ap = argparse.ArgumentParser()
ap.add_argument('mode', choices=['seed', 'leech', 'node'])
ap.add_argument('args', nargs='*')
ap.add_argument('--dht-node', action='append', default=[])
ap.add_argument('--timeout', type=float, default=300)
a = ap.parse_args()
if not a.dht_node:
    sys.exit('give at least one --dht-node (tests never use the public routers)')


def dht_loopback_settings():
    s = loopback_settings(0)
    s.update({
        'enable_dht': True,
        'dht_bootstrap_nodes': ','.join(a.dht_node),
        # All of these default to values that drop or distrust nodes that share an IP or sit on loopback/private
        # ranges, which is every node in this test.
        'dht_restrict_routing_ips': False,     # more than one routing table entry per IP
        'dht_restrict_search_ips': False,      # more than one node per IP in a lookup
        'dht_ignore_dark_internet': False,     # loopback/private addresses as DHT nodes
        'dht_prefer_verified_node_ids': False, # BEP 42: our ids are not derived from 127.0.0.1
        'dht_enforce_node_id': False,
        'dht_extended_routing_table': False,
        'dht_aggressive_lookups': True,
        # Every node shares 127.0.0.1, and libtorrent's per-IP limit (5 queries/s, 300 s block) would ban them all.
        'dht_block_ratelimit': 100000,
        'dht_block_timeout': 1,
        'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
                      | lt.alert.category_t.dht_notification | lt.alert.category_t.peer_notification,
    })
    return s


ses = lt.session(dht_loopback_settings())
h = None
if a.mode == 'seed':
    h = ses.add_torrent({'ti': lt.torrent_info(a.args[0]), 'save_path': a.args[1]})
elif a.mode == 'leech':
    atp = lt.parse_magnet_uri(a.args[0])
    atp.save_path = a.args[1]
    h = ses.add_torrent(atp)

start = time.time()
last = 0.0
ready = False
had_metadata = False
while True:
    for al in ses.pop_alerts():
        if isinstance(al, (lt.peer_error_alert, lt.torrent_error_alert, lt.file_error_alert, lt.hash_failed_alert,
                           lt.listen_failed_alert, lt.metadata_failed_alert)):
            print(f'{a.mode} alert: {al.message()}', flush=True)
    now = time.time()
    if now - start > a.timeout:
        st = h.status() if h else None
        if a.mode == 'leech':
            sys.exit(f'leecher: timed out (metadata {st.has_metadata}, progress {st.progress:.3f}, peers {st.num_peers}, '
                     f'dht nodes {ses.status().dht_nodes})')
        break
    st = h.status() if h else None
    if st is not None and st.errc.value() != 0:
        sys.exit(f'{a.mode} error: {st.errc.message()}')
    nodes = ses.status().dht_nodes  # dht_nodes is still served by the deprecated status()
    seeding_ready = a.mode != 'seed' or st.is_seeding
    if not ready and nodes > 0 and seeding_ready:
        ready = True
        print(f'listening on port {ses.listen_port()}', flush=True)
    if a.mode == 'leech':
        if st.has_metadata and not had_metadata:
            had_metadata = True
            print(f'metadata received after {now - start:.2f}s', flush=True)
        if st.has_metadata and (st.is_finished or st.is_seeding):
            break
    if now - last >= 2.0:
        last = now
        if ready and h is not None and (a.mode == 'seed' or st.num_peers == 0):
            h.force_dht_announce()  # a get_peers lookup plus an announce, at once instead of in 15 minutes
        extra = f' progress {st.progress:.3f} peers {st.num_peers} uploaded {st.total_payload_upload}' if st else ''
        print(f'dht nodes {nodes}{extra}', flush=True)
    ses.wait_for_alert(100)

if a.mode == 'leech':
    print('complete', flush=True)
    finish(ses, h)
sys.exit(0)
