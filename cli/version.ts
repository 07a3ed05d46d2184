import packageJson from '../package.json';

export const VERSION: string = packageJson.version;
/** Written as `created by`, the way mktorrent writes "mktorrent 1.1". */
export const CREATED_BY = `s3-torrent ${VERSION}`;
