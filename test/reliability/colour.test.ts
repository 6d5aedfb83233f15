// Issue 10 #16: colour follows the terminal's and the user's wishes: none for TERM=dumb (as for NO_COLOR), and
// FORCE_COLOR forces it even into a pipe (0/false refuse it), as Node and chalk read it.
import test from 'ava';
import { runCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/net.js';
import { noPty, runInPty } from '../helpers/pty.js';
import { testUnless } from '../helpers/skip.js';

const ESC = '\u001b[';

/** The terminal output of a refused connect under a pseudo-terminal, with `env`. */
async function onTerminal(env: NodeJS.ProcessEnv): Promise<string> {
  const port = await closedPort();
  const { code, output } = await runInPty(['tcp-client', `127.0.0.1:${port}`], '', { NO_COLOR: '', TERM: 'xterm-256color', ...env }).done();
  if (code !== 1 || !/Unable to connect/.test(output)) throw new Error(`unexpected run (exit ${String(code)}): ${JSON.stringify(output)}`);
  return output;
}

testUnless(noPty())('issue 10 #16: TERM=dumb on a terminal gets no colour; a real terminal does', async (t) => {
  t.true((await onTerminal({})).includes(ESC), 'xterm-256color: coloured');
  const dumb = await onTerminal({ TERM: 'dumb' });
  t.false(dumb.includes(ESC), JSON.stringify(dumb));
  t.regex(dumb, /ERROR Unable to connect/);
  t.false((await onTerminal({ NO_COLOR: '1' })).includes(ESC), 'NO_COLOR');
  t.false((await onTerminal({ FORCE_COLOR: '0' })).includes(ESC), 'FORCE_COLOR=0 refuses it');
  t.true((await onTerminal({ TERM: 'dumb', FORCE_COLOR: '1' })).includes(ESC), 'FORCE_COLOR wins over TERM=dumb');
});

test('issue 10 #16: FORCE_COLOR colours logs written into a pipe', async (t) => {
  const port = await closedPort();
  const plain = await runCli(['tcp-client', `127.0.0.1:${port}`]);
  t.false(plain.stderr.includes(ESC), plain.stderr);
  for (const force of ['1', '', 'true', '3']) {
    const forced = await runCli(['tcp-client', `127.0.0.1:${port}`], { env: { FORCE_COLOR: force, NO_COLOR: '1' } });
    t.is(forced.code, 1);
    t.true(forced.stderr.includes(`${ESC}31mERROR`), `FORCE_COLOR=${JSON.stringify(force)}: ${JSON.stringify(forced.stderr)}`);
  }
  const refused = await runCli(['tcp-client', `127.0.0.1:${port}`], { env: { FORCE_COLOR: 'false' } });
  t.false(refused.stderr.includes(ESC), refused.stderr);
});
