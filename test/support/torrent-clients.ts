import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from '../../local/ports';
import { commandWorks, hasProgram } from './programs';

/**
 * qBittorrent (qbittorrent-nox, through its Web API) and Transmission 3.00 (transmission-cli)
 * downloading one torrent, with DHT, LSD and PeX off, so a success means the torrent's own
 * tracker and web seeds were enough. Each runs in its own temporary profile and is stopped by the
 * process id it was started with.
 */
export const haveQbittorrent = () => hasProgram('qbittorrent-nox', commandWorks('qbittorrent-nox', ['--version']));
export const haveTransmission = () => hasProgram('transmission-cli', commandWorks('transmission-cli', ['--version']));

export interface ClientRun {
  readonly ok: boolean;
  readonly detail: string;
}

export async function qbittorrentDownload(torrentPath: string, out: string, profile: string, timeoutMs = 90_000): Promise<ClientRun> {
  const [webPort, peerPort] = [await freePort(), await freePort()];
  const config = join(profile, 'qBittorrent', 'config');
  mkdirSync(config, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(config, 'qBittorrent.conf'),
    [
      '[LegalNotice]',
      'Accepted=true',
      '',
      '[BitTorrent]',
      'Session\\DHTEnabled=false',
      'Session\\LSDEnabled=false',
      'Session\\PeXEnabled=false',
      // Presigned URLs of a local S3 stand-in point at 127.0.0.1, which SSRF mitigation refuses.
      'Session\\SSRFMitigation=false',
      `Session\\Port=${peerPort}`,
      `Session\\DefaultSavePath=${out}`,
      '',
      '[Preferences]',
      'WebUI\\Address=127.0.0.1',
      `WebUI\\Port=${webPort}`,
      'WebUI\\LocalHostAuth=false',
      'WebUI\\CSRFProtection=false',
      'WebUI\\HostHeaderValidation=false',
      'Connection\\UPnP=false',
      '',
    ].join('\n'),
  );
  const child = spawn('qbittorrent-nox', [`--profile=${profile}`, `--webui-port=${webPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = collect(child);
  const api = `http://127.0.0.1:${webPort}/api/v2`;
  try {
    await waitFor('qbittorrent-nox', async () => (await fetch(`${api}/app/version`)).ok, 20_000);
    const form = new FormData();
    form.append('torrents', new Blob([readFileSync(torrentPath)]), 'folder.torrent');
    form.append('savepath', out);
    const added = await fetch(`${api}/torrents/add`, { method: 'POST', body: form });
    if (!added.ok) return { ok: false, detail: `add: HTTP ${added.status} ${await added.text()}` };
    let last = '';
    const done = await poll(timeoutMs, async () => {
      const [torrent] = (await (await fetch(`${api}/torrents/info`)).json()) as { progress: number; state: string }[];
      last = JSON.stringify(torrent);
      return torrent !== undefined && torrent.progress >= 1 && /UP$|^uploading$/.test(torrent.state);
    });
    await fetch(`${api}/app/shutdown`, { method: 'POST' }).catch(() => undefined);
    return { ok: done, detail: done ? last : `timed out: ${last}\n${log()}` };
  } finally {
    await stop(child);
  }
}

export async function transmissionDownload(torrentPath: string, out: string, configDir: string, timeoutMs = 90_000): Promise<ClientRun> {
  mkdirSync(configDir, { recursive: true });
  mkdirSync(out, { recursive: true });
  const marker = join(configDir, 'finished');
  const script = join(configDir, 'finished.sh');
  writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
  writeFileSync(
    join(configDir, 'settings.json'),
    JSON.stringify({
      'dht-enabled': false,
      'lpd-enabled': false,
      'pex-enabled': false,
      'port-forwarding-enabled': false,
      'peer-port': await freePort(),
    }),
  );
  const child = spawn('transmission-cli', ['-g', configDir, '-w', out, '-f', script, '-M', torrentPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = collect(child);
  try {
    const done = await poll(timeoutMs, async () => existsSync(marker));
    return { ok: done, detail: done ? 'finished' : `timed out\n${log().slice(-3000)}` };
  } finally {
    await stop(child);
  }
}

/** Every file under `root` (paths relative to it, `/`-separated) and its bytes. */
export function treeOf(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string, below: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = below ? `${below}/${name}` : name;
      if (statSync(path).isDirectory()) walk(path, rel);
      else files.set(rel, readFileSync(path));
    }
  };
  walk(root, '');
  return files;
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text = (text + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (text = (text + d.toString()).slice(-20_000)));
  return () => text;
}

async function poll(timeoutMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
