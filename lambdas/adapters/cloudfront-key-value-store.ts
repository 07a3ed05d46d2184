import {
  ConflictException,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  UpdateKeysCommand,
  ValidationException,
  type CloudFrontKeyValueStoreClient,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
// The data-plane API signs with SigV4A; this registers the pure-JavaScript signer with the SDK.
import '@aws-sdk/signature-v4a';
import { batchesOf, KeyValueStoreLimitError, type KeyValueChanges, type KeyValueStore } from '../ports/key-value-store';

/** Conflicts (another writer changed the store between our read of its ETag and our write) retried this often. */
const CONFLICT_ATTEMPTS = 8;

/**
 * CloudFront KeyValueStore through its data-plane API: every write names the store's current
 * ETag (DescribeKeyValueStore), and a write that lost a race to another writer is retried with
 * the new one. Each batch is one UpdateKeys, all-or-nothing.
 */
export class CloudFrontKeyValueStore implements KeyValueStore {
  private etag: string | undefined;

  constructor(
    private readonly client: CloudFrontKeyValueStoreClient,
    private readonly arn: string,
  ) {}

  async update(changes: KeyValueChanges): Promise<void> {
    for (const batch of batchesOf(changes)) await this.updateBatch(batch);
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new GetKeyCommand({ KvsARN: this.arn, Key: key }))).Value;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  }

  private async updateBatch(changes: KeyValueChanges): Promise<void> {
    let batch = changes;
    let pruned = false;
    for (let attempt = 1; ; attempt++) {
      const ifMatch = this.etag ?? (await this.currentEtag());
      try {
        const out = await this.client.send(
          new UpdateKeysCommand({
            KvsARN: this.arn,
            IfMatch: ifMatch,
            Puts: batch.puts.map(({ key, value }) => ({ Key: key, Value: value })),
            Deletes: batch.deletes.map((key) => ({ Key: key })),
          }),
        );
        this.etag = out.ETag;
        return;
      } catch (err) {
        this.etag = undefined;
        // Whether deleting an absent key fails an UpdateKeys is not documented: if the batch was
        // refused, drop the deletes of keys that are already gone and try once more.
        if ((err instanceof ValidationException || err instanceof ResourceNotFoundException) && batch.deletes.length > 0 && !pruned) {
          pruned = true;
          const present = await Promise.all(batch.deletes.map(async (key) => ((await this.get(key)) === undefined ? [] : [key])));
          batch = { puts: batch.puts, deletes: present.flat() };
          if (batch.puts.length === 0 && batch.deletes.length === 0) return;
          continue;
        }
        if (err instanceof ValidationException || err instanceof ServiceQuotaExceededException) {
          throw new KeyValueStoreLimitError(`the key value store refused the update: ${err.message}`);
        }
        if (!(err instanceof ConflictException) || attempt >= CONFLICT_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** attempt));
      }
    }
  }

  private async currentEtag(): Promise<string> {
    const out = await this.client.send(new DescribeKeyValueStoreCommand({ KvsARN: this.arn }));
    if (out.ETag === undefined) throw new Error('DescribeKeyValueStore returned no ETag');
    return out.ETag;
  }
}
