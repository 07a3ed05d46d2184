/**
 * The file name a torrent suggests for an object: the last non-empty segment of its key, as
 * `mktorrent` would name a file with that basename. Returns undefined when the key has none
 * (a key made only of slashes).
 */
export function torrentNameForKey(key: string): string | undefined {
  const segments = key.split('/').filter((s) => s.length > 0);
  const last = segments[segments.length - 1];
  return last === undefined || last === '.' || last === '..' ? undefined : last;
}

/**
 * A Content-Disposition value for downloading `<name>.torrent`: an ASCII `filename` for every
 * client and an RFC 5987 `filename*` when the name is not plain ASCII.
 */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const header = `attachment; filename="${ascii}"`;
  if (ascii === fileName) return header;
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${header}; filename*=UTF-8''${encoded}`;
}
