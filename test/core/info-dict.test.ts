import { bdecode } from '../../lambdas/core/bencode';
import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import { hashPieces } from '../../lambdas/core/piece-hasher';
import { encodeTorrentFile } from '../../lambdas/core/torrent-file';

// 100,000 bytes of i % 251, named fixture.bin, 32 KiB pieces: `mktorrent -l 15` gives this infohash.
const fixture = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
const MKTORRENT_INFOHASH = '514806876237ff0dc3c497e722d67d5d26b3ce56';

describe('encodeInfoV1', () => {
  const info = encodeInfoV1({ name: 'fixture.bin', length: fixture.length, pieceLength: 32768, pieces: hashPieces(fixture, 32768) });

  it('matches the infohash mktorrent gives the same file, name and piece length', () => {
    expect(Buffer.from(infoHashV1(info)).toString('hex')).toBe(MKTORRENT_INFOHASH);
  });

  it('writes exactly length, name, piece length and pieces', () => {
    expect(Object.keys(bdecode(info) as object).sort()).toEqual(['length', 'name', 'piece length', 'pieces']);
  });

  it('adds private and source only when asked', () => {
    const withOptions = encodeInfoV1({
      name: 'f',
      length: 1,
      pieceLength: 32768,
      pieces: hashPieces(Uint8Array.of(1), 32768),
      private: true,
      source: 'TAG',
    });
    const decoded = bdecode(withOptions) as Record<string, unknown>;
    expect(decoded.private).toBe(1);
    expect(Buffer.from(decoded.source as Uint8Array).toString()).toBe('TAG');
  });

  it('rejects a pieces field of the wrong size, a bad piece length and an empty object', () => {
    expect(() => encodeInfoV1({ name: 'f', length: 100_000, pieceLength: 32768, pieces: new Uint8Array(20) })).toThrow(/pieces/);
    expect(() => encodeInfoV1({ name: 'f', length: 1, pieceLength: 1000, pieces: new Uint8Array(20) })).toThrow(/piece length/);
    expect(() => encodeInfoV1({ name: 'f', length: 0, pieceLength: 32768, pieces: new Uint8Array(0) })).toThrow(/length/);
  });
});

describe('encodeTorrentFile', () => {
  const info = encodeInfoV1({ name: 'fixture.bin', length: fixture.length, pieceLength: 32768, pieces: hashPieces(fixture, 32768) });

  it('keeps the info dict bytes, so the infohash survives assembly', () => {
    const file = encodeTorrentFile({
      info,
      announce: 'http://t/announce',
      urlList: ['http://s/x'],
      creationDate: new Date(1_700_000_000_000),
      createdBy: 'test',
    });
    const text = Buffer.from(file).toString('latin1');
    expect(text).toContain(Buffer.from(info).toString('latin1'));
    const decoded = bdecode(file) as Record<string, unknown>;
    expect(Buffer.from(decoded.announce as Uint8Array).toString()).toBe('http://t/announce');
    expect((decoded['url-list'] as Uint8Array[]).map((u) => Buffer.from(u).toString())).toEqual(['http://s/x']);
    expect(decoded['creation date']).toBe(1_700_000_000);
    expect(decoded['announce-list']).toBeUndefined();
  });

  it('writes announce-list only for several trackers', () => {
    const file = encodeTorrentFile({ info, announceList: [['http://a'], ['http://b']] });
    const decoded = bdecode(file) as Record<string, unknown>;
    expect(Buffer.from(decoded.announce as Uint8Array).toString()).toBe('http://a');
    expect(decoded['announce-list']).toHaveLength(2);
  });
});
