import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Starts the local S3 in a process of its own (local-s3-process.ts), so its CPU and memory are not counted as the bench's. */
export async function startS3Process(directory: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...process.execArgv, join(__dirname, 'local-s3-process.ts'), directory], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { endpoint: string }).endpoint);
    });
    child.on('exit', (code) => reject(new Error(`local S3 exited with ${code}`)));
  });
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}
