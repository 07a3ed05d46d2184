"""Downloads a .torrent with libtorrent (the smoke check's last step) and exits 0 once every piece
is downloaded and verified.

usage: libtorrent-download.py TORRENT SAVE_DIR TIMEOUT_SECONDS

Only the torrent's own tracker and web seed are used (no DHT, LSD, UPnP, NAT-PMP). SSRF mitigation
is off so a local deployment (`npm start`, presigned URLs on 127.0.0.1) can be checked too.
"""
import sys
import time

import libtorrent as lt


def main() -> int:
    torrent, save_dir, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    session = lt.session({
        'listen_interfaces': '127.0.0.1:0',
        'enable_dht': False,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'ssrf_mitigation': False,
        'alert_mask': lt.alert.category_t.error_notification,
    })
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_dir
    handle = session.add_torrent(params)
    deadline = time.time() + timeout
    while time.time() < deadline:
        for alert in session.pop_alerts():
            print(f'alert: {alert.message()}', file=sys.stderr)
        status = handle.status()
        if status.is_seeding:
            print(f'{status.total_done}')
            return 0
        time.sleep(0.1)
    status = handle.status()
    print(f'timed out at {status.progress * 100:.1f}% ({status.state})', file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
