import fc from 'fast-check';
import { bdecode, bdecodeExact, bencode, type BencodeValue } from '../../lambdas/core/bencode';
import { InvalidTorrentError, parseTorrentFile } from '../../lambdas/core/metainfo';

// Hostile input for the decoders: random bytes, and valid encodings with bytes flipped, cut or
// inserted. Each must answer (a value) or refuse (a SyntaxError with a position), never loop, crash
// the process or throw anything else.
const validEncoding = fc
  .letrec<{ value: BencodeValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(
        fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'),
        tie('value'),
        { maxKeys: 4 },
      ),
    ),
  }))
  .value.map((v) => Buffer.from(bencode(v)));

const mutated = fc
  .tuple(
    validEncoding,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert')), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([bytes, edits]) => {
    let out = Buffer.from(bytes);
    for (const [at, byte, kind] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (kind === 'flip' && out.length > 0) out[i] = byte;
      else if (kind === 'cut') out = out.subarray(0, i);
      else out = Buffer.concat([out.subarray(0, i), Buffer.of(byte), out.subarray(i)]);
    }
    return out;
  });

const hostile = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  mutated,
);

describe('decoding hostile bencode', () => {
  it('bdecodeExact answers or throws a SyntaxError', () => {
    fc.assert(
      fc.property(hostile, (bytes) => {
        try {
          bdecodeExact(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(SyntaxError);
          expect((err as Error).message).toMatch(/bencode/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('bdecode (the library) answers or throws an Error', () => {
    fc.assert(
      fc.property(hostile, (bytes) => {
        try {
          bdecode(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reading a torrent file answers or throws InvalidTorrentError', () => {
    fc.assert(
      fc.property(hostile, (bytes) => {
        try {
          parseTorrentFile(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidTorrentError);
          expect((err as Error).message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a well-formed dictionary with hostile torrent fields is refused with InvalidTorrentError, not a crash', () => {
    const anyValue = fc.oneof(
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      fc.uint8Array({ maxLength: 45 }).map((b) => Buffer.from(b)),
      fc.constant([] as BencodeValue[]),
      fc.constant({} as BencodeValue),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    const info = fc.record(
      {
        name: anyValue,
        'piece length': anyValue,
        pieces: anyValue,
        length: anyValue,
        files: fc.oneof(
          anyValue,
          fc.array(fc.record({ length: anyValue, path: fc.oneof(anyValue, fc.array(anyValue, { maxLength: 3 })) }), { maxLength: 3 }),
        ),
        'meta version': anyValue,
        'file tree': fc.oneof(
          anyValue,
          fc.dictionary(fc.string({ maxLength: 5 }), fc.constant({ '': { length: 5 } } as BencodeValue), { maxKeys: 2 }),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(info, fc.option(anyValue), (infoDict, announce) => {
        const bytes = bencode({ info: infoDict as BencodeValue, ...(announce === null ? {} : { announce }) });
        try {
          parseTorrentFile(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidTorrentError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
