/** How a source is served: to anyone, or only to callers with a signed link or IAM credentials. */
export type AccessMode = 'public' | 'private';

export interface SourceEntry {
  readonly bucket: string;
  /** Keys starting with this prefix; empty for the whole bucket. */
  readonly prefix: string;
  readonly access: AccessMode;
}

/**
 * Which buckets (and key prefixes) the service may serve, and how. Entries are `bucket` or
 * `bucket/prefix`, public unless written `private:bucket[/prefix]`; `*` allows every bucket
 * (publicly; meant for local use). When entries overlap, the longest matching prefix decides.
 */
export class SourceAllowlist {
  private readonly entries: readonly SourceEntry[];
  private readonly allowAll: boolean;

  constructor(spec: readonly string[]) {
    const cleaned = spec.map((s) => s.trim()).filter((s) => s.length > 0);
    this.allowAll = cleaned.includes('*');
    this.entries = cleaned.filter((s) => s !== '*').map(parseSourceEntry);
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

  /** How an object is served, or undefined when the service must not serve it at all. */
  accessFor(bucket: string, key: string): AccessMode | undefined {
    let best: SourceEntry | undefined;
    for (const e of this.entries) {
      if (e.bucket === bucket && key.startsWith(e.prefix) && (best === undefined || e.prefix.length > best.prefix.length)) best = e;
    }
    return best?.access ?? (this.allowAll ? 'public' : undefined);
  }

  allows(bucket: string, key: string): boolean {
    return this.accessFor(bucket, key) !== undefined;
  }
}

export function parseSourceEntry(spec: string): SourceEntry {
  const isPrivate = spec.startsWith('private:');
  const rest = isPrivate ? spec.slice('private:'.length) : spec;
  const slash = rest.indexOf('/');
  return {
    bucket: slash < 0 ? rest : rest.slice(0, slash),
    prefix: slash < 0 ? '' : rest.slice(slash + 1),
    access: isPrivate ? 'private' : 'public',
  };
}
