#!/usr/bin/python3
"""A libtorrent DHT node on loopback for the Shoal DHT interop tests.
Usage: lt_dht.py BOOTSTRAP_PORT ANNOUNCE_HASH LOOKUP_HASH SECONDS SAVE_DIR [verbose]
Bootstraps from 127.0.0.1:BOOTSTRAP_PORT, adds ANNOUNCE_HASH as a magnet (so libtorrent announces it to the DHT
with its listen port; the Python binding cannot call session.dht_announce, whose flags type is not exported), and
every second forces a DHT announce and asks for the peers of LOOKUP_HASH. Prints 'READY <listen port> <nodes>' once
it knows nodes, 'PEER ip:port' for each peer found, and exits after SECONDS. libtorrent filters loopback and same-IP DHT nodes by default; the settings below
lift those filters (routing/search IP restrictions, dark-internet filter, verified-id preference, per-IP
query rate limit)."""
import sys, time, libtorrent as lt

boot_port, ann_hash, look_hash, seconds, save_dir = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
verbose = len(sys.argv) > 6
# dht_get_peers_reply_alert is in the dht_operation category.
mask = (lt.alert.category_t.dht_notification | lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification | lt.alert.category_t.dht_operation_notification)
if verbose:
    mask |= lt.alert.category_t.dht_log_notification
ses = lt.session({
    'listen_interfaces': '127.0.0.1:0',
    'enable_dht': True,
    'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'dht_bootstrap_nodes': f'127.0.0.1:{boot_port}',
    'dht_restrict_routing_ips': False,
    'dht_restrict_search_ips': False,
    'dht_ignore_dark_internet': False,
    'dht_prefer_verified_node_ids': False,
    'dht_enforce_node_id': False,
    'dht_extended_routing_table': False,
    'dht_aggressive_lookups': True,
    # Every Shoal node in the test shares 127.0.0.1; libtorrent's per-IP limit (5 queries/s) would ban them all.
    'dht_block_ratelimit': 100000,
    'dht_block_timeout': 1,
    'alert_mask': mask,
})
atp = lt.parse_magnet_uri(f'magnet:?xt=urn:btih:{ann_hash}')
atp.save_path = save_dir
handle = None
look = lt.sha1_hash(bytes.fromhex(look_hash))
deadline = time.time() + seconds
ready = False
seen = set()
last = 0.0
while time.time() < deadline:
    for a in ses.pop_alerts():
        if isinstance(a, lt.dht_get_peers_reply_alert):
            for p in a.peers():
                key = f'{p[0]}:{p[1]}'
                if key not in seen:
                    seen.add(key)
                    print(f'PEER {key}', flush=True)
        elif verbose:
            print('alert:', type(a).__name__, a.message(), file=sys.stderr, flush=True)
    st = ses.status()  # dht_nodes is still served by the deprecated status()
    if not ready and st.dht_nodes > 0:
        ready = True
        handle = ses.add_torrent(atp)
        print(f'READY {ses.listen_port()} {st.dht_nodes}', flush=True)
    now = time.time()
    if ready and now - last >= 1.0:
        last = now
        handle.force_dht_announce()
        ses.dht_get_peers(look)
    ses.wait_for_alert(100)
print(f'DONE nodes={ses.status().dht_nodes}', flush=True)
