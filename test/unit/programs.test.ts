import { haveAria2, haveMktorrent } from '../support/programs';
import { haveQbittorrent, haveTransmission } from '../support/torrent-clients';

// The oracles (libtorrent, mktorrent) and the real clients run in `npm test`; on CI a missing
// program must fail the run, never skip its tests. Here the programs are hidden by emptying PATH.
describe('a missing program', () => {
  const saved = { PATH: process.env.PATH, CI: process.env.CI };
  afterEach(() => {
    process.env.PATH = saved.PATH;
    process.env.CI = saved.CI;
    if (saved.CI === undefined) delete process.env.CI;
    jest.restoreAllMocks();
  });

  it.each([
    ['mktorrent', haveMktorrent],
    ['aria2c', haveAria2],
    ['qbittorrent-nox', haveQbittorrent],
    ['transmission-cli', haveTransmission],
  ])('%s fails the run under CI=true', (name, have) => {
    process.env.PATH = '/nonexistent';
    process.env.CI = 'true';
    expect(() => have()).toThrow(`${name} is required under CI=true`);
  });

  it('is a skip with a warning elsewhere', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    process.env.PATH = '/nonexistent';
    delete process.env.CI;
    expect(haveMktorrent()).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('mktorrent'));
  });
});
