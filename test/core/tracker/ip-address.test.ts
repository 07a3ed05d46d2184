import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { parseIpAddress } from '../../../lambdas/core/tracker/ip-address';

describe('parseIpAddress', () => {
  it.each([
    ['1.2.3.4', 4, '1.2.3.4'],
    ['0.0.0.0', 4, '0.0.0.0'],
    ['255.255.255.255', 4, '255.255.255.255'],
    ['::1', 6, '::1'],
    ['2001:DB8:0:0:0:0:0:1', 6, '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', 6, '2001:db8::1:0:0:1'],
    ['[fe80::1]', 6, 'fe80::1'],
    ['::', 6, '::'],
    ['64:ff9b::192.0.2.33', 6, '64:ff9b::c000:221'],
    // Dual-stack sockets report IPv4 peers as mapped IPv6: they are IPv4 peers.
    ['::ffff:10.0.0.7', 4, '10.0.0.7'],
    ['::FFFF:a00:7', 4, '10.0.0.7'],
  ])('reads %s as IPv%d %s', (text, family, canonical) => {
    expect(parseIpAddress(text)).toMatchObject({ family, text: canonical });
  });

  it.each([
    '',
    'localhost',
    'example.com',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.4 ',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    'fe80::1%eth0',
    'g::1',
    '::1.2.3',
  ])('refuses %j', (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });

  it('round-trips any IPv4 address through its text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        const address = parseIpAddress([...bytes].join('.'));
        expect(address?.family).toBe(4);
        expect([...address!.bytes]).toEqual([...bytes]);
      }),
    );
  });

  it('writes any IPv6 address as the WHATWG URL serializer does (RFC 5952), and reads it back', () => {
    const mapped = (b: Uint8Array) => b.subarray(0, 12).every((x, i) => x === (i < 10 ? 0 : 0xff));
    const sparse = fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8), { minLength: 8, maxLength: 8 }).map((groups) => {
      const b = new Uint8Array(16);
      groups.forEach((g, i) => b.set([g >> 8, g & 0xff], 2 * i));
      return b;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), sparse), (bytes) => {
        fc.pre(!mapped(bytes));
        const groups = Array.from({ length: 8 }, (_, i) => (((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)).toString(16));
        const address = parseIpAddress(groups.join(':'))!;
        expect(address.family).toBe(6);
        expect(isIPv6(address.text)).toBe(true);
        expect(`[${address.text}]`).toBe(new URL(`http://[${groups.join(':')}]/`).hostname);
        expect([...parseIpAddress(address.text)!.bytes]).toEqual([...bytes]);
      }),
      { numRuns: 1000 },
    );
  });
});
