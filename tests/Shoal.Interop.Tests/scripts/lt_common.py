"""Settings shared by the libtorrent driver scripts: loopback only, every discovery mechanism off, no rate limits,
TCP only (so each client is compared over the same transport)."""
import time
import libtorrent as lt


def loopback_settings(port, upload_limit=0):
    s = lt.default_settings()
    s.update({
        'listen_interfaces': f'127.0.0.1:{port}',
        'outgoing_interfaces': '127.0.0.1',
        'enable_dht': False,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'enable_incoming_utp': False,
        'enable_outgoing_utp': False,
        'upload_rate_limit': upload_limit,
        'download_rate_limit': 0,
        'allow_multiple_connections_per_ip': True,
        'announce_to_all_trackers': True,
        'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
                      | lt.alert.category_t.tracker_notification | lt.alert.category_t.peer_notification,
    })
    return s


def parse_peer(text):
    host, _, port = text.rpartition(':')
    return (host.strip('[]'), int(port))


def report_alerts(ses, who):
    """Prints error and peer alerts so a failing test shows what libtorrent saw."""
    for a in ses.pop_alerts():
        if isinstance(a, (lt.tracker_error_alert, lt.file_error_alert, lt.torrent_error_alert,
                          lt.peer_disconnected_alert, lt.peer_error_alert, lt.tracker_reply_alert,
                          lt.listen_failed_alert, lt.hash_failed_alert)):
            print(f'{who} alert: {a.message()}', flush=True)


def limit_loopback_too(ses):
    """libtorrent puts loopback and LAN peers in its 'local' peer class, which ignores rate limits; put every address in
    the global class so an upload limit also holds on 127.0.0.1."""
    f = lt.ip_filter()
    f.add_rule('0.0.0.0', '255.255.255.255', 1 << ses.global_peer_class_id)
    ses.set_peer_class_filter(f)


def dial_missing(h, peers):
    """Dials every given peer that is not connected (clients may drop or refuse a first attempt on loopback)."""
    connected = {(p.ip[0], p.ip[1]) for p in h.get_peer_info()}
    for p in peers:
        if p not in connected:
            h.connect_peer(p)


def finish(ses, h):
    """Flushes the torrent's files and removes it, so the data on disk is complete when the script exits."""
    h.flush_cache()
    ses.remove_torrent(h)
    time.sleep(0.05)
