"""Downloads a .torrent with libtorrent into a directory and exits 0 once it is complete.

usage: libtorrent-download.py TORRENT SAVE_DIR TIMEOUT_SECONDS

Peer discovery other than the torrent's own tracker and web seeds is off (no DHT, LSD, UPnP,
NAT-PMP), so a success means the torrent itself was enough.
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
        # Presigned URLs of a local S3 stand-in point at 127.0.0.1, which SSRF mitigation refuses.
        'ssrf_mitigation': False,
        'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
    })
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_dir
    handle = session.add_torrent(params)
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = handle.status()
        for alert in session.pop_alerts():
            if alert.category() & lt.alert.category_t.error_notification:
                print(f'alert: {alert.message()}', file=sys.stderr)
        if status.is_seeding:
            print(f'complete: {status.total_done} bytes, infohash {params.ti.info_hash()}')
            return 0
        time.sleep(0.1)
    print(f'timed out: state={handle.status().state} progress={handle.status().progress:.3f}', file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
