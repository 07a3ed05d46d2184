import { SourceAllowlist } from '../../lambdas/config/sources';
import { parseSourceBuckets, sourceSpec } from '../../lib/source-buckets';

describe('SourceAllowlist', () => {
  const list = SourceAllowlist.parse('media, private:media/secret/, private:docs, docs/public/');

  it.each([
    ['media', 'a.bin', 'public'],
    ['media', 'secret/a.bin', 'private'],
    ['docs', 'internal.pdf', 'private'],
    ['docs', 'public/readme.pdf', 'public'],
    ['other', 'a.bin', undefined],
  ])('%s/%s -> %s (the longest matching prefix decides)', (bucket, key, access) => {
    expect(list.accessFor(bucket, key)).toBe(access);
  });

  it('`*` allows any bucket publicly; an empty list allows nothing', () => {
    expect(SourceAllowlist.parse('*').accessFor('x', 'y')).toBe('public');
    expect(SourceAllowlist.parse('').accessFor('x', 'y')).toBeUndefined();
  });

  it('round-trips through the CDK configuration syntax', () => {
    const spec = 'media,private:media/secret/,private:docs';
    expect(sourceSpec(parseSourceBuckets(spec.split(',')))).toBe(spec);
  });
});
