import fc from 'fast-check';
import { parseQueryString, percentDecode, percentEncodeBytes } from '../../../lambdas/core/tracker/query-string';
import { TrackerError } from '../../../lambdas/core/tracker/tracker-error';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Encodes bytes the many ways clients do: any byte may be escaped, in either hex case; unreserved bytes may stay literal; a space may be `+`. */
const looselyEncoded = fc.uint8Array({ maxLength: 64 }).chain((bytes) =>
  fc
    .tuple(fc.constant(bytes), fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: bytes.length, maxLength: bytes.length }))
    .map(([b, choices]) => ({
      bytes: b,
      text: [...b]
        .map((byte, i) => {
          const [escape, upper] = choices[i] as [boolean, boolean];
          const char = String.fromCharCode(byte);
          if (!escape && UNRESERVED.test(char)) return char;
          if (!escape && byte === 0x20) return '+';
          const hex = byte.toString(16).padStart(2, '0');
          return `%${upper ? hex.toUpperCase() : hex}`;
        })
        .join(''),
    })),
);

describe('percent-decoding query values to bytes', () => {
  it('round-trips arbitrary bytes through the encoding clients use', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(Buffer.from(percentDecode(percentEncodeBytes(bytes)))).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes every mix of escaped and literal bytes, in either hex case, to the same bytes', () => {
    fc.assert(
      fc.property(looselyEncoded, ({ bytes, text }) => {
        expect(Buffer.from(percentDecode(text))).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('never goes through UTF-8: bytes that are not valid UTF-8 survive', () => {
    expect([...percentDecode('%FF%FE%C3%28%80')]).toEqual([0xff, 0xfe, 0xc3, 0x28, 0x80]);
  });

  it('reads + as a space and %2B as a plus', () => {
    expect(Buffer.from(percentDecode('a+b%2Bc')).toString()).toBe('a b+c');
  });

  it.each(['%', '%4', '%G0', 'abc%zz', '%%41'])('refuses the malformed escape %j', (text) => {
    expect(() => percentDecode(text)).toThrow(TrackerError);
  });
});

describe('parseQueryString', () => {
  it('keeps every value of a repeated name, in order, and tolerates empty parts', () => {
    const params = parseQueryString('info_hash=%01&&info_hash=%02&flag&empty=');
    expect(params.get('info_hash')?.map((v) => [...v])).toEqual([[1], [2]]);
    expect(params.get('flag')?.map((v) => v.length)).toEqual([0]);
    expect(params.get('empty')?.map((v) => v.length)).toEqual([0]);
    expect(params.has('missing')).toBe(false);
  });

  it('splits on the first = only', () => {
    expect(Buffer.from(parseQueryString('a=b=c').get('a')![0]!).toString()).toBe('b=c');
  });
});
