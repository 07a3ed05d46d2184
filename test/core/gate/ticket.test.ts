import fc from 'fast-check';
import { formatTicket, gateKeyOf, newTicket, parseTicket, ticketMatches } from '../../../lambdas/core/gate/ticket';

const INFOHASH = '0123456789abcdef0123456789abcdef01234567';

describe('web-seed tickets', () => {
  it('are the gate key (16 hex digits of the infohash) and 8 base32 characters', () => {
    const ticket = newTicket(INFOHASH, Buffer.from([0, 0, 0, 0, 0]));
    expect(formatTicket(ticket)).toBe('0123456789abcdef.aaaaaaaa');
    expect(formatTicket(newTicket(INFOHASH, Buffer.from([255, 255, 255, 255, 255])))).toBe('0123456789abcdef.77777777');
    expect(ticketMatches(ticket, INFOHASH)).toBe(true);
    expect(ticketMatches(ticket, 'f'.repeat(40))).toBe(false);
  });

  it('round-trip through their text form for any random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), (random) => {
        const ticket = newTicket(INFOHASH, random);
        expect(parseTicket(formatTicket(ticket))).toEqual(ticket);
      }),
    );
  });

  it('refuse what is not a ticket', () => {
    for (const text of [
      '',
      '0123456789abcdef',
      '0123456789abcdef.aaaaaaa',
      '0123456789ABCDEF.aaaaaaaa',
      '0123456789abcdef.aaaaaaa1',
      'x'.repeat(25),
    ]) {
      expect(parseTicket(text)).toBeUndefined();
    }
    expect(() => gateKeyOf('nothex')).toThrow(RangeError);
    expect(() => newTicket(INFOHASH, Buffer.alloc(4))).toThrow(RangeError);
  });
});
