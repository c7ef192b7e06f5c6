#!/usr/bin/env node
// Entry of `npm start` / `npm test` on a fresh clone: installs pnpm (pinned by package.json's packageManager)
// into a cache outside the repo and the workspace's node modules when missing or stale, then runs a
// package script with that pnpm. Plain Node on purpose: nothing is installed yet when it runs.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { constants, homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/run.mjs <package-script> [args…]');
  process.exit(2);
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`Node.js 20 or newer is required; this is ${process.version}.`);
  process.exit(1);
}

/**
 * Runs a command to its end and resolves with its exit status. Ctrl-C reaches every process of the terminal's
 * foreground group, the command's included, which stops by itself: this process only waits, so it outlives its
 * command and exits with the command's status. A SIGTERM or SIGHUP sent to this process alone is passed on,
 * unless a Ctrl-C came first.
 */
function run(command, commandArgs, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: root, ...options });
    // After a Ctrl-C the command is already stopping by itself: npm follows the SIGINT with a SIGTERM of its
    // own to this process, which, passed on, would kill the command's wrappers before it stopped the stack.
    let interrupted = false;
    const wait = () => {
      interrupted = true;
    };
    const forward = (signal) => {
      if (!interrupted) child.kill(signal);
    };
    process.on('SIGINT', wait);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    const done = () => {
      process.off('SIGINT', wait);
      process.off('SIGTERM', forward);
      process.off('SIGHUP', forward);
    };
    child.once('error', (error) => {
      done();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

const packageManager = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const pnpmVersion = packageManager.replace(/^pnpm@/, '');
const cacheDir =
  process.env.CHAT_STACK_CACHE_DIR ||
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'chat-stack');
const pnpmPrefix = join(cacheDir, `pnpm-${pnpmVersion}`);
const pnpmBin = join(pnpmPrefix, 'node_modules', '.bin');

if (!existsSync(join(pnpmBin, 'pnpm'))) {
  console.error(`Installing pnpm ${pnpmVersion} into ${pnpmPrefix} (first run only)…`);
  mkdirSync(pnpmPrefix, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const status = await run(npm, [
    'install',
    '--prefix',
    pnpmPrefix,
    '--no-save',
    '--no-package-lock',
    `pnpm@${pnpmVersion}`,
  ]);
  if (status !== 0) process.exit(status);
}

const env = { ...process.env, PATH: `${pnpmBin}${delimiter}${process.env.PATH}` };

// Reinstall when the lock file changed since the last install (a pull, a branch switch).
const lockHash = createHash('sha256')
  .update(readFileSync(join(root, 'pnpm-lock.yaml')))
  .digest('hex');
const stamp = join(root, 'node_modules', '.chat-lock-hash');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  console.error('Installing node modules with pnpm…');
  const status = await run('pnpm', ['install', '--frozen-lockfile'], { env });
  if (status !== 0) process.exit(status);
  writeFileSync(stamp, lockHash);
}

process.exit(await run('pnpm', ['run', script, ...args], { env }));
