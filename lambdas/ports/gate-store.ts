import type { GateState } from '../core/gate/gate-policy';

/**
 * Where each torrent's web-seed gate lives (lambdas/core/gate/gate-policy.ts). The endpoint and
 * every tracker container change it concurrently, so a change is a read, a decision and a write
 * conditional on nothing having changed in between (retried otherwise).
 */
export interface GateStore {
  /**
   * Reads the gate of `gateKey`, asks `decide` for the next one and stores it (deletes it for
   * undefined) unless it is the same. Returns the gate now in force.
   */
  change(gateKey: string, decide: (current: GateState | undefined) => GateState | undefined): Promise<GateState | undefined>;
  get(gateKey: string): Promise<GateState | undefined>;
}
