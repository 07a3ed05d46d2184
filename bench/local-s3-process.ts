/** The benchmark's local S3 in a process of its own, so its CPU and memory are not counted as ours. */
import { startLocalS3 } from '../local/s3';

async function main() {
  const s3 = await startLocalS3({ directory: process.argv[2] });
  process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
  const stop = () => void s3.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop).resume();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
