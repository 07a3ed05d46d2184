"""Creates a torrent with libtorrent's create_torrent, as a user of libtorrent would: the benchmark's
reference for v2 and hybrid torrents.

usage: libtorrent-create.py FILE v1|v2|hybrid PIECE_LENGTH OUT
"""
import os
import sys

import libtorrent as lt


def main():
    path, fmt, piece_length, out = os.path.abspath(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    flags = {'v1': lt.create_torrent.v1_only, 'v2': lt.create_torrent.v2_only, 'hybrid': 0}[fmt]
    fs = lt.file_storage()
    lt.add_files(fs, path)
    ct = lt.create_torrent(fs, piece_length, flags=flags)
    lt.set_piece_hashes(ct, os.path.dirname(path))
    with open(out, 'wb') as f:
        f.write(lt.bencode(ct.generate()))


if __name__ == '__main__':
    main()
