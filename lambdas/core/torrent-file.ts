import { bencode, RawBencode, type BencodeValue } from './bencode';

export interface TorrentFileFields {
  /** The bencoded info dict, spliced in as-is so its infohash cannot change. */
  readonly info: Uint8Array;
  readonly announce?: string;
  /** BEP 12 tiers; written only when there is more than one tracker. */
  readonly announceList?: readonly (readonly string[])[];
  /** BEP 19 web seeds; a single string is written as a string, as mktorrent does for one seed. */
  readonly urlList?: string | readonly string[];
  readonly creationDate?: Date;
  readonly createdBy?: string;
  readonly comment?: string;
  /** The bencoded BEP 52 `piece layers` dict of a v2 or hybrid torrent, spliced in as-is. */
  readonly pieceLayers?: Uint8Array;
}

/** Assembles a .torrent file around an already-encoded info dict. */
export function encodeTorrentFile(fields: TorrentFileFields): Uint8Array {
  const trackers = fields.announceList?.flat() ?? [];
  const outer: Record<string, BencodeValue | undefined> = {
    announce: fields.announce ?? trackers[0],
    'announce-list': trackers.length > 1 ? fields.announceList?.map((tier) => [...tier]) : undefined,
    comment: fields.comment,
    'created by': fields.createdBy,
    'creation date': fields.creationDate ? Math.floor(fields.creationDate.getTime() / 1000) : undefined,
    info: new RawBencode(fields.info),
    'piece layers': fields.pieceLayers ? new RawBencode(fields.pieceLayers) : undefined,
    'url-list':
      typeof fields.urlList === 'string' ? fields.urlList : fields.urlList && fields.urlList.length > 0 ? [...fields.urlList] : undefined,
  };
  return bencode(outer);
}
