import fc from 'fast-check';
import { encodeAnnounceResponse, encodeFailure, encodeScrapeResponse, type PeerContact } from '../../../lambdas/core/tracker/responses';
import { decodeAnnounce, decodeScrape, decodeTrackerBody } from '../../support/tracker-client';

const peer = (n: number, extra: Partial<PeerContact> = {}): PeerContact => ({
  peerId: Buffer.alloc(20, n),
  port: 6880 + n,
  ipv4: `10.0.0.${n}`,
  ...extra,
});
const answer = (peers: PeerContact[]) => ({ interval: 1800, minInterval: 300, complete: 3, incomplete: 4, peers });

describe('encodeAnnounceResponse', () => {
  it('writes BEP 23 compact peers: 4 address bytes and the port, big-endian', () => {
    const body = encodeAnnounceResponse(answer([peer(1), { peerId: Buffer.alloc(20), ipv4: '192.168.1.254', port: 0xabcd }]), {
      compact: true,
      noPeerId: false,
    });
    expect(Buffer.from(body).toString('latin1')).toBe(
      'd8:completei3e10:incompletei4e8:intervali1800e12:min intervali300e5:peers12:' +
        Buffer.from([10, 0, 0, 1, 0x1a, 0xe1, 192, 168, 1, 254, 0xab, 0xcd]).toString('latin1') +
        'e',
    );
  });

  it('puts IPv6 peers in peers6 (BEP 7), 18 bytes each, and leaves it out when there are none', () => {
    const body = encodeAnnounceResponse(
      answer([peer(1), { peerId: Buffer.alloc(20, 2), ipv6: '2001:db8::1', port: 443 }, peer(3, { ipv6: 'fe80::3' })]),
      {
        compact: true,
        noPeerId: false,
      },
    );
    const raw = decodeTrackerBody(body) as Record<string, Buffer>;
    expect(raw.peers!.length).toBe(12);
    expect(raw.peers6!.length).toBe(36);
    expect(raw.peers6!.subarray(0, 18).toString('hex')).toBe('20010db8000000000000000000000001' + '01bb');
    expect(decodeAnnounce(body).peers).toEqual(['10.0.0.1:6881', '10.0.0.3:6883', '[2001:db8::1]:443', '[fe80::3]:6883']);
    expect('peers6' in (decodeTrackerBody(encodeAnnounceResponse(answer([peer(1)]), { compact: true, noPeerId: false })) as object)).toBe(
      false,
    );
  });

  it('writes the dictionary form with peer ids, or without them for no_peer_id', () => {
    const peers = [peer(1), { peerId: Buffer.alloc(20, 9), ipv6: '::1', port: 80 }];
    const withIds = decodeAnnounce(encodeAnnounceResponse(answer(peers), { compact: false, noPeerId: false }));
    expect(withIds.peers).toEqual(['10.0.0.1:6881', '[::1]:80']);
    expect(withIds.peerIds).toEqual([Buffer.alloc(20, 1), Buffer.alloc(20, 9)]);
    const withoutIds = decodeAnnounce(encodeAnnounceResponse(answer(peers), { compact: false, noPeerId: true }));
    expect(withoutIds.peers).toEqual(['10.0.0.1:6881', '[::1]:80']);
    expect(withoutIds.peerIds).toEqual([]);
  });

  it('always carries the intervals and counts, even with no peers', () => {
    expect(decodeAnnounce(encodeAnnounceResponse(answer([]), { compact: true, noPeerId: false }))).toMatchObject({
      interval: 1800,
      minInterval: 300,
      complete: 3,
      incomplete: 4,
      peers: [],
    });
  });

  it('round-trips arbitrary peers in both forms', () => {
    const anyPeer = fc.record({
      peerId: fc.uint8Array({ minLength: 20, maxLength: 20 }),
      port: fc.integer({ min: 1, max: 65535 }),
      ipv4: fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => [...b].join('.')),
    });
    fc.assert(
      fc.property(fc.array(anyPeer, { maxLength: 30 }), fc.boolean(), (peers, compact) => {
        const decoded = decodeAnnounce(encodeAnnounceResponse(answer(peers), { compact, noPeerId: false }));
        expect(decoded.peers).toEqual(peers.map((p) => `${p.ipv4}:${p.port}`));
        if (!compact)
          expect(decoded.peerIds.map((b) => b.toString('hex'))).toEqual(peers.map((p) => Buffer.from(p.peerId).toString('hex')));
      }),
    );
  });
});

describe('encodeScrapeResponse', () => {
  it('keys files by the raw 20-byte infohash, whatever its bytes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 20, maxLength: 20 }), { maxLength: 8, selector: (h) => Buffer.from(h).toString('hex') }),
        fc.nat(),
        (hashes, n) => {
          const entries = hashes.map((infoHash, i) => ({ infoHash, complete: n + i, incomplete: i, downloaded: 2 * i }));
          const decoded = decodeScrape(encodeScrapeResponse(entries));
          expect(decoded.files).toEqual(
            Object.fromEntries(
              entries.map((e) => [
                Buffer.from(e.infoHash).toString('hex'),
                { complete: e.complete, incomplete: e.incomplete, downloaded: e.downloaded },
              ]),
            ),
          );
        },
      ),
    );
  });
});

describe('encodeFailure', () => {
  it('is a dictionary with only a failure reason', () => {
    expect(Buffer.from(encodeFailure('unregistered torrent')).toString()).toBe('d14:failure reason20:unregistered torrente');
  });
});
