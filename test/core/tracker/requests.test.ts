import fc from 'fast-check';
import {
  DEFAULT_NUMWANT,
  MAX_NUMWANT,
  MAX_SCRAPE_HASHES,
  parseAnnounceRequest,
  parseScrapeRequest,
} from '../../../lambdas/core/tracker/requests';
import { percentEncodeBytes } from '../../../lambdas/core/tracker/query-string';
import { TrackerError } from '../../../lambdas/core/tracker/tracker-error';

const FROM_V4 = { sourceIp: '203.0.113.9', trustIpHints: false };
const HASH = Buffer.from('0123456789abcdef0123456789abcdef01234567', 'hex');
const ID = Buffer.from('-LT2080-abcdefghijkl');
const base = (extra = '') => `info_hash=${percentEncodeBytes(HASH)}&peer_id=${percentEncodeBytes(ID)}&port=6881&left=100${extra}`;

describe('parseAnnounceRequest', () => {
  it('reads the web-seed ticket a gated torrent announces with (passkey-style), and refuses a mangled one', () => {
    expect(parseAnnounceRequest(`ticket=0123456789abcdef.abcdefgh&${base()}`, FROM_V4).ticket).toEqual({
      gateKey: '0123456789abcdef',
      id: 'abcdefgh',
    });
    expect(parseAnnounceRequest(base(), FROM_V4).ticket).toBeUndefined();
    for (const bad of ['0123456789abcdef', '0123456789abcdef.abcdefgh?x', 'x']) {
      expect(() => parseAnnounceRequest(`ticket=${encodeURIComponent(bad)}&${base()}`, FROM_V4)).toThrow('ticket is malformed');
    }
  });

  it("reads libtorrent's announce", () => {
    const query =
      `info_hash=${percentEncodeBytes(HASH)}&peer_id=-LT2080-%2A%1B%FF%00abcdefgh&port=51413&uploaded=12&downloaded=34&left=5678` +
      '&corrupt=0&key=1A2B3C4D&event=started&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0';
    const r = parseAnnounceRequest(query, FROM_V4);
    expect(Buffer.from(r.infoHash)).toEqual(HASH);
    expect(Buffer.from(r.peerId)).toEqual(
      Buffer.concat([Buffer.from('-LT2080-'), Buffer.from([0x2a, 0x1b, 0xff, 0x00]), Buffer.from('abcdefgh')]),
    );
    expect(r).toMatchObject({
      port: 51413,
      uploaded: 12,
      downloaded: 34,
      left: 5678,
      event: 'started',
      numwant: 200,
      compact: true,
      noPeerId: true,
    });
    expect(r.key).toBe(Buffer.from('1A2B3C4D').toString('hex'));
    expect(r.addresses).toEqual({ ipv4: '203.0.113.9' });
  });

  it("reads aria2's and Transmission's announces", () => {
    const aria2 = `${base()}&uploaded=0&downloaded=0&compact=1&key=a1b2c3d4&event=started&numwant=50&no_peer_id=1&supportcrypto=1`;
    expect(parseAnnounceRequest(aria2, FROM_V4)).toMatchObject({ event: 'started', numwant: 50 });
    const transmission = `${base()}&uploaded=0&downloaded=0&numwant=80&key=6e0b7ca0&compact=1&supportcrypto=1&event=completed`;
    expect(parseAnnounceRequest(transmission, FROM_V4)).toMatchObject({ event: 'completed', numwant: 80 });
  });

  it('round-trips arbitrary 20-byte info_hash and peer_id values', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.uint8Array({ minLength: 20, maxLength: 20 }), (infoHash, peerId) => {
        const r = parseAnnounceRequest(
          `info_hash=${percentEncodeBytes(infoHash)}&peer_id=${percentEncodeBytes(peerId)}&port=1&left=0`,
          FROM_V4,
        );
        expect(Buffer.from(r.infoHash)).toEqual(Buffer.from(infoHash));
        expect(Buffer.from(r.peerId)).toEqual(Buffer.from(peerId));
      }),
      { numRuns: 1000 },
    );
  });

  it('defaults: compact, no event, 50 peers, nothing uploaded or downloaded', () => {
    expect(parseAnnounceRequest(base(), FROM_V4)).toMatchObject({
      compact: true,
      noPeerId: false,
      event: 'update',
      numwant: DEFAULT_NUMWANT,
      uploaded: 0,
      downloaded: 0,
    });
    expect(parseAnnounceRequest(base('&event='), FROM_V4).event).toBe('update');
    expect(parseAnnounceRequest(base('&event=empty'), FROM_V4).event).toBe('update');
    expect(parseAnnounceRequest(base('&compact=0'), FROM_V4).compact).toBe(false);
  });

  it.each([
    ['0', 0],
    ['7', 7],
    [String(MAX_NUMWANT), MAX_NUMWANT],
    ['1000', MAX_NUMWANT],
    ['9999999999', MAX_NUMWANT],
    ['-1', DEFAULT_NUMWANT],
    ['', DEFAULT_NUMWANT],
  ])('clamps numwant=%s to %d', (value, expected) => {
    expect(parseAnnounceRequest(base(`&numwant=${value}`), FROM_V4).numwant).toBe(expected);
  });

  it('takes the address from the connection, IPv6 included, and ignores hints unless trusted', () => {
    const hinted = base('&ip=198.51.100.1&ipv6=2001:db8::5');
    expect(parseAnnounceRequest(hinted, FROM_V4).addresses).toEqual({ ipv4: '203.0.113.9' });
    expect(parseAnnounceRequest(base(), { sourceIp: '2001:DB8::7', trustIpHints: false }).addresses).toEqual({ ipv6: '2001:db8::7' });
    expect(parseAnnounceRequest(base(), { sourceIp: '::ffff:192.0.2.1', trustIpHints: false }).addresses).toEqual({ ipv4: '192.0.2.1' });
    // Untrusted hints are not even validated: clients that send a host name keep working.
    expect(parseAnnounceRequest(base('&ip=my.host.example'), FROM_V4).addresses).toEqual({ ipv4: '203.0.113.9' });
  });

  it('honours ip, ipv4 and ipv6 hints when trusted', () => {
    const trusted = { ...FROM_V4, trustIpHints: true };
    expect(parseAnnounceRequest(base('&ip=198.51.100.1'), trusted).addresses).toEqual({ ipv4: '198.51.100.1' });
    expect(parseAnnounceRequest(base('&ipv6=2001:db8::5'), trusted).addresses).toEqual({ ipv4: '203.0.113.9', ipv6: '2001:db8::5' });
    expect(parseAnnounceRequest(base('&ipv6=%5B2001:db8::5%5D:6881'), trusted).addresses).toEqual({
      ipv4: '203.0.113.9',
      ipv6: '2001:db8::5',
    });
    expect(parseAnnounceRequest(base('&ip=2001:db8::6'), trusted).addresses).toEqual({ ipv4: '203.0.113.9', ipv6: '2001:db8::6' });
    expect(parseAnnounceRequest(base('&ipv4=198.51.100.2:6881'), trusted).addresses).toEqual({ ipv4: '198.51.100.2' });
  });

  // Every one of these must become a failure reason, never a crash or a default.
  const malformed: [string, string][] = [
    ['an empty query', ''],
    ['no info_hash', `peer_id=${percentEncodeBytes(ID)}&port=6881&left=0`],
    ['no peer_id', `info_hash=${percentEncodeBytes(HASH)}&port=6881&left=0`],
    ['no port', `info_hash=${percentEncodeBytes(HASH)}&peer_id=${percentEncodeBytes(ID)}&left=0`],
    ['no left', `info_hash=${percentEncodeBytes(HASH)}&peer_id=${percentEncodeBytes(ID)}&port=6881`],
    ['a 19-byte info_hash', `info_hash=${percentEncodeBytes(HASH.subarray(1))}&peer_id=${percentEncodeBytes(ID)}&port=1&left=0`],
    [
      'a 21-byte info_hash',
      `info_hash=${percentEncodeBytes(Buffer.concat([HASH, Buffer.of(1)]))}&peer_id=${percentEncodeBytes(ID)}&port=1&left=0`,
    ],
    ['a hex info_hash', `info_hash=${HASH.toString('hex')}&peer_id=${percentEncodeBytes(ID)}&port=1&left=0`],
    ['an empty info_hash', `info_hash=&peer_id=${percentEncodeBytes(ID)}&port=1&left=0`],
    ['two info_hash values', `${base()}&info_hash=${percentEncodeBytes(HASH)}`],
    ['a short peer_id', `info_hash=${percentEncodeBytes(HASH)}&peer_id=short&port=1&left=0`],
    ['port 0', base().replace('port=6881', 'port=0')],
    ['port 65536', base().replace('port=6881', 'port=65536')],
    ['a negative port', base().replace('port=6881', 'port=-1')],
    ['a port with letters', base().replace('port=6881', 'port=68a1')],
    ['an empty port', base().replace('port=6881', 'port=')],
    ['a fractional left', base().replace('left=100', 'left=1.5')],
    ['a negative left', base().replace('left=100', 'left=-5')],
    ['a huge left', base().replace('left=100', `left=${'9'.repeat(25)}`)],
    ['uploaded in hex', base('&uploaded=0x10')],
    ['an unknown event', base('&event=finished')],
    ['numwant in words', base('&numwant=lots')],
    ['a broken escape', base('&peer_id=%zz')],
    ['a truncated escape in info_hash', `info_hash=${percentEncodeBytes(HASH)}%A&peer_id=${percentEncodeBytes(ID)}&port=1&left=0`],
    ['an overlong key', base(`&key=${'k'.repeat(65)}`)],
  ];
  it.each(malformed)('refuses %s with a failure reason', (_, query) => {
    expect(() => parseAnnounceRequest(query, FROM_V4)).toThrow(TrackerError);
  });

  it('refuses trusted hints that are not addresses of the right family', () => {
    const trusted = { ...FROM_V4, trustIpHints: true };
    for (const hint of ['ip=my.host.example', 'ipv4=2001:db8::1', 'ipv6=1.2.3.4', 'ipv6=nonsense']) {
      expect(() => parseAnnounceRequest(base(`&${hint}`), trusted)).toThrow(TrackerError);
    }
  });

  it('refuses an announce from an address it cannot read', () => {
    expect(() => parseAnnounceRequest(base(), { sourceIp: 'unknown', trustIpHints: false })).toThrow(TrackerError);
  });

  it('never throws anything but TrackerError, whatever the query', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 40 }), (noise, ip) => {
        for (const query of [noise, base(noise), `${noise}&${base()}`]) {
          try {
            parseAnnounceRequest(query, { sourceIp: ip, trustIpHints: true });
          } catch (err) {
            expect(err).toBeInstanceOf(TrackerError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseScrapeRequest', () => {
  it('reads one or many info_hash values, dropping repeats', () => {
    const a = Buffer.alloc(20, 1);
    const b = Buffer.alloc(20, 0xfe);
    const hashes = parseScrapeRequest(
      `info_hash=${percentEncodeBytes(a)}&info_hash=${percentEncodeBytes(b)}&info_hash=${percentEncodeBytes(a)}`,
    );
    expect(hashes.map((h) => Buffer.from(h).toString('hex'))).toEqual([a.toString('hex'), b.toString('hex')]);
  });

  it('round-trips arbitrary hashes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 20, maxLength: 20 }), {
          minLength: 1,
          maxLength: 10,
          selector: (h) => Buffer.from(h).toString('hex'),
        }),
        (hashes) => {
          const parsed = parseScrapeRequest(hashes.map((h) => `info_hash=${percentEncodeBytes(h)}`).join('&'));
          expect(parsed.map((h) => Buffer.from(h).toString('hex'))).toEqual(hashes.map((h) => Buffer.from(h).toString('hex')));
        },
      ),
    );
  });

  it.each([
    ['no info_hash (a full scrape: this is not an open tracker)', ''],
    ['a short hash', 'info_hash=abc'],
    ['one good and one bad hash', `info_hash=${percentEncodeBytes(HASH)}&info_hash=${percentEncodeBytes(HASH.subarray(2))}`],
    [
      'too many hashes',
      Array.from({ length: MAX_SCRAPE_HASHES + 1 }, (_, i) => `info_hash=${percentEncodeBytes(Buffer.alloc(20, i))}`).join('&'),
    ],
    ['a broken escape', 'info_hash=%G1'],
  ])('refuses %s', (_, query) => {
    expect(() => parseScrapeRequest(query)).toThrow(TrackerError);
  });
});
