import { buildInfo, TorrentPieceHasher, type TorrentFormat } from '../../lambdas/core/build-info';
import { bencode, type BencodeValue } from '../../lambdas/core/bencode';
import { InvalidTorrentError, parseTorrentFile } from '../../lambdas/core/metainfo';
import { encodeTorrentFile } from '../../lambdas/core/torrent-file';

const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));

function torrent(format: TorrentFormat, extra: Partial<Parameters<typeof encodeTorrentFile>[0]> = {}) {
  const hasher = new TorrentPieceHasher(32768, format);
  hasher.update(data);
  const built = buildInfo({
    format,
    name: 'fixture.bin',
    length: data.length,
    pieceLength: 32768,
    hashes: hasher.digest(),
    private: true,
    source: 'SRC',
  });
  return { built, file: encodeTorrentFile({ info: built.info, pieceLayers: built.pieceLayers, ...extra }) };
}

describe('parseTorrentFile', () => {
  it.each(['v1', 'v2', 'hybrid'] as const)('reads back what we write (%s)', (format) => {
    const { built, file } = torrent(format, {
      announceList: [['http://a/1', 'http://a/2'], ['http://b/1']],
      urlList: ['http://w/1'],
      comment: 'hi',
      createdBy: 'test',
      creationDate: new Date(1_700_000_000_000),
    });
    const meta = parseTorrentFile(file);
    expect(meta).toMatchObject({
      format,
      name: 'fixture.bin',
      pieceLength: 32768,
      totalLength: 100_000,
      pieceCount: 4,
      singleFile: true,
      private: true,
      source: 'SRC',
      trackers: [['http://a/1', 'http://a/2'], ['http://b/1']],
      webSeeds: ['http://w/1'],
      comment: 'hi',
      createdBy: 'test',
      creationDate: new Date(1_700_000_000_000),
    });
    expect(meta.files).toEqual([expect.objectContaining({ path: [], length: 100_000, padding: false })]);
    expect(meta.infoHashV1 && Buffer.from(meta.infoHashV1)).toEqual(built.infoHashV1 && Buffer.from(built.infoHashV1));
    expect(meta.infoHashV2 && Buffer.from(meta.infoHashV2)).toEqual(built.infoHashV2 && Buffer.from(built.infoHashV2));
    expect(meta.pieceLayers.size).toBe(format === 'v1' ? 0 : 1);
  });

  it('reads a single web seed written as a string, and a lone announce', () => {
    const meta = parseTorrentFile(torrent('v1', { announce: 'http://t/a', urlList: 'http://w/1' }).file);
    expect(meta.trackers).toEqual([['http://t/a']]);
    expect(meta.webSeeds).toEqual(['http://w/1']);
  });

  it('reads multi-file v1 torrents with padding files and nested v2 file trees', () => {
    const v1 = bencode({
      info: {
        name: 'dir',
        'piece length': 16384,
        pieces: Buffer.alloc(40),
        files: [
          { length: 10, path: ['a.txt'] },
          { length: 16374, path: ['.pad', '16374'], attr: 'p' },
          { length: 5, path: ['sub', 'b.txt'] },
        ],
      },
    });
    const meta = parseTorrentFile(v1);
    expect(meta).toMatchObject({ format: 'v1', singleFile: false, totalLength: 15, pieceCount: 2 });
    expect(meta.files.map((f) => f.path.join('/'))).toEqual(['a.txt', '.pad/16374', 'sub/b.txt']);

    const root = Buffer.alloc(32, 1);
    const v2 = bencode({
      info: {
        name: 'dir',
        'meta version': 2,
        'piece length': 16384,
        'file tree': new Map<string, BencodeValue>([
          ['sub', new Map([['ünï.txt', { '': { length: 20_000, 'pieces root': root } }]])],
          ['empty', { '': { length: 0 } }],
        ]),
      },
    });
    const meta2 = parseTorrentFile(v2);
    expect(meta2).toMatchObject({ format: 'v2', singleFile: false, totalLength: 20_000, pieceCount: 2 });
    expect(meta2.files.map((f) => f.path.join('/'))).toEqual(['empty', 'sub/ünï.txt']);
  });

  it.each([
    ['not bencode', Buffer.from('hello')],
    ['no info', bencode({ announce: 'x' })],
    ['no pieces nor file tree', bencode({ info: { name: 'x', 'piece length': 16384, length: 1 } })],
    ['pieces of a wrong size', bencode({ info: { name: 'x', 'piece length': 16384, length: 1, pieces: Buffer.alloc(7) } })],
  ])('rejects %s', (_label, file) => {
    expect(() => parseTorrentFile(file)).toThrow(InvalidTorrentError);
  });
});
