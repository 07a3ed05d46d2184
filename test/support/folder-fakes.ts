import { mergeObjectHashes, checkObjectHashes, type ObjectHashes } from '../../lambdas/core/object-hashes';
import type { ObjectHashKey, ObjectHashStore } from '../../lambdas/ports/object-hash-store';

/** In-memory object hashes, with the adapter's semantics (merged kinds, older ETags dropped); held to the same contract suite. */
export class MemoryObjectHashStore implements ObjectHashStore {
  readonly records = new Map<string, ObjectHashes>();
  puts = 0;

  async getMany(keys: readonly ObjectHashKey[]) {
    return keys.map((k) => this.records.get(id(k)));
  }

  async put(key: ObjectHashKey, hashes: ObjectHashes) {
    checkObjectHashes(hashes);
    if (hashes.size !== key.size || hashes.pieceLength !== key.pieceLength)
      throw new RangeError('the hashes are of another size or piece length than their key');
    this.puts++;
    const existing = this.records.get(id(key));
    this.records.set(id(key), existing ? mergeObjectHashes(hashes, existing) : hashes);
    const object = `${key.bucket}/${key.key}\n`;
    for (const k of [...this.records.keys()])
      if (k.startsWith(object) && !k.startsWith(`${object}${key.etag}#${key.size}#`)) this.records.delete(k);
  }

  async deleteObject(bucket: string, key: string) {
    const keys = [...this.records.keys()].filter((k) => k.startsWith(`${bucket}/${key}\n`));
    for (const k of keys) this.records.delete(k);
    return keys.length;
  }
}
const id = (k: ObjectHashKey) => `${k.bucket}/${k.key}\n${k.etag}#${k.size}#${k.pieceLength}`;
