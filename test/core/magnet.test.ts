import { magnetLink } from '../../lambdas/core/magnet';

const v1 = Buffer.from('ef0407ecf99574d0548b4163adce6084879db1a2', 'hex');
const v2 = Buffer.from('65357375549a58ff5bebef8830d88a6e74c11dfdab6d96bb59abfc0a942625b7', 'hex');

describe('magnetLink', () => {
  it('writes what libtorrent`s make_magnet_uri writes for the same hybrid torrent', () => {
    expect(magnetLink({ infoHashV1: v1, infoHashV2: v2, name: 'fixture.bin' })).toBe(
      'magnet:?xt=urn:btih:ef0407ecf99574d0548b4163adce6084879db1a2&xt=urn:btmh:122065357375549a58ff5bebef8830d88a6e74c11dfdab6d96bb59abfc0a942625b7&dn=fixture.bin',
    );
  });

  it('escapes the name, trackers and web seeds, and lists each tracker once', () => {
    const link = magnetLink({
      infoHashV2: v2,
      name: 'a b&c.bin',
      trackers: ['http://t/announce?x=1', 'http://t/announce?x=1', 'udp://u:80'],
      webSeeds: ['https://s3.example/b/k?X-Amz-Signature=abc&y=2'],
    });
    expect(link).toBe(
      'magnet:?xt=urn:btmh:1220' +
        v2.toString('hex') +
        '&dn=a%20b%26c.bin&tr=http%3A%2F%2Ft%2Fannounce%3Fx%3D1&tr=udp%3A%2F%2Fu%3A80' +
        '&ws=https%3A%2F%2Fs3.example%2Fb%2Fk%3FX-Amz-Signature%3Dabc%26y%3D2',
    );
  });

  it('needs an infohash of the right size', () => {
    expect(() => magnetLink({ name: 'x' })).toThrow(/infohash/);
    expect(() => magnetLink({ infoHashV1: v2 })).toThrow(/20-byte/);
  });
});
