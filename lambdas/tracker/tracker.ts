import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { parseAnnounceRequest, parseScrapeRequest } from '../core/tracker/requests';
import { encodeAnnounceResponse, encodeFailure, encodeScrapeResponse } from '../core/tracker/responses';
import { TrackerError } from '../core/tracker/tracker-error';
import { binaryResponse, type HttpResult } from '../http/http';
import { ROUTE } from '../http/routes';
import type { TrackerService } from './tracker-service';

export interface TrackerDeps {
  readonly tracker: TrackerService;
  /** Honour the `ip`/`ipv4`/`ipv6` parameters instead of the request's source address. */
  readonly trustIpHints: boolean;
  readonly logger: Logger;
  /** Longest a request may take before it is answered with a failure (default 5 s). */
  readonly deadlineMs?: number;
}

export const UNAVAILABLE = 'the tracker is temporarily unavailable; try again later';

/** Left of the Lambda's own time when the deadline is set, so the answer always goes out before a timeout would. */
const TIMEOUT_MARGIN_MS = 1000;

/**
 * `GET /announce` and `GET /scrape`. Every answer is HTTP 200 with a bencoded body: a refused
 * request, and an outage too, is a `failure reason`, never a 5xx, because clients act on the body.
 */
export function makeTrackerHandler(deps: TrackerDeps) {
  return async (event: APIGatewayProxyEventV2, context?: Context): Promise<HttpResult> => {
    const budget = Math.min(deps.deadlineMs ?? 5000, (context?.getRemainingTimeInMillis() ?? Infinity) - TIMEOUT_MARGIN_MS);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${budget} ms`)), Math.max(0, budget));
    });
    try {
      return trackerResponse(await Promise.race([answer(deps, event), deadline]));
    } catch (err) {
      if (err instanceof TrackerError) return trackerResponse(encodeFailure(err.message));
      deps.logger.error('tracker request failed', { requestId: event.requestContext.requestId, error: err as Error });
      return trackerResponse(encodeFailure(UNAVAILABLE));
    } finally {
      clearTimeout(timer);
    }
  };
}

async function answer(deps: TrackerDeps, event: APIGatewayProxyEventV2): Promise<Uint8Array> {
  const rawQuery = event.rawQueryString ?? '';
  switch (event.routeKey) {
    case ROUTE.ANNOUNCE:
    case ROUTE.PRIVATE_ANNOUNCE: {
      const request = parseAnnounceRequest(rawQuery, { sourceIp: event.requestContext.http.sourceIp, trustIpHints: deps.trustIpHints });
      return encodeAnnounceResponse(await deps.tracker.announce(request, tokenOf(event)), request);
    }
    case ROUTE.SCRAPE:
    case ROUTE.PRIVATE_SCRAPE:
      return encodeScrapeResponse(await deps.tracker.scrape(parseScrapeRequest(rawQuery), tokenOf(event)));
    default:
      throw new TrackerError(`no tracker route ${event.routeKey}`);
  }
}

/** The private torrent's token from the path, on the private routes only. */
function tokenOf(event: APIGatewayProxyEventV2): string | undefined {
  if (event.routeKey !== ROUTE.PRIVATE_ANNOUNCE && event.routeKey !== ROUTE.PRIVATE_SCRAPE) return undefined;
  return event.pathParameters?.token ?? '';
}

/** The answer while the tracker cannot work at all (e.g. its signing key cannot be read): a failure reason, never a 5xx. */
export const trackerUnavailable = (): HttpResult => trackerResponse(encodeFailure(UNAVAILABLE));

function trackerResponse(body: Uint8Array): HttpResult {
  // Answers are per peer and per moment: no cache may keep them.
  return binaryResponse(body, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
}
