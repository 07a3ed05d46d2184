import { createHash } from 'node:crypto';
import type { HttpResult } from '../http/http';

/**
 * The 202 page a browser gets for `?torrent` while the hashing workflow builds the torrent: a
 * progress bar fed by the job's status URL, and the download started once the job succeeds.
 * Without JavaScript (or for a private object, whose status route stays closed) the page says the
 * same in words and reloads itself every Retry-After seconds; the reload that finds the torrent
 * ready downloads it.
 */
export interface JobPageView {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly piecesDone: number;
  readonly piecesTotal: number;
  /** Absent for private objects: the page then only reloads. */
  readonly statusUrl?: string;
  readonly torrentUrl?: string;
}

/** Polls the status URL, moves the bar, and downloads the torrent once built. No data enters HTML. */
const SCRIPT = `
const job = JSON.parse(document.getElementById('job').textContent);
const bar = document.getElementById('progress');
const text = document.getElementById('status');
const show = (id) => (document.getElementById(id).hidden = false);
async function poll() {
  let delay = 2;
  try {
    const res = await fetch(job.statusUrl, { headers: { accept: 'application/json' }, cache: 'no-store' });
    const status = await res.json();
    if (!res.ok) throw new Error(status.message || res.status);
    bar.max = status.piecesTotal;
    bar.value = status.piecesDone;
    bar.textContent = percent(status) + '%';
    if (status.state === 'SUCCEEDED') {
      text.textContent = 'The torrent is ready: downloading it.';
      show('ready');
      location.assign(job.torrentUrl);
      return;
    }
    if (status.state === 'FAILED') {
      const failure = status.failure ? status.failure.code + ': ' + status.failure.message : 'no cause recorded';
      text.textContent = 'Building the torrent failed (' + failure + ').' + (status.retryableAt ? ' It will be tried again after ' + status.retryableAt + '.' : '');
      return;
    }
    text.textContent = status.piecesDone + ' of ' + status.piecesTotal + ' pieces hashed (' + percent(status) + '%).';
    delay = Math.min(5, Number(res.headers.get('retry-after')) || 2);
  } catch (err) {
    text.textContent = 'Could not reach the service (' + err.message + '); trying again.';
  }
  setTimeout(poll, delay * 1000);
}
const percent = (s) => (s.piecesTotal > 0 ? Math.floor((100 * s.piecesDone) / s.piecesTotal) : 0);
document.documentElement.classList.add('js');
poll();
`;
const SCRIPT_HASH = `'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'`;

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f8fa; }
main { max-width: 40rem; margin: 4rem auto; padding: 2rem; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; }
h1 { font-size: 1.3rem; margin-top: 0; word-break: break-all; }
progress { width: 100%; height: 1.5rem; }
.js .nojs { display: none; }
small { color: #57606a; word-break: break-all; }
`;

export function jobPage(view: JobPageView, retryAfterSeconds: number): HttpResult {
  const name = view.key.slice(view.key.lastIndexOf('/') + 1);
  const percent = view.piecesTotal > 0 ? Math.floor((100 * view.piecesDone) / view.piecesTotal) : 0;
  const live = view.statusUrl !== undefined && view.torrentUrl !== undefined;
  const refresh = `<meta http-equiv="refresh" content="${retryAfterSeconds}">`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Building ${escapeHtml(name)}.torrent</title>
${live ? `<noscript>${refresh}</noscript>` : refresh}
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Building the torrent of ${escapeHtml(name)}</h1>
<p>This object is ${formatBytes(view.size)}, too large to hash while you wait, so the service is hashing it in the background.</p>
<progress id="progress" max="${view.piecesTotal}" value="${view.piecesDone}">${percent}%</progress>
<p id="status">${view.piecesDone} of ${view.piecesTotal} pieces hashed (${percent}%).</p>
<p class="nojs">This page reloads every ${retryAfterSeconds} seconds; the reload after the torrent is built downloads it.</p>
${live ? `<p id="ready" hidden>If the download does not start, <a href="${escapeHtml(view.torrentUrl!)}">download the torrent</a>.</p>` : ''}
<p><small>${escapeHtml(view.bucket)}/${escapeHtml(view.key)}${live ? ` · <a href="${escapeHtml(view.statusUrl!)}">job status</a>` : ''}</small></p>
</main>
${live ? `<script type="application/json" id="job">${scriptJson({ statusUrl: view.statusUrl, torrentUrl: view.torrentUrl })}</script>\n<script>${SCRIPT}</script>` : ''}
</body>
</html>
`;
  const connect = live ? ` connect-src ${new URL(view.statusUrl!).origin};` : '';
  return {
    statusCode: 202,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src ${SCRIPT_HASH};${connect} base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
    },
    body: html,
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script> element: `<` escaped so no key can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
