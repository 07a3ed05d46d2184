import type { PieceHashes } from '../../lambdas/core/build-info';
import { progressOn } from '../progress';
import type { DataSource, HashRequest } from '../sources/source';

/** Hashes a source with a progress line on a terminal's stderr (nothing in a pipe). */
export async function hashWithProgress(source: DataSource, request: Omit<HashRequest, 'onProgress'>): Promise<PieceHashes> {
  const progress = progressOn(process.stderr, source.size);
  try {
    return await source.hash({ ...request, onProgress: (done) => progress.update(done) });
  } finally {
    progress.finish();
  }
}
