import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Request, type Response, Router } from 'express';
import type { GatewayConfig } from '../config.js';

/** The page's sources: demo/ beside src/ (and beside dist/ in a build). */
const demoDir = fileURLToPath(new URL('../../demo/', import.meta.url));

/**
 * Bundles the page's TypeScript with socket.io-client, once, on first request; the contracts come from source.
 * esbuild is imported here, not at the top: a gateway with the page off (production's default) never loads it.
 */
async function bundle(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [`${demoDir}main.ts`],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    conditions: ['@chat/source'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

function cached(load: () => Promise<string>): () => Promise<string> {
  let loaded: Promise<string> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

/**
 * The demo chat page (`/`) and its assets under `/demo/`. Mounted only when `config.demoPage` is on; the ready-made
 * users come from DEMO_TOKENS, which `npm start` sets only for tokens it signed with its own development secret.
 */
export function demoRoutes(config: GatewayConfig): Router {
  const router = Router();
  const assets = {
    html: cached(() => readFile(`${demoDir}index.html`, 'utf8')),
    css: cached(() => readFile(`${demoDir}style.css`, 'utf8')),
    js: cached(bundle),
  };
  const serve =
    (type: string, load: () => Promise<string>) => async (_request: Request, response: Response) => {
      response
        .type(type)
        .set('cache-control', 'no-cache')
        .send(await load());
    };
  router.get('/', serve('html', assets.html));
  router.get('/demo/app.js', serve('text/javascript', assets.js));
  router.get('/demo/style.css', serve('css', assets.css));
  router.get('/demo/config.json', (_request, response) => {
    response.json({ users: config.demoUsers });
  });
  return router;
}
