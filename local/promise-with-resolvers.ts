/**
 * aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22+). On Node 20 this adds it, and
 * nothing else; import it before the library runs a state machine.
 */
const withResolvers = <T>() => {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};
const P = Promise as unknown as { withResolvers?: typeof withResolvers };
P.withResolvers ??= withResolvers;

export {};
