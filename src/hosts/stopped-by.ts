import type { Host } from './host.js';

/** Where each host call that takes a signal has its options. */
const OPTIONS_AT: Partial<Record<PropertyKey, number>> = {
  run: 1,
  oneshot: 1,
  expect: 1,
  put: 2,
  get: 2,
};

/**
 * The host, with `signal` given to each call of {@link OPTIONS_AT} that brings none: how the hosts
 * of an instruction or a test stop on Ctrl-C (a call may still bring its own signal, e.g. for
 * cleanup after Ctrl-C).
 * @example const host = stoppedBy(pool.get('web'), signal);
 */
export function stoppedBy(host: Host, signal: AbortSignal): Host {
  return new Proxy(host, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      const at = OPTIONS_AT[key];
      if (at === undefined) return method.bind(target);
      return (...args: unknown[]) => {
        const given = (args[at] ?? {}) as { signal?: AbortSignal };
        args[at] = given.signal ? given : { ...given, signal };
        return method.apply(target, args);
      };
    },
    set(target, key, value) {
      return Reflect.set(target, key, value, target);
    },
  });
}
