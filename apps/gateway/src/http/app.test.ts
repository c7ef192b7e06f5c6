import { openApiDocument } from '@chat/contracts';
import { createLogger } from '@chat/runtime';
import type { ChatModels } from '@chat/storage';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { createHttpApp } from './app.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string;
}

/** `METHOD /path` of every route the app mounts, read from Express's router (nested routers included). */
function mountedRoutes(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        // Express's `:name` path parameters are OpenAPI's `{name}`.
        for (const method of Object.keys(layer.route.methods))
          routes.push(`${method} ${prefix}${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) {
        expect(typeof layer.rawPath, 'a mounted router has a plain path').toBe('string');
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return routes.sort();
}

function appWith(env: Record<string, string>): Express {
  const config = loadGatewayConfig(
    {
      MONGODB_URI: 'mongodb://127.0.0.1:27017/chat',
      KAFKA_BROKERS: '127.0.0.1:9092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
      JWT_SECRET: 'x'.repeat(32),
      ...env,
    },
    { gatewayId: 'g1', cursorSecret: 'random-per-process' },
  );
  return createHttpApp({
    config,
    models: {} as ChatModels,
    logger: createLogger({ name: 'test', level: 'silent' }),
    metrics: new Registry(),
    checks: {},
  });
}

describe('the OpenAPI document', () => {
  const described = Object.entries(openApiDocument().paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`))
    .sort();

  it('describes every route the gateway mounts, and no other (demo page on)', () => {
    const routes = mountedRoutes(appWith({ DEMO_PAGE: 'on' }));
    expect(routes.length).toBeGreaterThan(5);
    expect(routes).toEqual(described);
  });

  it('describes the demo routes as present only with the demo page on', () => {
    const withoutDemo = mountedRoutes(appWith({ DEMO_PAGE: 'off' }));
    const demoOnly = described.filter((route) => !withoutDemo.includes(route));
    expect(demoOnly).toEqual(['get /', 'get /demo/app.js', 'get /demo/config.json', 'get /demo/style.css']);
    const paths = openApiDocument().paths as Record<string, { get?: { tags?: string[] } }>;
    for (const route of demoOnly) expect(paths[route.slice('get '.length)]?.get?.tags).toEqual(['demo']);
  });
});
