// bencode 2 (the last CommonJS release) ships no type declarations; this covers the part we use.
declare module 'bencode' {
  interface Bencode {
    encode(data: unknown): Buffer;
    decode(data: Uint8Array, encoding?: string): unknown;
    encodingLength(data: unknown): number;
  }
  const bencode: Bencode;
  export default bencode;
}
