"""Runs a swarm of libtorrent sessions on 127.0.0.1 whose only way to find each other is the tracker.

usage: libtorrent-swarm.py TORRENT TIMEOUT_SECONDS SEED_DIR [LEECH_DIR ...]

One session seeds from SEED_DIR (which holds the complete file); once the tracker has answered it,
one session per LEECH_DIR downloads into it. DHT, local service discovery, UPnP and NAT-PMP are off
and no default plugins are loaded (so no peer exchange); the torrent has no web seed. Exits 0 once
every leecher has the whole file and has told the tracker it completed, after closing every
session (which announces `stopped`). Prints one JSON summary line.

With no LEECH_DIR it only seeds: it prints "seeding" once the tracker has answered and keeps
seeding until its standard input is closed (so another client can download from it).
"""
import json
import sys
import threading
import time

import libtorrent as lt

SOURCES = {
    'tracker': lt.peer_info.tracker,
    'dht': lt.peer_info.dht,
    'pex': lt.peer_info.pex,
    'lsd': lt.peer_info.lsd,
    'resume_data': lt.peer_info.resume_data,
    # peer_source_flags_t::incoming (0x20): the peer connected to us; the bindings do not name it.
    'incoming': 0x20,
}


def new_session():
    # flags=0: no default plugins, so no ut_pex (peer exchange) and no ut_metadata.
    return lt.session({
        'listen_interfaces': '127.0.0.1:0',
        'enable_dht': False,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        # Every session is on 127.0.0.1.
        'allow_multiple_connections_per_ip': True,
        # The tracker is on 127.0.0.1, which SSRF mitigation treats with suspicion.
        'ssrf_mitigation': False,
        # Follow the tracker's (short, test-sized) interval instead of libtorrent's 5-minute floor.
        'min_announce_interval': 1,
        # Time to deliver `stopped` when the session closes: generous, for a loaded machine (the
        # test's counts assume the tracker heard every stop).
        'stop_tracker_timeout': 20,
        'alert_mask': lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.tracker_notification,
    }, 0)


class Member:
    def __init__(self, name, torrent, save_dir):
        self.name = name
        self.session = new_session()
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = save_dir
        self.handle = self.session.add_torrent(params)
        self.replies = 0
        self.replies_after_finish = 0
        # The most peers one tracker answer carried: proof the tracker introduced this session.
        self.most_peers_from_tracker = 0
        self.finished_at = None
        self.sources = set()
        self.errors = []

    def poll(self):
        for alert in self.session.pop_alerts():
            if isinstance(alert, lt.tracker_reply_alert):
                self.replies += 1
                self.most_peers_from_tracker = max(self.most_peers_from_tracker, alert.num_peers)
                if self.finished_at is not None:
                    self.replies_after_finish += 1
            elif isinstance(alert, lt.torrent_finished_alert) and self.finished_at is None:
                self.finished_at = time.time()
            elif alert.category() & lt.alert.category_t.error_notification:
                self.errors.append(alert.message())
        # Sampled, so a short-lived connection may be missed: this is for spotting other sources.
        for peer in self.handle.get_peer_info():
            self.sources.update(name for name, flag in SOURCES.items() if peer.source & flag)

    def summary(self, started):
        status = self.handle.status()
        return {
            'name': self.name,
            'seeding': status.is_seeding,
            'tracker_replies': self.replies,
            'most_peers_from_tracker': self.most_peers_from_tracker,
            'replies_after_finish': self.replies_after_finish,
            'peer_sources': sorted(self.sources),
            'seconds': None if self.finished_at is None else round(self.finished_at - started, 2),
            'errors': self.errors[-5:],
        }


def wait_until(members, condition, deadline):
    while time.time() < deadline:
        for member in members:
            member.poll()
        if condition():
            return True
        time.sleep(0.05)
    return False


def pause_between_announces(members, limit_seconds=10):
    """Pauses each session just after a tracker reply, never with an announce in flight.

    libtorrent 2.0.8 paused while a regular announce is outstanding can close without ever sending
    `stopped` (seen in this test's tracker log: the seeder's last request was that announce), and
    the tracker then keeps the peer until it expires. Right after a reply, the next announce is an
    interval away.
    """
    before = {id(m): m.replies for m in members}
    pending = list(members)
    limit = time.time() + limit_seconds
    while pending and time.time() < limit:
        for member in list(pending):
            member.poll()
            if member.replies > before[id(member)]:
                member.session.pause()
                pending.remove(member)
        time.sleep(0.02)
    for member in pending:
        member.session.pause()


def main():
    torrent, timeout, seed_dir, leech_dirs = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
    started = time.time()
    deadline = started + timeout
    seeder = Member('seeder', torrent, seed_dir)
    members = [seeder]
    ok = wait_until(members, lambda: seeder.handle.status().is_seeding and seeder.replies > 0, deadline)
    if ok and not leech_dirs:
        print('seeding', flush=True)
        stdin_closed = threading.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), stdin_closed.set()), daemon=True).start()
        wait_until(members, stdin_closed.is_set, deadline)
    elif ok:
        members += [Member(f'leecher{i + 1}', torrent, d) for i, d in enumerate(leech_dirs)]
        leechers = members[1:]
        ok = wait_until(members, lambda: all(m.handle.status().is_seeding and m.replies_after_finish > 0 for m in leechers), deadline)
    summary = {'ok': ok, 'members': [m.summary(started) for m in members]}
    pause_between_announces(members)
    # Deleting a session sends `stopped` to the tracker (waiting up to stop_tracker_timeout).
    for member in members:
        del member.session
    print(json.dumps(summary), flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
