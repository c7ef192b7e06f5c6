import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import jwt from 'jsonwebtoken';
import { paths, type StackConfig } from './config.js';

const DEMO_USERS = ['alice', 'bob'];

/** A development JWT secret kept in the state folder, so tokens stay valid across restarts. */
function devJwtSecret(config: StackConfig): string {
  const file = join(config.stateDir, 'dev-jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function startApp(name: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@chat/source', join(paths.repoRoot, 'apps', name, 'src/main.ts')],
    { cwd: paths.repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
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
 * Runs one persister and one gateway against the running stack in development mode, prints demo tokens,
 * and stops both on Ctrl-C. Resolves with the exit code.
 */
export async function runDev(config: StackConfig, connection: Record<string, string>): Promise<number> {
  const secret = devJwtSecret(config);
  const port = Number(process.env.SERVER_PORT || 3000);
  const env = {
    ...process.env,
    ...connection,
    NODE_ENV: 'development',
    JWT_SECRET: secret,
    SERVER_PORT: String(port),
  };
  const apps = [
    { name: 'persister', child: startApp('persister', env) },
    { name: 'gateway', child: startApp('gateway', env) },
  ];
  const stopAll = () => {
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

  const tokens = DEMO_USERS.map((user) => ({
    user,
    token: jwt.sign({ sub: user }, secret, { algorithm: 'HS256', expiresIn: '24h' }),
  }));
  process.stdout.write(
    [
      '',
      `Chat service is up: http://127.0.0.1:${port} (Socket.IO and HTTP). Ctrl-C stops it.`,
      'Demo tokens (valid 24 h):',
      ...tokens.map(({ user, token }) => `  ${user.padEnd(6)} ${token}`),
      'Try it:',
      `  curl -X POST -H "Authorization: Bearer ${tokens[0]?.token}" "http://127.0.0.1:${port}/api/v1/chat/convo/one-to-one?otherUserId=bob"`,
      `  socket.io-client: io("http://127.0.0.1:${port}", { auth: { token: "<alice's token>" } })`,
      `                     .emitWithAck("message:send", { clientMessageId: "1", otherUserId: "bob", text: "hi" })`,
      '',
    ].join('\n'),
  );

  const codes = await Promise.all(
    apps.map((app) => new Promise<number>((resolve) => app.child.once('exit', (code) => resolve(code ?? 1)))),
  );
  return codes.some((code) => code !== 0) ? 1 : 0;
}
