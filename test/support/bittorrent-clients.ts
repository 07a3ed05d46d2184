import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../local/ports';
import { commandWorks, hasProgram, PYTHON } from './programs';

/**
 * The four BitTorrent clients of the interoperability tests and the offload benchmark, each as a
 * separate process with its own port, folder and configuration: libtorrent 2.0.8 (through
 * test/interop/libtorrent-peer.py), qBittorrent 4.5 (qbittorrent-nox, same libtorrent), aria2 1.36
 * and Transmission 3.00 (transmission-cli). Peer discovery is the torrent's own tracker only (no
 * DHT, LSD, PEX, UPnP), so what a test sees comes from the tracker and the web seed.
 */
export type ClientKind = 'libtorrent' | 'qbittorrent' | 'aria2' | 'transmission';

export const CLIENT_KINDS: readonly ClientKind[] = ['libtorrent', 'qbittorrent', 'aria2', 'transmission'];

export interface ClientOptions {
  readonly torrentPath: string;
  /** Where the download goes; the client's own state lives in `${saveDir}.state`. */
  readonly saveDir: string;
  readonly timeoutMs: number;
  /** libtorrent only: bytes from connections to this port count as web-seed bytes. */
  readonly webSeedPort?: number;
  /** libtorrent only: upload cap in bytes/s (0: none). */
  readonly uploadRate?: number;
  /** libtorrent only: settings_pack entries on top of the defaults. */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
}

export interface ClientFinish {
  /** Seconds from the start of the process to the completed download. */
  readonly seconds: number;
  /** libtorrent only: payload bytes by source, counted from finished blocks. */
  readonly webSeedBytes?: number;
  readonly peerBytes?: number;
}

export interface RunningClient {
  readonly kind: ClientKind;
  /** Resolves when the download is complete (the client keeps seeding until stop()); rejects on timeout or exit. */
  readonly finished: Promise<ClientFinish>;
  /** libtorrent only: each JSON event line the peer printed. */
  readonly events: readonly Record<string, unknown>[];
  /** Stops the client (a clean shutdown that announces `stopped`, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** The tail of the client's output, for failure messages. */
  output(): string;
}

export const haveQbittorrent = () => hasProgram('qbittorrent-nox', commandWorks('qbittorrent-nox', ['--version']));
export const haveTransmission = () => hasProgram('transmission-cli', commandWorks('transmission-cli', ['--version']));

const LIBTORRENT_PEER = join(__dirname, '..', 'interop', 'libtorrent-peer.py');

export async function startClient(kind: ClientKind, options: ClientOptions): Promise<RunningClient> {
  mkdirSync(options.saveDir, { recursive: true });
  const state = `${options.saveDir}.state`;
  mkdirSync(state, { recursive: true });
  switch (kind) {
    case 'libtorrent':
      return startLibtorrent(options);
    case 'qbittorrent':
      return startQbittorrent(options, state);
    case 'aria2':
      return startAria2(options, state);
    case 'transmission':
      return startTransmission(options, state);
  }
}

