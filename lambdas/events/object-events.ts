/**
 * S3 object events, from either delivery: S3 event notifications (`{"Records": [...]}`, keys
 * URL-encoded with `+` for spaces) or EventBridge (`"source": "aws.s3"`, keys as they are).
 */
export interface ObjectEvent {
  readonly kind: 'created' | 'removed';
  readonly bucket: string;
  readonly key: string;
}

interface NotificationRecord {
  eventSource?: string;
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string } };
}

interface EventBridgeEvent {
  source?: string;
  'detail-type'?: string;
  detail?: { bucket?: { name?: string }; object?: { key?: string } };
}

/** The object events in a Lambda event; anything else (S3's test event, unrelated events) yields none. */
export function objectEvents(event: unknown): ObjectEvent[] {
  if (typeof event !== 'object' || event === null) return [];
  const records = (event as { Records?: unknown }).Records;
  if (Array.isArray(records)) return records.flatMap((r) => fromNotification(r as NotificationRecord));
  return fromEventBridge(event as EventBridgeEvent);
}

function fromNotification(record: NotificationRecord): ObjectEvent[] {
  const bucket = record.s3?.bucket?.name;
  const rawKey = record.s3?.object?.key;
  if (record.eventSource !== 'aws:s3' || bucket === undefined || rawKey === undefined) return [];
  const kind = record.eventName?.startsWith('ObjectCreated:')
    ? 'created'
    : record.eventName?.startsWith('ObjectRemoved:')
      ? 'removed'
      : undefined;
  return kind ? [{ kind, bucket, key: decodeNotificationKey(rawKey) }] : [];
}

function fromEventBridge(event: EventBridgeEvent): ObjectEvent[] {
  const bucket = event.detail?.bucket?.name;
  const key = event.detail?.object?.key;
  if (event.source !== 'aws.s3' || bucket === undefined || key === undefined) return [];
  const kind = event['detail-type'] === 'Object Created' ? 'created' : event['detail-type'] === 'Object Deleted' ? 'removed' : undefined;
  return kind ? [{ kind, bucket, key }] : [];
}

/** S3 notifications URL-encode keys form-style: `+` is a space, `%2B` a plus. */
export function decodeNotificationKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** The inverse, for stand-ins (s3rver) that put raw keys into notifications. */
export function encodeNotificationKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}
