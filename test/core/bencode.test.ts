import fc from 'fast-check';
import { bdecode, bencode, RawBencode, type BencodeValue } from '../../lambdas/core/bencode';

// Values bencode can carry: non-negative and negative integers, byte strings, lists, dicts with text keys.
const bvalue = fc.letrec<{ value: BencodeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

describe('bencode', () => {
  it('round-trips any value through decode and back to the same bytes', () => {
    fc.assert(
      fc.property(bvalue, (value) => {
        const encoded = bencode(value);
        const decoded = bdecode(encoded) as BencodeValue;
        expect(Buffer.from(bencode(decoded))).toEqual(Buffer.from(encoded));
      }),
      { numRuns: 500 },
    );
  });

  it('sorts dictionary keys as raw bytes', () => {
    expect(Buffer.from(bencode({ b: 1, a: 2, B: 3 })).toString()).toBe('d1:Bi3e1:ai2e1:bi1ee');
  });

  it('sorts binary Map keys bytewise (not by their string form)', () => {
    const map = new Map<Uint8Array, BencodeValue>([
      [Uint8Array.of(10), 1],
      [Uint8Array.of(9), 2],
    ]);
    // String order would put "10" before "9".
    expect(Buffer.from(bencode({ x: map })).toString('latin1')).toBe('d1:xd1:\x09i2e1:\x0ai1eee');
  });

  it('splices raw bencode unchanged', () => {
    const raw = bencode({ z: 'raw' });
    expect(Buffer.from(bencode({ info: new RawBencode(raw), a: 1 })).toString()).toBe('d1:ai1e4:infod1:z3:rawee');
  });

  it('omits undefined dictionary values', () => {
    expect(Buffer.from(bencode({ a: undefined, b: 1 })).toString()).toBe('d1:bi1ee');
  });
});
