// Calling user handlers: `this` is the socket (Lua's self), and a throwing handler is logged, never fatal.
import { logger } from '../log.js';

/** Report an error thrown by a handler: one ERROR line, the socket and its server go on. */
export function handlerFailed(name: string, err: unknown): void {
  logger().log('ERROR', `${name} failed: `, err);
}

/** Call `self[name](...args)` if it is a function; returns what it returned, or undefined when it threw. */
export function invoke<T extends object>(self: T, name: string, ...args: unknown[]): unknown {
  const fn: unknown = (self as Record<string, unknown>)[name];
  if (typeof fn !== 'function') return undefined;
  try {
    return (fn as (...a: unknown[]) => unknown).apply(self, args);
  } catch (err) {
    handlerFailed(name, err);
    return undefined;
  }
}

/** Whether `self` has a handler called `name`. */
export const hasHandler = (self: object, name: string): boolean => typeof (self as Record<string, unknown>)[name] === 'function';

const warned = new Set<string>();

/**
 * An event found no handler: a function set on the socket under a name we never call (`onDta`, `onMessage`) gets
 * one WARN per class and name, so that data going nowhere is never silent.
 */
export function unknownHandlers(self: object, kind: string, known: readonly string[]): void {
  for (const key of Object.keys(self)) {
    if (!/^on[A-Z]/.test(key) || known.includes(key) || typeof (self as Record<string, unknown>)[key] !== 'function') continue;
    const id = `${kind}.${key}`;
    if (warned.has(id)) continue;
    warned.add(id);
    logger().log('WARN', `${id} is not an event mona-nc calls: it will never run (${kind} events: ${known.join(', ')})`);
  }
}
