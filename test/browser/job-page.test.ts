import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, haveChromium } from '../support/programs';
import { putObject, startTestService, testBytes } from '../support/service';
import { infoHashOfTorrentFile } from '../support/torrents';

/**
 * A browser asking `?torrent` for an object the hashing workflow is building gets a 202 HTML page
 * with a progress bar fed by the job's status URL, and the torrent downloads once it is built; with
 * JavaScript off the page says what is happening and reloads until the download comes. Real
 * Chromium (Debian's package), headless. The screenshot goes to .test-output/ (not in git).
 */
jest.setTimeout(180_000);
type Service = Awaited<ReturnType<typeof startTestService>>;
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SCREENSHOTS = join(__dirname, '..', '..', '.test-output');
// Small chunks hashed one at a time, so a 96 MiB object takes the workflow a few seconds.
const SIZE = 96 * MiB;

const describeIfChromium = haveChromium() ? describe : describe.skip;
describeIfChromium('the hashing job page in Chromium', () => {
  let service: Service;
  let browser: Browser;
  beforeAll(async () => {
    service = await startTestService({ inlineHashLimit: MiB, workflow: { minChunkBytes: MiB, maxConcurrency: 1 } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Without the networking switches Chromium keeps trying hosts this offline machine cannot reach.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  async function expectedInfoHash(key: string): Promise<string> {
    const res = await fetch(`${service.apiUrl}/${service.bucket}/${key}?torrent`);
    expect(res.status).toBe(200);
    return res.headers.get('x-torrent-infohash')!;
  }

  async function downloadBytes(page: Page, start: () => Promise<unknown>): Promise<Buffer> {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), start()]);
    expect(download.suggestedFilename()).toMatch(/\.torrent$/);
    return readFileSync((await download.path())!);
  }

  it('API clients still get JSON for the same URL', async () => {
    // Large enough that the job is still running after these few requests.
    await putObject(service.clients, service.bucket, 'api.bin', testBytes(32 * MiB, 3));
    for (const accept of [undefined, '*/*', 'application/json', 'text/html;q=0.5, application/json']) {
      const res = await fetch(`${service.apiUrl}/${service.bucket}/api.bin?torrent`, { headers: accept ? { accept } : {} });
      expect(res.status).toBe(202);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('vary')).toBe('accept');
      expect(((await res.json()) as { state: string }).state).toBe('RUNNING');
    }
  });

  it('shows the progress of the job, then downloads the torrent', async () => {
    await putObject(service.clients, service.bucket, 'big/movie.mkv', testBytes(SIZE, 7));
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    const seen: number[] = [];
    page.on('response', (res) => {
      if (res.url().includes('/-/jobs/')) seen.push(res.status());
    });
    const bytes = await downloadBytes(page, async () => {
      const res = await page.goto(`${service.apiUrl}/${service.bucket}/big/movie.mkv?torrent`);
      expect(res!.status()).toBe(202);
      expect(res!.headers()['content-type']).toBe('text/html; charset=utf-8');
      expect(await page.locator('h1').textContent()).toBe('Building the torrent of movie.mkv');
      // The bar moves: at least one status poll has reported hashed pieces.
      // (Polled from here: the page's CSP rightly forbids the eval a string predicate would need.)
      while ((await page.locator('#progress').evaluate((bar) => (bar as unknown as { value: number }).value)) === 0) await sleep(200);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'job-page.png') });
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s === 200)).toBe(true);
    expect(infoHashOfTorrentFile(bytes)).toBe(await expectedInfoHash('big/movie.mkv'));
    await page.context().close();
  });

  it('without JavaScript, says what is happening and reloads until the torrent downloads', async () => {
    await putObject(service.clients, service.bucket, 'big/nojs.iso', testBytes(SIZE / 2, 8));
    const context = await browser.newContext({ acceptDownloads: true, javaScriptEnabled: false });
    const page = await context.newPage();
    const bytes = await downloadBytes(page, async () => {
      const res = await page.goto(`${service.apiUrl}/${service.bucket}/big/nojs.iso?torrent`);
      expect(res!.status()).toBe(202);
      expect(await page.locator('.nojs').textContent()).toContain('This page reloads every');
      expect(await page.locator('#status').textContent()).toMatch(/\d+ of \d+ pieces hashed/);
    });
    expect(infoHashOfTorrentFile(bytes)).toBe(await expectedInfoHash('big/nojs.iso'));
    await context.close();
  });
});
