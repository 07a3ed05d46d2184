import fc from 'fast-check';
import { attachmentDisposition, torrentNameForKey } from '../../lambdas/core/torrent-name';

describe('torrentNameForKey', () => {
  it.each([
    ['file.iso', 'file.iso'],
    ['a/b/c.tar.gz', 'c.tar.gz'],
    ['dir/', 'dir'],
    ['a//b//', 'b'],
    ['ünïcødé/名前.bin', '名前.bin'],
    ['my file (1).bin', 'my file (1).bin'],
  ])('%s -> %s', (key, name) => expect(torrentNameForKey(key)).toBe(name));

  it.each(['/', '//', 'a/..', '.', 'a\\..', '..\\', 'a/...', 'a/. .'])('has no name for %s', (key) =>
    expect(torrentNameForKey(key)).toBeUndefined(),
  );

  // Windows clients take `\` as a separator, a drive letter as a root, and device names as devices.
  it.each([
    ['a/..\\..\\..\\evil.bin', 'evil.bin'],
    ['uploads\\2024\\report.pdf', 'report.pdf'],
    ['C:\\Windows\\System32\\evil.dll', 'evil.dll'],
    ['C:evil.bin', 'C_evil.bin'],
    ['a/b:c<d>e|f?g*h"i.bin', 'b_c_d_e_f_g_h_i.bin'],
    ['\\\\server\\share\\x.bin', 'x.bin'],
    ['trailing dots...', 'trailing dots'],
    ['trailing space ', 'trailing space'],
    ['CON', '_CON'],
    ['dir/nul.txt', '_nul.txt'],
    ['Com1.tar.gz', '_Com1.tar.gz'],
    ['lpt9', '_lpt9'],
    ['CONSOLE.bin', 'CONSOLE.bin'],
    ['com0.bin', 'com0.bin'],
  ])('%s -> %s', (key, name) => expect(torrentNameForKey(key)).toBe(name));

  const windowsSafe = (name: string) =>
    name.length > 0 &&
    !/[\\/<>:"|?*\u0000-\u001f]/.test(name) &&
    !/[. ]$/.test(name) &&
    !/^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i.test(name);

  it('gives every key a name that is one safe path component on Linux and Windows, or none', () => {
    const pieces = fc.constantFrom('/', '\\', '.', '..', ' ', ':', 'C:', 'con', 'NUL.', 'a', 'b.bin', '<', '*', '"', '名', '\u0001');
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 12 }), (parts) => {
        const name = torrentNameForKey(parts.join(''));
        if (name !== undefined) expect(windowsSafe(name)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps ordinary names exactly (so the infohash equals mktorrent for the same file)', () => {
    const ordinary = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9 _().,+-]{0,40}[A-Za-z0-9_)-]$/).filter((n) => windowsSafe(n));
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { maxLength: 3 }), ordinary, (dirs, name) => {
        expect(torrentNameForKey([...dirs, name].join('/'))).toBe(name);
      }),
    );
  });
});

describe('attachmentDisposition', () => {
  it('quotes a plain name', () => {
    expect(attachmentDisposition('file.iso.torrent')).toBe('attachment; filename="file.iso.torrent"');
  });

  it('adds an RFC 5987 name and keeps the ASCII one safe', () => {
    expect(attachmentDisposition('名前 "x".torrent')).toBe(
      `attachment; filename="__ _x_.torrent"; filename*=UTF-8''%E5%90%8D%E5%89%8D%20%22x%22.torrent`,
    );
  });

  it('never carries a path separator or a quote into either form', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const header = attachmentDisposition(name);
        const ascii = /filename="([^"]*)"/.exec(header)?.[1];
        expect(ascii).toBeDefined();
        expect(ascii).not.toMatch(/[\\/]/);
        expect(header.split('filename*=')[1] ?? '').not.toMatch(/[\\/"]/);
      }),
    );
  });
});
