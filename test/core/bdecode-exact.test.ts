import fc from 'fast-check';
import { bdecodeExact, bencode, type BDecoded, type BencodeValue } from '../../lambdas/core/bencode';

// Everything bdecodeExact gives back re-encodes to the input: dict keys are latin1 strings of the raw bytes.
function toEncodable(value: BDecoded): BencodeValue {
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [Buffer.from(k, 'latin1'), toEncodable(v)]));
  if (Array.isArray(value)) return value.map(toEncodable);
  return value;
}

const bvalue = fc.letrec<{ value: BencodeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .uniqueArray(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 33 }), tie('value')), {
        selector: ([k]) => Buffer.from(k).toString('hex'),
        maxLength: 5,
      })
      .map((entries) => new Map<Uint8Array, BencodeValue>(entries.map(([k, v]) => [Buffer.from(k), v]))),
  ),
})).value;

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('bdecodeExact', () => {
  it('round-trips any value, binary dict keys included', () => {
    fc.assert(
      fc.property(bvalue, (value) => {
        const encoded = bencode(value);
        expect(Buffer.from(bencode(toEncodable(bdecodeExact(encoded).value)))).toEqual(Buffer.from(encoded));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the exact bytes of each top-level value, even when they are not canonical', () => {
    // Unsorted keys inside info: re-encoding would change them, and with them the infohash.
    const input = 'd8:announce3:url4:infod1:bi1e1:ai2eee';
    const { rawTopLevel } = bdecodeExact(bytes(input));
    expect(Buffer.from(rawTopLevel.get('info')!).toString('latin1')).toBe('d1:bi1e1:ai2ee');
  });

  it.each([
    ['leading zero', 'i01e'],
    ['negative zero', 'i-0e'],
    ['empty integer', 'ie'],
    ['string length with a leading zero', '01:a'],
    ['string past the end', '5:ab'],
    ['unterminated list', 'l1:a'],
    ['unterminated dict', 'd1:ai1e'],
    ['non-string key', 'di1ei2ee'],
    ['duplicate key', 'd1:ai1e1:ai2ee'],
    ['trailing data', 'i1ei2e'],
    ['unsafe integer', 'i9007199254740993e'],
    ['unknown type', 'x'],
    ['empty input', ''],
  ])('rejects %s', (_label, input) => {
    expect(() => bdecodeExact(bytes(input))).toThrow(SyntaxError);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(() => bdecodeExact(bytes('l'.repeat(100_000) + 'e'.repeat(100_000)))).toThrow(/deeply/);
  });
});
