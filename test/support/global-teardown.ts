import { endRun } from './run-hygiene';

export default async function globalTeardown(): Promise<void> {
  const standIns = (globalThis as { __standIns?: { stop(): Promise<void> }[] }).__standIns ?? [];
  await Promise.all(standIns.map((s) => s.stop()));
  // Fails the run if any test left a temporary file or a process behind (see run-hygiene.ts).
  await endRun();
}
