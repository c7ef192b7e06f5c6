import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface FloodOptions {
  url: string;
  token: string;
  /** Whom the flood's messages are addressed to. */
  peer: string;
  /** Sockets of the flooding user, each sending without waiting for answers. */
  sockets: number;
  /** `message:send` events a second from each socket, whatever the answers say. */
  ratePerSocket: number;
  durationMs: number;
  /** How long a socket the server closed (or refused) waits before connecting again. */
  reconnectDelayMs: number;
}

export interface FloodSummary {
  sent: number;
  /** Connections the server accepted (the first of each socket, and reconnects). */
  connections: number;
  /** Answers by outcome: `ok` or an error code. */
  answers: Record<string, number>;
  /** What the server said when it closed a socket (`session:closed`). */
  closedWith: Array<{ code: string; retryAfterMs?: number; retriable: boolean }>;
  /** `connect_error` codes of connections the server refused (a socket's first included). */
  reconnectRefusals: string[];
}

/**
 * One user flooding `message:send` from many real socket.io-client sockets, ignoring every RATE_LIMITED, in a
 * process of its own (so a test can measure another user's latency in its own undisturbed process).
 */
export function floodSends(options: FloodOptions): Promise<FloodSummary> {
  const script = fileURLToPath(new URL('./flood-client.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@chat/source', script, JSON.stringify(options)],
    {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const line = stdout.trim().split('\n').at(-1);
      if (code === 0 && line) resolve(JSON.parse(line) as FloodSummary);
      else reject(new Error(`the flood process exited with ${code}:\n${stderr}`));
    });
  });
}
