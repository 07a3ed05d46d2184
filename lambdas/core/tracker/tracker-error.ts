/**
 * A request the tracker refuses. Its message is the bencoded `failure reason` the client sees, so
 * it must be safe to show and say what to fix. Clients get it with HTTP 200: BitTorrent clients
 * read the body, and many treat any other status as "tracker down" and retry blindly.
 */
export class TrackerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrackerError';
  }
}
