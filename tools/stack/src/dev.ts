import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import jwt from 'jsonwebtoken';
import { prettyFactory } from 'pino-pretty';
import { DEV_SESSION_TIMEOUT_MS, paths, type StackConfig } from './config.js';

const DEMO_USERS = ['alice', 'bob'];

/** A development JWT secret kept in the state folder, so tokens stay valid across restarts. */
function devJwtSecret(stateDir: string): string {
  const file = join(stateDir, 'dev-jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function demoTokens(secret: string): Array<{ user: string; token: string }> {
  return DEMO_USERS.map((user) => ({
    user,
    token: jwt.sign({ sub: user }, secret, { algorithm: 'HS256', expiresIn: '24h' }),
  }));
}

function readyMessage(port: number, tokens: Array<{ user: string; token: string }>): string {
  const base = `http://127.0.0.1:${port}`;
  const lines = [
    '',
    `Chat service is up: ${base} (Socket.IO and HTTP). Ctrl-C stops it.`,
    `Demo chat page: open ${base}/ in two windows and sign in as two users.`,
  ];
  if (tokens.length === 0) {
    return [
      ...lines,
      'It verifies tokens with your JWT_SECRET / JWT_PUBLIC_KEY: use tokens your identity provider issued',
      '(HS256, or RS256/ES256; `sub` is the user id, `exp` is required).',
      '',
    ].join('\n');
  }
  return [
    ...lines,
    'Demo tokens (valid 24 h):',
    ...tokens.map(({ user, token }) => `  ${user.padEnd(6)} ${token}`),
    'Try it:',
    `  curl -X POST -H "Authorization: Bearer ${tokens[0]?.token}" "${base}/api/v1/chat/convo/one-to-one?otherUserId=bob"`,
    `  @chat/client: const client = new ChatClient({ url: "${base}", token: "<alice's token>" });`,
    `               await client.connect(); await client.send({ otherUserId: "bob", text: "hi" });`,
    '',
  ].join('\n');
}

/**
 * The apps write JSON lines (what a log pipeline wants, in production too); `npm start` shows them to a person:
 * time, level, app, message, then the fields. A line that is not JSON (a crash's stack) is shown as it is.
 */
const pretty = prettyFactory({
  colorize: process.stdout.isTTY === true,
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: 'pid,hostname,gatewayId',
});

export function prettyLine(app: string, line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return `[${app}] ${line}\n`;
  }
  return typeof entry === 'object' && entry !== null ? pretty(entry) : `[${app}] ${line}\n`;
}

function startApp(name: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@chat/source', join(paths.repoRoot, 'apps', name, 'src/main.ts')],
    { cwd: paths.repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(prettyLine(name, line)));
  }
  return child;
}

function waitForReady(child: ChildProcess, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} during start-up`)));
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.includes(`"msg":"${name} ready"`)) resolve();
      });
    }
  });
}

/**
 * The gateway's verification key: the user's own (`JWT_SECRET` or `JWT_PUBLIC_KEY` in the environment, e.g. to
 * try tokens from a real identity provider), or else our development secret, for which we mint demo tokens.
 */
export function chooseJwt(
  env: NodeJS.ProcessEnv,
  stateDir: string,
): { env: Record<string, string>; devSecret?: string } {
  if (env.JWT_SECRET?.trim() || env.JWT_PUBLIC_KEY?.trim()) return { env: {} };
  const devSecret = devJwtSecret(stateDir);
  return { env: { JWT_SECRET: devSecret }, devSecret };
}

/**
 * What `npm start` sets for its apps beyond connections, port and keys: the rest (log level, partitions, the
 * gateway's limits…) keeps the apps' own defaults, or what the user's environment sets. `pnpm bench` starts ours
 * with the same settings, so that it measures what `npm start` runs.
 */
export function devAppSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    NODE_ENV: 'development',
    // A killed persister's partitions move to its replacement after 3 s, not the production default's 10 s.
    KAFKA_SESSION_TIMEOUT_MS: env.KAFKA_SESSION_TIMEOUT_MS || String(DEV_SESSION_TIMEOUT_MS),
  };
}

/**
 * The apps `npm start` runs: a persister and a gateway, and a notifier when a webhook is set
 * (`NOTIFY_WEBHOOK_URL`). A webhook without its secret is refused before anything starts: it would post
 * requests nobody can verify.
 */
export function devApps(env: NodeJS.ProcessEnv): string[] {
  if (!env.NOTIFY_WEBHOOK_URL?.trim()) return ['persister', 'gateway'];
  if (!env.NOTIFY_WEBHOOK_SECRET?.trim()) {
    throw new Error('NOTIFY_WEBHOOK_URL is set without NOTIFY_WEBHOOK_SECRET: set both, or neither');
  }
  return ['persister', 'gateway', 'notifier'];
}

/**
 * Runs `names` (devApps) against the running stack in development mode, prints demo tokens when it signs with
 * its own development secret, and stops them all on Ctrl-C. Resolves with the exit code.
 */
export async function runDev(
  config: StackConfig,
  connection: Record<string, string>,
  names: string[],
): Promise<number> {
  const jwtChoice = chooseJwt(process.env, config.stateDir);
  const port = Number(process.env.SERVER_PORT || 3000);
  const tokens = jwtChoice.devSecret === undefined ? [] : demoTokens(jwtChoice.devSecret);
  const env = {
    ...process.env,
    ...connection,
    ...jwtChoice.env,
    // The demo page offers these users: only tokens we signed ourselves.
    ...(tokens.length > 0
      ? { DEMO_TOKENS: tokens.map(({ user, token }) => `${user}=${token}`).join(',') }
      : {}),
    ...devAppSettings(process.env),
    SERVER_PORT: String(port),
  };
  const apps = names.map((name) => ({ name, child: startApp(name, env) }));
  let stopping = false;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGTERM');
  };
  // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal's process group, and relayed by
  // the tsx wrapper), and a second signal with no listener would kill it before it stops the stack.
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  try {
    await Promise.all(apps.map((app) => waitForReady(app.child, app.name)));
  } catch (error) {
    stopAll();
    throw error;
  }

  process.stdout.write(`${readyMessage(port, tokens)}\n`);
  if (names.includes('notifier')) {
    process.stdout.write(`Offline notifications are posted to ${process.env.NOTIFY_WEBHOOK_URL}\n\n`);
  }

  const codes = await Promise.all(
    apps.map((app) => new Promise<number>((resolve) => app.child.once('exit', (code) => resolve(code ?? 1)))),
  );
  return codes.some((code) => code !== 0) ? 1 : 0;
}
