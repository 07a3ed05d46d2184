import { buildInfo, concatPieceHashes, TorrentPieceHasher, trackerInfoHashes, type TorrentFormat } from '../../lambdas/core/build-info';
import { bdecodeExact, type BDict } from '../../lambdas/core/bencode';
import { encodeInfoV2 } from '../../lambdas/core/info-dict-v2';
import { pieceAlignedRanges } from '../../lambdas/core/ranges';

// 100,000 bytes of i % 251 named fixture.bin, 32 KiB pieces. libtorrent 2.0.8's create_torrent
// (flags v1_only / v2_only / none) gives these infohashes and this piece layer for the same file.
const fixture = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
const LIBTORRENT = {
  v1: { v1: '514806876237ff0dc3c497e722d67d5d26b3ce56' },
  v2: { v2: 'df6f58f95877a7250f68d0c38500871c9ceee17c29949fd156b6e805294d57b2' },
  hybrid: { v1: 'ef0407ecf99574d0548b4163adce6084879db1a2', v2: '65357375549a58ff5bebef8830d88a6e74c11dfdab6d96bb59abfc0a942625b7' },
};
const PIECES_ROOT = '505fc9a922f60ae071450b07256a4ba760612bffc38c27584ed03fd96c69841b';
const PIECE_LAYER =
  'd9e13d0b676ad681164ef0b7b5910d1328ea83a047cad57e619d76bbe3a08525e28097eaaa55956702cf8195d1a551dbabb63e3d679b294cf33d506a6b5ef479' +
  'c652249676984ba0be8db1d26efa9e0c67cd14299b02eaab326419a0f91a1aecef72b5ef0b29bacc8de6bc437f8a488da617d064457122b7db2c4092374151f9';

const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : undefined);

function build(format: TorrentFormat, data = fixture) {
  const hasher = new TorrentPieceHasher(32768, format);
  hasher.update(data);
  return buildInfo({ format, name: 'fixture.bin', length: data.length, pieceLength: 32768, hashes: hasher.digest() });
}

describe('buildInfo', () => {
  it.each(['v1', 'v2', 'hybrid'] as const)('%s: infohashes equal libtorrent`s for the same file and piece length', (format) => {
    const built = build(format);
    expect({ v1: hex(built.infoHashV1), v2: hex(built.infoHashV2) }).toEqual({ v1: undefined, v2: undefined, ...LIBTORRENT[format] });
  });

  it('writes piece layers as {pieces root: layer} for v2 and hybrid, none for v1', () => {
    expect(build('v1').pieceLayers).toBeUndefined();
    for (const format of ['v2', 'hybrid'] as const) {
      const layers = bdecodeExact(build(format).pieceLayers!).value as BDict;
      expect([...layers.keys()].map((k) => Buffer.from(k, 'latin1').toString('hex'))).toEqual([PIECES_ROOT]);
      expect(hex([...layers.values()][0] as Uint8Array)).toBe(PIECE_LAYER);
    }
  });

  it('writes the keys libtorrent writes for a single-file v2 and hybrid torrent', () => {
    const keys = (format: TorrentFormat) => [...(bdecodeExact(build(format).info).value as BDict).keys()];
    expect(keys('v2')).toEqual(['file tree', 'meta version', 'name', 'piece length']);
    expect(keys('hybrid')).toEqual(['file tree', 'length', 'meta version', 'name', 'piece length', 'pieces']);
    const tree = (bdecodeExact(build('v2').info).value as BDict).get('file tree') as BDict;
    const file = (tree.get('fixture.bin') as BDict).get('') as BDict;
    expect([...file.keys()]).toEqual(['length', 'pieces root']);
  });

  it('gives the same torrent when piece-aligned ranges are hashed apart and concatenated', () => {
    for (const format of ['v1', 'v2', 'hybrid'] as const) {
      const parts = pieceAlignedRanges(fixture.length, 32768, 40_000).map((r) => {
        const hasher = new TorrentPieceHasher(32768, format);
        hasher.update(fixture.subarray(r.start, r.end));
        return hasher.digest();
      });
      const built = buildInfo({
        format,
        name: 'fixture.bin',
        length: fixture.length,
        pieceLength: 32768,
        hashes: concatPieceHashes(parts),
      });
      expect(Buffer.from(built.info)).toEqual(Buffer.from(build(format).info));
    }
  });

  it('registers the v1 hash and the v2 hash truncated to 20 bytes with the tracker', () => {
    expect(trackerInfoHashes(build('hybrid'))).toEqual([LIBTORRENT.hybrid.v1, LIBTORRENT.hybrid.v2.slice(0, 40)]);
    expect(trackerInfoHashes(build('v2'))).toEqual([LIBTORRENT.v2.v2.slice(0, 40)]);
  });

  it('rejects names a v2 file tree cannot hold', () => {
    const fields = { length: 1, pieceLength: 16384, piecesRoot: new Uint8Array(32) };
    expect(() => encodeInfoV2({ ...fields, name: 'a/b' })).toThrow(/file name/);
    expect(() => encodeInfoV2({ ...fields, name: '..' })).toThrow(/file name/);
    expect(() => encodeInfoV2({ ...fields, name: '__proto__' })).not.toThrow();
  });
});
