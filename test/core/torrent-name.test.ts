import { attachmentDisposition, torrentNameForKey } from '../../lambdas/core/torrent-name';

describe('torrentNameForKey', () => {
  it.each([
    ['file.iso', 'file.iso'],
    ['a/b/c.tar.gz', 'c.tar.gz'],
    ['dir/', 'dir'],
    ['a//b//', 'b'],
    ['ünïcødé/名前.bin', '名前.bin'],
  ])('%s -> %s', (key, name) => expect(torrentNameForKey(key)).toBe(name));

  it.each(['/', '//', 'a/..', '.'])('has no name for %s', (key) => expect(torrentNameForKey(key)).toBeUndefined());
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
});
