// mona-nc completion: the bash/zsh script yargs writes, and the completions it asks mona-nc for, through real bash.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from './helpers/cli.js';
import { missingCommand, testUnless } from './helpers/skip.js';

test('the bash script names mona-nc and asks it for the completions', async (t) => {
  const r = await runCli(['completion'], { env: { SHELL: '/bin/bash' } });
  t.is(r.code, 0, r.stderr);
  const script = r.stdout.toString();
  t.regex(script, /complete -o bashdefault -o default -F _mona-nc_yargs_completions mona-nc/);
  t.regex(script, /mona-nc --get-yargs-completions/);
});

test('the zsh script when SHELL is zsh', async (t) => {
  const r = await runCli(['completion'], { env: { SHELL: '/usr/bin/zsh' } });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout.toString(), /^#compdef mona-nc/);
  t.regex(r.stdout.toString(), /compdef _mona-nc_yargs_completions mona-nc/);
});

testUnless(missingCommand('bash', 'bash'))('bash completes the commands, the udp subcommands and the flags', (t) => {
  // A `mona-nc` on PATH, as an install gives, so the script can call it back.
  const dir = mkdtempSync(join(tmpdir(), 'mona-nc-completion-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mona-nc'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(dir, 'mona-nc'), 0o755);
  const complete = (...words: string[]): string[] => {
    const line = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync('bash', ['-c', `source <(mona-nc completion) && COMP_WORDS=(mona-nc ${line}) && COMP_CWORD=${words.length} && _mona-nc_yargs_completions && printf '%s\\n' "\${COMPREPLY[@]}"`], {
      env: { PATH: `${dir}:${process.env.PATH ?? ''}`, SHELL: '/bin/bash' },
      encoding: 'utf8',
      timeout: 15000,
    });
    t.is(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  t.deepEqual(complete(''), ['completion', 'replay', 'run', 'tcp-client', 'tcp-server', 'udp']);
  t.deepEqual(complete('tcp'), ['tcp-client', 'tcp-server']);
  t.deepEqual(complete('udp', ''), ['bind', 'connect']);
  t.deepEqual(complete('tcp-server', '--ec'), ['--echo']);
  t.true(complete('tcp-client', '--').includes('--progress'));
  // Real spellings from the flag table: -4 (not --4), --no-shutdown; a command's own flags only.
  const serverFlags = complete('tcp-server', '-');
  t.true(serverFlags.includes('-4') && !serverFlags.includes('--4'), serverFlags.join(' '));
  t.true(complete('tcp-client', '--no').includes('--no-shutdown'));
  t.false(complete('tcp-client', '--').includes('--echo'));
  t.deepEqual(complete('udp', 'bind', '--ec'), ['--echo']);
});
