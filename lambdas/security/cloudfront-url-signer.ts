import { getSignedUrl } from '@aws-sdk/cloudfront-signer';

/** The private half of a CloudFront key-group member: the key-pair id is the CloudFront public key's id. */
export interface CloudFrontSigningKey {
  readonly keyPairId: string;
  readonly privateKeyPem: string;
}

/**
 * A CloudFront signed URL (canned policy, RSA-SHA1: what every CloudFront edge accepts) valid until
 * `expires` (Unix seconds). Its lifetime is whatever we choose: CloudFront checks the signature
 * against the key group, not any AWS credentials, so nothing else can cut it short.
 */
export function signCloudFrontUrl(url: string, key: CloudFrontSigningKey, expires: number): string {
  return getSignedUrl({ url, keyPairId: key.keyPairId, privateKey: key.privateKeyPem, dateLessThan: new Date(expires * 1000) });
}
