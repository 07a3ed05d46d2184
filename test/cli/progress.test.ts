import { formatBytes, formatProgress, progressOn } from '../../cli/progress';
import { pieceRanges } from '../../cli/commands/verify';

const GiB = 1024 ** 3;

describe('progress line', () => {
  it('shows a bar, percent, bytes, rate and ETA within the terminal width', () => {
    const line = formatProgress(GiB, 2 * GiB, 1000, 100);
    expect(line).toMatch(/^\[#+\.+\]  50%  1\.00 GiB \/ 2\.00 GiB  1\.00 GiB\/s  ETA 0:01$/);
    expect(line.length).toBeLessThanOrEqual(100);
    expect(formatProgress(0, 2 * GiB, 0, 100)).toContain('ETA --:--');
    expect(formatProgress(GiB, 2 * GiB, 1000, 30).length).toBeLessThan(30);
  });

  it('formats sizes as people read them', () => {
    expect([0, 1023, 1536, 20 * 1024 ** 2, 2 * GiB].map(formatBytes)).toEqual(['0 B', '1023 B', '1.50 KiB', '20.0 MiB', '2.00 GiB']);
  });

  it('draws on a terminal at most ten times a second, and clears the line when done', () => {
    const writes: string[] = [];
    let now = 0;
    const tty = { isTTY: true, columns: 80, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const progress = progressOn(tty, 1000, () => now);
    progress.update(100);
    now = 50;
    progress.update(200); // too soon: skipped
    now = 150;
    progress.update(300);
    progress.update(1000); // the end is always drawn
    progress.finish();
    expect(writes).toHaveLength(4);
    expect(writes[2]).toContain('100%');
    expect(writes[3]).toBe('\r\x1b[K');
  });

  it('says nothing in a pipe', () => {
    const writes: string[] = [];
    const pipe = { isTTY: false, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const progress = progressOn(pipe, 1000);
    progress.update(500);
    progress.finish();
    expect(writes).toEqual([]);
  });
});

describe('pieceRanges', () => {
  it('lists bad pieces compactly', () => {
    expect(pieceRanges([1, 3, 4, 5, 9])).toBe('1, 3-5, 9');
    expect(pieceRanges([])).toBe('');
  });
});
