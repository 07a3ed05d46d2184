/**
 * The file name a torrent suggests for an object: the last non-empty segment of its key, as
 * `mktorrent` would name a file with that basename, made safe to save on any client's system.
 * Returns undefined when the key has none (a key made only of separators, or ending in `.`/`..`).
 *
 * Clients save a single-file torrent under its `name`, and a Windows client reads that name as a
 * Windows path: `\` separates directories (so `a/..\..\evil.bin` would climb out of the download
 * folder), `C:x` is relative to a drive, `<>:"|?*` and control characters are not allowed, trailing
 * dots and spaces are dropped, and CON, PRN, AUX, NUL, COM1-9 and LPT1-9 (with any extension) name
 * devices. So `\` separates segments here as `/` does, forbidden characters become `_`, trailing dots
 * and spaces go, and a device name gets a leading `_`. Ordinary names are kept exactly, so the
 * infohash still equals mktorrent's for the same file.
 */
export function torrentNameForKey(key: string): string | undefined {
  const segments = key.split(/[/\\]/).filter((s) => s.length > 0);
  const last = segments[segments.length - 1];
  if (last === undefined) return undefined;
  const name = last.replace(/[<>:"|?*\u0000-\u001f\u007f]/g, '_').replace(/[. ]+$/, '');
  if (name.length === 0) return undefined;
  return WINDOWS_DEVICE.test(name) ? `_${name}` : name;
}

/** Reserved device names, whatever the case and extension (Microsoft's "Naming Files, Paths, and Namespaces"). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i;

/**
 * A Content-Disposition value for downloading `<name>.torrent`: an ASCII `filename` for every
 * client and an RFC 5987 `filename*` when the name is not plain ASCII.
 */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\/]/g, '_');
  const header = `attachment; filename="${ascii}"`;
  if (ascii === fileName) return header;
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${header}; filename*=UTF-8''${encoded}`;
}
