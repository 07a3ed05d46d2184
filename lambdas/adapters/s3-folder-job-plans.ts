import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { JOB_RESULTS_PREFIX } from '../ports/hashing-job';
import type { FolderJobPlan, FolderJobPlans } from '../ports/folder-job-plans';

/** Where folder job plans live: under the job results prefix, which the workflow's functions may use and a lifecycle rule expires. */
export const folderPlanKey = (id: string) => `${JOB_RESULTS_PREFIX}folders/${id}/plan.json`;

/** Folder job plans as JSON objects in the metadata bucket. */
export class S3FolderJobPlans implements FolderJobPlans {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(id: string, plan: FolderJobPlan): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: folderPlanKey(id), Body: JSON.stringify(plan), ContentType: 'application/json' }),
    );
  }

  async get(id: string): Promise<FolderJobPlan | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: folderPlanKey(id) }));
      return JSON.parse(await out.Body!.transformToString()) as FolderJobPlan;
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }
}
