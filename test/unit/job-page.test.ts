import { jobPage } from '../../lambdas/endpoint/job-page';
import { prefersHtml } from '../../lambdas/http/negotiation';

describe('prefersHtml', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', true],
    ['text/html', true],
    ['application/json, text/html;q=0.9', false],
    ['text/html, application/json', false],
    ['text/html;q=0', false],
    ['*/*', false],
    ['application/json', false],
    [undefined, false],
    ['', false],
  ])('%s → %s', (accept, expected) => expect(prefersHtml(accept)).toBe(expected));
});

describe('jobPage', () => {
  const view = {
    bucket: 'b',
    key: 'dir/<script>alert(1)</script>.bin',
    size: 3 * 1024 * 1024,
    piecesDone: 1,
    piecesTotal: 4,
    statusUrl: 'https://api.example/-/jobs/abc',
    torrentUrl: 'https://api.example/b/dir/%3Cscript%3E.bin?torrent',
  };

  it('escapes the key everywhere it appears and lets only its own script run', () => {
    const page = jobPage(view, 5);
    expect(page.statusCode).toBe(202);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;.bin');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(page.headers['content-security-policy']).toContain('connect-src https://api.example;');
  });

  it('reloads by itself only without JavaScript when there is a status URL, always when there is none', () => {
    expect(jobPage(view, 5).body).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    const closed = jobPage({ ...view, statusUrl: undefined, torrentUrl: undefined }, 7).body as string;
    expect(closed).toContain('\n<meta http-equiv="refresh" content="7">\n');
    expect(closed).not.toContain('<script');
    expect(closed).not.toContain('/-/jobs/');
  });
});
