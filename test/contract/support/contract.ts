/**
 * Contract suites: one suite per port, written once and run against every implementation of it
 * (the in-memory fake and the real adapter on the local stand-ins). A fake that disagrees with the
 * stand-in is the fake's bug: the suite is the definition of the port's behaviour.
 *
 * A suite is `portContract({ port, methods, targets, tests })`:
 * - `methods` lists every method of the port (`portMethods<P>()(...)` makes tsc insist on all of
 *   them), and after the suite each target must have had every one of them called at least once:
 *   no adapter method escapes its stand-in.
 * - each target's `setUp` builds one world (tables, buckets, a clock) for the whole suite; tests
 *   keep out of each other's way with their own keys (see `unique`).
 * - `tests(world)` declares the `it`s; `world()` returns the target's fixture, with `port` wrapped
 *   so that calls are recorded.
 */

/** What a target's setUp returns: the port under test, whatever else the tests drive, and a teardown. */
export interface Fixture<P> {
  readonly port: P;
  dispose?(): Promise<void> | void;
}

export interface ContractTarget<P, F extends Fixture<P> = Fixture<P>> {
  /** Shown in the test names: `fake`, `DynamoDB Local`, `s3rver`... */
  readonly name: string;
  setUp(): Promise<F> | F;
}

export interface PortContract<P, F extends Fixture<P>> {
  /** The port's name, as in `lambdas/ports/` (`JobStore`). */
  readonly port: string;
  readonly methods: readonly (keyof P & string)[];
  readonly targets: readonly ContractTarget<P, F>[];
  readonly tests: (world: () => F) => void;
}

/**
 * Every method name of `P`, checked by tsc in both directions: a name that is not a method is an
 * error, and so is leaving one out (the error names what is missing).
 */
export function portMethods<P>() {
  return <const M extends readonly (keyof P & string)[]>(
    ...names: M & ([Exclude<keyof P, M[number]>] extends [never] ? unknown : { missing: Exclude<keyof P, M[number]> })
  ): M => names;
}

export function portContract<P extends object, F extends Fixture<P>>(contract: PortContract<P, F>): void {
  describe.each(contract.targets.map((t) => [t.name, t] as const))(`${contract.port} contract on %s`, (_name, target) => {
    let fixture: F | undefined;
    const called = new Set<string>();
    beforeAll(async () => {
      const made = await target.setUp();
      fixture = { ...made, port: recordingCalls(made.port, called) };
    }, 60_000);
    afterAll(async () => {
      await fixture?.dispose?.();
    });

    contract.tests(() => {
      if (fixture === undefined) throw new Error(`${target.name}: setUp failed`);
      return fixture;
    });

    it(`calls every ${contract.port} method at least once`, () => {
      expect(contract.methods.filter((m) => !called.has(m))).toEqual([]);
    });
  });
}

/** The port with each method call noted in `called` (methods keep their own `this`). */
function recordingCalls<P extends object>(port: P, called: Set<string>): P {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        called.add(property);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

let counter = 0;
/** A name no other test in this run has used: tests of one suite share a world, never their keys. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${counter}`;
}

/** A clock the test moves by hand: the fake and the adapter read the same one. */
export class TestClock {
  constructor(private ms: number = Date.parse('2030-01-01T00:00:00Z')) {}
  readonly now = (): Date => new Date(this.ms);
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
