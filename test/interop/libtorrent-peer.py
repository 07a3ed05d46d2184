"""One libtorrent session with one torrent: downloads, then seeds until its standard input closes.

usage: libtorrent-peer.py CONFIG_JSON

CONFIG_JSON keys: torrent, save_dir, timeout (seconds), web_seed_port (blocks from a connection to
this port count as web-seed bytes, every other as peer bytes), upload_rate (bytes/s, 0 = unlimited;
it applies to peers on 127.0.0.1 too: libtorrent puts local-network peers in an unlimited peer
class by default, so every address is mapped to the global class here), seed (keep seeding after
finishing until stdin closes; default true), settings (extra settings_pack entries). libtorrent's own defaults stay as they are (SSRF mitigation on, 5-minute
minimum announce interval, 30 s web-seed retry), except what a single machine needs: DHT, LSD,
UPnP and NAT-PMP off, several connections per IP allowed (every peer is on 127.0.0.1).

Prints one JSON object per line: {"event": "added"}, {"event": "progress", ...} every second,
{"event": "url_seed", "message": ...} for web-seed errors, {"event": "finished", ...} once, and
{"event": "closed", ...} after the session has announced `stopped`. Exit status 0 when finished.
"""
import json
import sys
import threading
import time

import libtorrent as lt


def emit(started, **fields):
    print(json.dumps({'t': round(time.time() - started, 3), **fields}), flush=True)


def main():
    config = json.loads(sys.argv[1])
    started = time.time()
    settings = {
        'listen_interfaces': '127.0.0.1:0',
        'enable_dht': False,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'allow_multiple_connections_per_ip': True,
        'upload_rate_limit': int(config.get('upload_rate', 0)),
        'alert_mask': lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.block_progress_notification
        | lt.alert.category_t.peer_notification,
    }
    settings.update(config.get('settings', {}))
    # flags=0: no default plugins (no peer exchange), so peers come from the tracker only.
    session = lt.session(settings, 0)
    everyone = lt.ip_filter()
    everyone.add_rule('0.0.0.0', '255.255.255.255', 1 << session.global_peer_class_id)
    session.set_peer_class_filter(everyone)
    info = lt.torrent_info(config['torrent'])
    params = lt.add_torrent_params()
    params.ti = info
    params.save_path = config['save_dir']
    handle = session.add_torrent(params)
    emit(started, event='added')

    web_seed_port = config.get('web_seed_port')
    piece_length = info.piece_length()
    total = info.total_size()
    counted = {'web_seed': 0, 'peer': 0}
    finished_at = None
    stdin_closed = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stdin_closed.set()), daemon=True).start()
    deadline = started + float(config['timeout'])
    last_report = 0.0

    def block_bytes(piece, block):
        start = piece * piece_length + block * 16384
        return max(0, min(16384, total - start, piece_length - block * 16384))

    while time.time() < deadline:
        for alert in session.pop_alerts():
            if isinstance(alert, lt.block_finished_alert):
                source = 'web_seed' if alert.endpoint[1] == web_seed_port else 'peer'
                counted[source] += block_bytes(alert.piece_index, alert.block_index)
            elif isinstance(alert, lt.url_seed_alert):
                emit(started, event='url_seed', message=alert.message())
            elif isinstance(alert, lt.torrent_finished_alert) and finished_at is None:
                finished_at = time.time()
                emit(started, event='finished', seconds=round(finished_at - started, 3), **counted)
            elif alert.category() & lt.alert.category_t.error_notification:
                emit(started, event='error', message=alert.message())
        now = time.time()
        if now - last_report >= 1:
            last_report = now
            status = handle.status()
            emit(started, event='progress', progress=round(status.progress, 4), done=status.total_done,
                 payload_download=status.total_payload_download, **counted)
        if finished_at is not None and (not config.get('seed', True) or stdin_closed.is_set()):
            break
        if stdin_closed.is_set():
            break
        time.sleep(0.05)

    status = handle.status()
    session.pause()
    # Deleting the session announces `stopped` (waiting up to stop_tracker_timeout).
    del handle
    del session
    emit(started, event='closed', finished=finished_at is not None, progress=round(status.progress, 4),
         payload_download=status.total_payload_download, redundant=status.total_redundant_bytes,
         failed=status.total_failed_bytes, **counted)
    return 0 if finished_at is not None else 1


if __name__ == '__main__':
    sys.exit(main())
