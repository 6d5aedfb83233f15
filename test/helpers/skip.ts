// A test that cannot run here is registered as skipped with the reason in its title, so ava counts and lists it
// ("- [skip] title (not run: reason)"); a t.pass() on that path would have counted it as passed.
import test, { type ImplementationFn } from 'ava';
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

type Declare = (title: string, fn: ImplementationFn<[]>) => void;

/** `test` (or `test.serial`), or when `reason` says why it cannot run here, `test.skip` with the reason in the title. */
export function testUnless(reason: string | undefined, { serial = false } = {}): Declare {
  return (title, fn) => {
    if (reason) test.skip(`${title} (not run: ${reason})`, fn);
    else if (serial) test.serial(title, fn);
    else test(title, fn);
  };
}

/** Why `command` cannot be used here (`what` names its package), or undefined when it runs. */
export function missingCommand(command: string, what: string, args: readonly string[] = ['--version']): string | undefined {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return r.error ? `${what} is not installed` : undefined;
}

/** Why there is no IPv6 loopback here, or undefined (synchronous: ava wants every test declared at once). */
export function noIPv6Loopback(): string | undefined {
  const has = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === '::1'));
  return has ? undefined : 'no IPv6 loopback (::1) on this machine';
}
