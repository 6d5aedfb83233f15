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
