/** Sizes as people read them: 1023 B, 1.5 KiB, 20.0 MiB, 2.00 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** One line of progress: a bar, percent, bytes done of total, rate and ETA, fitted to `columns`. */
export function formatProgress(done: number, total: number, elapsedMs: number, columns: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? (total - done) / rate : Infinity;
  const stats = ` ${(fraction * 100).toFixed(0).padStart(3)}%  ${formatBytes(done)} / ${formatBytes(total)}  ${formatBytes(rate)}/s  ETA ${formatDuration(eta)}`;
  const width = Math.max(0, Math.min(40, columns - stats.length - 3));
  if (width < 5) return stats.trim().slice(0, Math.max(0, columns - 1));
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${stats}`;
}

export interface Progress {
  update(done: number): void;
  /** Clears the line; the next output starts on a clean line. */
  finish(): void;
}

const QUIET: Progress = { update() {}, finish() {} };
const REDRAW_EVERY_MS = 100;

/** A progress line on `stream` when it is a terminal; nothing at all in a pipe or a log file. */
export function progressOn(stream: NodeJS.WriteStream, total: number, now: () => number = Date.now): Progress {
  if (!stream.isTTY) return QUIET;
  const started = now();
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update(done) {
      const t = now();
      if (t - lastDraw < REDRAW_EVERY_MS && done < total) return;
      lastDraw = t;
      drawn = true;
      stream.write(`\r${formatProgress(done, total, t - started, stream.columns ?? 80)}\x1b[K`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
