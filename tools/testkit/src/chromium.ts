import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium: a test tool's own browser download cannot reach its servers from our machines and CI. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Installs Debian's chromium package when it is missing (CI runs as root on a fresh machine), saying so on
 * `progress`: minutes on a first run, nothing afterwards. The integration suite's global setup runs it once,
 * before any test.
 */
export function ensureChromium(progress: (line: string) => void): void {
  if (existsSync(CHROMIUM)) return;
  const started = Date.now();
  progress(`Browser tests: installing Debian's chromium with apt-get (first run only, a few minutes)…`);
  const apt = (...args: string[]) =>
    execFileSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  apt('update');
  apt('install', '-y', 'chromium');
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
  progress(`Browser tests: chromium installed in ${Math.round((Date.now() - started) / 1000)} s.`);
}
