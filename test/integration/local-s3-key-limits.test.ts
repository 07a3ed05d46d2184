import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { MAX_LOCAL_KEY_LAST_SEGMENT_BYTES, unstorableKeyReason } from '../../local/s3-key-limits';
import { putObject, startTestService, testBytes } from '../support/service';

/**
 * Keys the local S3 cannot store (a segment over 255 bytes) get S3's errors through the real SDK,
 * and the endpoint answers ?torrent for them with 404, as on AWS for a missing object.
 */
type Service = Awaited<ReturnType<typeof startTestService>>;
let service: Service;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.stop());

const LONG = `k1024/${'k'.repeat(1018)}`;
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (err: { name: string; $metadata?: { httpStatusCode?: number } }) => `${err.$metadata?.httpStatusCode} ${err.name}`,
  );

test('the limits', () => {
  expect(unstorableKeyReason(`a/${'k'.repeat(MAX_LOCAL_KEY_LAST_SEGMENT_BYTES)}`)).toBeUndefined();
  expect(unstorableKeyReason(`a/${'k'.repeat(MAX_LOCAL_KEY_LAST_SEGMENT_BYTES + 1)}`)).toMatch(/cannot store a key segment of 234 bytes/);
  expect(unstorableKeyReason(`${'d'.repeat(255)}/x`)).toBeUndefined();
  expect(unstorableKeyReason(`${'d'.repeat(256)}/x`)).toMatch(/256 bytes/);
  expect(unstorableKeyReason(`${'€'.repeat(80)}`)).toMatch(/240 bytes/);
});

test('writes are refused with KeyTooLongError, reads find nothing, deletes succeed', async () => {
  const s3 = service.clients.s3;
  const Bucket = service.bucket;
  expect(await errorOf(s3.send(new PutObjectCommand({ Bucket, Key: LONG, Body: 'x' })))).toBe('400 KeyTooLongError');
  expect(await errorOf(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: LONG })))).toBe('400 KeyTooLongError');
  expect(await errorOf(s3.send(new GetObjectCommand({ Bucket, Key: LONG })))).toBe('404 NoSuchKey');
  expect(await errorOf(s3.send(new HeadObjectCommand({ Bucket, Key: LONG })))).toBe('404 NotFound');
  expect(await errorOf(s3.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/${LONG}` })))).toBe('404 NoSuchKey');
  expect(await errorOf(s3.send(new DeleteObjectCommand({ Bucket, Key: LONG })))).toBe('no error');
});

test('?torrent for such a key answers 404 NoSuchKey, and the stand-in keeps serving', async () => {
  const res = await fetch(`${service.apiUrl}/${service.bucket}/${LONG}?torrent`);
  expect(res.status).toBe(404);
  expect(((await res.json()) as { code: string }).code).toBe('NoSuchKey');
  await putObject(service.clients, service.bucket, 'after.bin', testBytes(1000));
  expect((await fetch(`${service.apiUrl}/${service.bucket}/after.bin?torrent`)).status).toBe(200);
});
