"""libtorrent (2.0.8, Debian's python3-libtorrent) as the BEP 52 oracle.

usage: libtorrent-oracle.py JOBS_JSON ANSWER_FILE

JOBS_JSON is a list of jobs; the answer, written to ANSWER_FILE, is a JSON list with one result per job:
- {"create": FILE or DIRECTORY, "format": "v1"|"v2"|"hybrid", "pieceLength": N, "out": PATH (optional),
   "canonical": true (optional)}
  libtorrent's create_torrent for that file or directory: its infohashes and its piece layers (hex);
  the torrent itself is written to PATH when one is given. `canonical` adds the canonical_files flag,
  which gives a v1-only torrent the file order and pad files of a v2 or hybrid one.
- {"load": TORRENT}
  loads a .torrent someone else made: the infohashes libtorrent computes, its name and size,
  or {"error": message} when libtorrent refuses it.
"""
import json
import os
import sys

import libtorrent as lt

FLAGS = {'v1': lt.create_torrent.v1_only, 'v2': lt.create_torrent.v2_only, 'hybrid': 0}


def hashes(ti):
    ih = ti.info_hashes()
    return {
        'v1': str(ih.v1) if ih.has_v1() else None,
        'v2': str(ih.v2) if ih.has_v2() else None,
    }


def create(job):
    path = os.path.abspath(job['create'])
    fs = lt.file_storage()
    lt.add_files(fs, path)
    flags = FLAGS[job['format']] | (lt.create_torrent.canonical_files if job.get('canonical') else 0)
    ct = lt.create_torrent(fs, job['pieceLength'], flags=flags)
    lt.set_piece_hashes(ct, os.path.dirname(path))
    entry = ct.generate()
    encoded = lt.bencode(entry)
    if 'out' in job:
        with open(job['out'], 'wb') as out:
            out.write(encoded)
    ti = lt.torrent_info(encoded)
    layers = entry.get(b'piece layers', {})
    return {
        **hashes(ti),
        'infoKeys': sorted(k.decode() for k in entry[b'info'].keys()),
        'pieceLayers': {root.hex(): layer.hex() for root, layer in layers.items()},
    }


def load(job):
    try:
        ti = lt.torrent_info(job['load'])
    except RuntimeError as err:
        return {'error': str(err)}
    return {**hashes(ti), 'name': ti.name(), 'size': ti.total_size(), 'pieces': ti.num_pieces()}


def main():
    jobs = json.loads(sys.argv[1])
    with open(sys.argv[2], 'w') as out:
        json.dump([create(j) if 'create' in j else load(j) for j in jobs], out)


if __name__ == '__main__':
    main()
