/** An IP address as the tracker stores (text) and hands out (bytes) it. */
export interface IpAddress {
  readonly family: 4 | 6;
  /** 4 or 16 bytes, network order, as compact peer lists carry them. */
  readonly bytes: Uint8Array;
  /** Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run compressed). */
  readonly text: string;
}

/**
 * Parses an IPv4 or IPv6 literal; anything else (host names, zone ids, garbage) is undefined.
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`, what dual-stack sockets report) is the IPv4 address, so a
 * peer lands in `peers`, where IPv4-only clients can use it.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4) return ipv4(v4);
  const v6 = parseIpv6(text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text);
  if (!v6) return undefined;
  const mapped = v6.subarray(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff));
  return mapped ? ipv4(v6.slice(12)) : { family: 6, bytes: v6, text: formatIpv6(v6) };
}

function ipv4(bytes: Uint8Array): IpAddress {
  return { family: 4, bytes, text: bytes.join('.') };
}

// No leading zeros: "010" means 8 to some parsers and 10 to others.
const OCTET = /^(0|[1-9][0-9]{0,2})$/;

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

const GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv6(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): number[] | undefined => {
    if (half === undefined || half.length === 0) return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (!v4) return undefined;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else if (GROUP.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return undefined;
  const compressed = halves.length === 2;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number));
  // RFC 5952: compress the longest run of two or more zero groups (the first, on a tie).
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