/** A child process with its output kept, a completion promise, and a stop that waits for exit. */
class ClientProcess {
  private log = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    onLine: (line: string) => void = () => undefined,
  ) {
    let pending = '';
    const take = (data: Buffer) => {
      const text = data.toString();
      this.log = (this.log + text).slice(-20_000);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  output = () => this.log;

  async stop(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Rejects after `timeoutMs`, or when the process exits first without having finished. */
function completion(process: ClientProcess, kind: ClientKind, timeoutMs: number, wait: Promise<ClientFinish>): Promise<ClientFinish> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${kind} did not finish within ${timeoutMs} ms:\n${process.output().slice(-3000)}`)),
      timeoutMs,
    );
  });
  const exit = process.exited.then((code) => {
    throw new Error(`${kind} exited (${code}) before finishing:\n${process.output().slice(-3000)}`);
  });
  const result = Promise.race([wait, timeout, exit]).finally(() => clearTimeout(timer));
  result.catch(() => undefined);
  return result;
}

function startLibtorrent(options: ClientOptions): RunningClient {
  const started = Date.now();
  const events: Record<string, unknown>[] = [];
  let onFinished: (f: ClientFinish) => void = () => undefined;
  const finishedEvent = new Promise<ClientFinish>((resolve) => (onFinished = resolve));
  const config = {
    torrent: options.torrentPath,
    save_dir: options.saveDir,
    timeout: Math.ceil(options.timeoutMs / 1000) + 30,
    web_seed_port: options.webSeedPort,
    upload_rate: options.uploadRate ?? 0,
    settings: options.settings ?? {},
  };
  const child = spawn(PYTHON, [LIBTORRENT_PEER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const process = new ClientProcess(child, (line) => {
    if (!line.startsWith('{')) return;
    const event = JSON.parse(line) as Record<string, unknown>;
    events.push(event);
    if (event.event === 'finished') {
      onFinished({
        seconds: (Date.now() - started) / 1000,
        webSeedBytes: event.web_seed as number,
        peerBytes: event.peer as number,
      });
    }
  });
  return {
    kind: 'libtorrent',
    events,
    finished: completion(process, 'libtorrent', options.timeoutMs, finishedEvent),
    // Closing stdin makes the peer announce `stopped` and exit.
    stop: async () => {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await process.exited;
      clearTimeout(timer);
    },
    output: process.output,
  };
}

async function startQbittorrent(options: ClientOptions, state: string): Promise<RunningClient> {
  const [webUiPort, peerPort] = [await freePort(), await freePort()];
  const configDir = join(state, 'qBittorrent', 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'qBittorrent.conf'),
    [
      '[LegalNotice]',
      'Accepted=true',
      '[BitTorrent]',
      'Session\\DHTEnabled=false',
      'Session\\LSDEnabled=false',
      'Session\\PeXEnabled=false',
      'Session\\MultiConnectionsPerIp=true',
      `Session\\Port=${peerPort}`,
      `Session\\DefaultSavePath=${options.saveDir}`,
      '[Network]',
      'PortForwardingEnabled=false',
      '[Preferences]',
      'Connection\\UPnP=false',
      `WebUI\\Port=${webUiPort}`,
      'WebUI\\Address=127.0.0.1',
      'WebUI\\LocalHostAuth=false',
      'WebUI\\HostHeaderValidation=false',
      'WebUI\\CSRFProtection=false',
      '',
    ].join('\n'),
  );
  const started = Date.now();
  const child = spawn(
    'qbittorrent-nox',
    [`--profile=${state}`, `--save-path=${options.saveDir}`, '--skip-dialog=true', options.torrentPath],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const process = new ClientProcess(child);
  const api = `http://127.0.0.1:${webUiPort}/api/v2`;
  const poll = async (): Promise<ClientFinish> => {
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      if (child.exitCode !== null) throw new Error('qbittorrent-nox exited');
      const torrents = (await fetch(`${api}/torrents/info`)
        .then((r) => r.json())
        .catch(() => [])) as { progress: number }[];
      if (torrents.length > 0 && torrents.every((t) => t.progress >= 1)) return { seconds: (Date.now() - started) / 1000 };
    }
  };
  return {
    kind: 'qbittorrent',
    events: [],
    finished: completion(process, 'qbittorrent', options.timeoutMs, poll()),
    // SIGTERM is qBittorrent's clean exit: it announces `stopped` first.
    stop: () => process.stop('SIGTERM', 15_000),
    output: process.output,
  };
}

async function startAria2(options: ClientOptions, state: string): Promise<RunningClient> {
  const marker = join(state, 'complete');
  const hook = join(state, 'on-complete.sh');
  writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
  const started = Date.now();
  const child = spawn(
    'aria2c',
    [
      `--dir=${options.saveDir}`,
      `--listen-port=${await freePort()}`,
      '--enable-dht=false',
      '--enable-dht6=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      '--seed-ratio=0',
      '--summary-interval=1',
      '--console-log-level=notice',
      `--on-bt-download-complete=${hook}`,
      options.torrentPath,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const process = new ClientProcess(child);
  return {
    kind: 'aria2',
    events: [],
    finished: completion(process, 'aria2', options.timeoutMs, pollFor(marker, started)),
    stop: () => process.stop('SIGINT', 15_000),
    output: process.output,
  };
}

async function startTransmission(options: ClientOptions, state: string): Promise<RunningClient> {
  const marker = join(state, 'complete');
  const hook = join(state, 'on-complete.sh');
  writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
  const configDir = join(state, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'settings.json'),
    JSON.stringify({
      'dht-enabled': false,
      'lpd-enabled': false,
      'pex-enabled': false,
      'utp-enabled': false,
      'port-forwarding-enabled': false,
    }),
  );
  const started = Date.now();
  const child = spawn(
    'transmission-cli',
    ['-g', configDir, '-w', options.saveDir, '-p', String(await freePort()), '-f', hook, options.torrentPath],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const process = new ClientProcess(child);
  return {
    kind: 'transmission',
    events: [],
    finished: completion(process, 'transmission', options.timeoutMs, pollFor(marker, started)),
    // transmission-cli announces `stopped` on SIGINT/SIGTERM.
    stop: () => process.stop('SIGTERM', 15_000),
    output: process.output,
  };
}

async function pollFor(marker: string, started: number): Promise<ClientFinish> {
  while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 200));
  return { seconds: (Date.now() - started) / 1000 };
}
