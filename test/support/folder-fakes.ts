import type { ObjectHashes } from '../../lambdas/core/object-hashes';
import {
  checkObjectHashRecord,
  type ObjectHashKey,
  type ObjectHashRecord,
  type ObjectHashStore,
} from '../../lambdas/ports/object-hash-store';
import type { FolderJobPlan, FolderJobPlans } from '../../lambdas/ports/folder-job-plans';
import type { ListedObject, ObjectListing } from '../../lambdas/ports/object-listing';
import type { MemoryObjectStore } from './fakes';
import { prefixesAbove, type KnownFolders } from '../../lambdas/ports/known-folders';
import { KNOWN_FOLDER_DAYS } from '../../lambdas/adapters/dynamodb-known-folders';

/** In-memory object hashes, held to the same contract suite as the DynamoDB adapter. */
export class MemoryObjectHashStore implements ObjectHashStore {
  readonly records = new Map<string, ObjectHashes>();

  async getMany(keys: readonly ObjectHashKey[]) {
    return keys.map((k) => this.records.get(id(k)));
  }

  async putMany(records: readonly ObjectHashRecord[]) {
    for (const { key, hashes } of records) checkObjectHashRecord(key, hashes);
    for (const { key, hashes } of records) this.records.set(id(key), hashes);
  }

  async deleteObject(bucket: string, key: string, keepEtag?: string) {
    const keys = [...this.records.keys()].filter(
      (k) => k.startsWith(`${bucket}/${key}\n`) && (keepEtag === undefined || !k.startsWith(`${bucket}/${key}\n${keepEtag}#`)),
    );
    for (const k of keys) this.records.delete(k);
    return keys.length;
  }
}
const id = (k: ObjectHashKey) => `${k.bucket}/${k.key}\n${k.etag}#${k.size}#${k.pieceLength}`;

/** In-memory known folders, with the adapter's expiry. */
export class MemoryKnownFolders implements KnownFolders {
  readonly folders = new Map<string, { variants: Set<string>; expiresAt: number }>();
  constructor(private readonly clock: () => Date = () => new Date()) {}

  async remember(bucket: string, prefix: string, variant: string) {
    const id = `${bucket}/${prefix}`;
    const variants = this.folders.get(id)?.variants ?? new Set<string>();
    variants.add(variant);
    this.folders.set(id, { variants, expiresAt: this.clock().getTime() + KNOWN_FOLDER_DAYS * 86_400_000 });
  }

  async above(bucket: string, key: string) {
    return prefixesAbove(key).flatMap((prefix) => {
      const f = this.folders.get(`${bucket}/${prefix}`);
      return f && f.expiresAt > this.clock().getTime() ? [{ bucket, prefix, variants: [...f.variants].sort() }] : [];
    });
  }

  async forget(bucket: string, prefix: string) {
    this.folders.delete(`${bucket}/${prefix}`);
  }
}

/** Lists a MemoryObjectStore's objects as S3 does: by key bytes, `pageSize` a page. */
export class MemoryObjectListing implements ObjectListing {
  pages = 0;
  constructor(
    private readonly store: MemoryObjectStore,
    private readonly pageSize = 1000,
  ) {}

  async *list(bucket: string, prefix: string): AsyncIterable<readonly ListedObject[]> {
    const all = [...this.store.objects.entries()]
      .filter(([id]) => id.startsWith(`${bucket}/${prefix}`))
      .map(([id, o]) => ({ key: id.slice(bucket.length + 1), size: o.data.length, etag: o.etag }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    for (let i = 0; i === 0 || i < all.length; i += this.pageSize) {
      this.pages++;
      yield all.slice(i, i + this.pageSize);
    }
  }
}

/** Folder job plans in memory (copies, as the S3 adapter's JSON round trip gives). */
export class MemoryFolderJobPlans implements FolderJobPlans {
  readonly plans = new Map<string, string>();
  async put(id: string, plan: FolderJobPlan) {
    this.plans.set(id, JSON.stringify(plan));
  }
  async get(id: string) {
    const text = this.plans.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as FolderJobPlan);
  }
}
