/**
 * Which buckets (and key prefixes) the service may serve. Entries are `bucket` (the whole bucket)
 * or `bucket/prefix` (keys starting with that prefix); `*` allows every bucket.
 */
export class SourceAllowlist {
  private readonly entries: readonly { bucket: string; prefix: string }[];
  private readonly allowAll: boolean;

  constructor(spec: readonly string[]) {
    const cleaned = spec.map((s) => s.trim()).filter((s) => s.length > 0);
    this.allowAll = cleaned.includes('*');
    this.entries = cleaned
      .filter((s) => s !== '*')
      .map((s) => {
        const slash = s.indexOf('/');
        return slash < 0 ? { bucket: s, prefix: '' } : { bucket: s.slice(0, slash), prefix: s.slice(slash + 1) };
      });
  }

  static parse(csv: string): SourceAllowlist {
    return new SourceAllowlist(csv.split(','));
  }

  get allowsAny(): boolean {
    return this.allowAll;
  }

  get buckets(): string[] {
    return [...new Set(this.entries.map((e) => e.bucket))];
  }

  allows(bucket: string, key: string): boolean {
    return this.allowAll || this.entries.some((e) => e.bucket === bucket && key.startsWith(e.prefix));
  }
}
