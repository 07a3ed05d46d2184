import fc from 'fast-check';
import { decodeNotificationKey, encodeNotificationKey, objectEvents } from '../../lambdas/events/object-events';

const notification = (eventName: string, key: string) => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName,
      s3: { s3SchemaVersion: '1.0', bucket: { name: 'media' }, object: { key, size: 1 } },
    },
  ],
});
const eventBridge = (detailType: string, key: string) => ({
  version: '0',
  source: 'aws.s3',
  'detail-type': detailType,
  detail: { version: '0', bucket: { name: 'media' }, object: { key, size: 1 }, reason: 'PutObject' },
});

describe('objectEvents', () => {
  it.each([
    ['ObjectCreated:Put', 'created'],
    ['ObjectCreated:CompleteMultipartUpload', 'created'],
    ['ObjectCreated:Copy', 'created'],
    ['ObjectRemoved:Delete', 'removed'],
    ['ObjectRemoved:DeleteMarkerCreated', 'removed'],
  ])('reads an S3 notification %s as %s, decoding its URL-encoded key', (eventName, kind) => {
    expect(objectEvents(notification(eventName, 'films/my+movie+%282%29+%2B+extras.mkv'))).toEqual([
      { kind, bucket: 'media', key: 'films/my movie (2) + extras.mkv' },
    ]);
  });

  it.each([
    ['Object Created', 'created'],
    ['Object Deleted', 'removed'],
  ])('reads an EventBridge "%s" as %s, with its key as is', (detailType, kind) => {
    expect(objectEvents(eventBridge(detailType, 'films/my movie+extras.mkv'))).toEqual([
      { kind, bucket: 'media', key: 'films/my movie+extras.mkv' },
    ]);
  });

  it('ignores what is not an object event', () => {
    expect(objectEvents({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'media' })).toEqual([]);
    expect(objectEvents(notification('ObjectRestore:Completed', 'a'))).toEqual([]);
    expect(objectEvents(eventBridge('Object Restore Completed', 'a'))).toEqual([]);
    expect(objectEvents({ source: 'aws.ec2', 'detail-type': 'Object Created', detail: {} })).toEqual([]);
    expect(objectEvents(null)).toEqual([]);
  });

  it('decodes what it encodes, for any key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (key) =>
        expect(decodeNotificationKey(encodeNotificationKey(key))).toBe(key),
      ),
    );
  });
});
