import type { HashKind } from '../core/object-hashes';
import type { ListedObject } from './object-listing';

/**
 * What a folder job hashes, written by the request that starts it and read by the workflow: the
 * listing its torrent describes (in the layout's order), and the objects whose stored hashes lack
 * a kind at the folder's piece length.
 */
export interface FolderJobPlan {
  readonly bucket: string;
  readonly prefix: string;
  readonly variant: string;
  readonly pieceLength: number;
  readonly objects: readonly ListedObject[];
  /** Indexes into `objects`, with the kinds of hash each lacks. */
  readonly toHash: readonly { readonly object: number; readonly kinds: readonly HashKind[] }[];
}

/**
 * Folder job plans (the metadata bucket, under the prefix the workflow may use), by id: the request
 * puts a job's plan under the job id, and the workflow's first step freezes the plan of its
 * attempt under the execution name, so every step of one execution reads the same plan.
 */
export interface FolderJobPlans {
  put(id: string, plan: FolderJobPlan): Promise<void>;
  get(id: string): Promise<FolderJobPlan | undefined>;
}
