import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type AppOptions, type ParleyApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createFakeNlu, silentLogger, type FakeNlu } from '../conversation/doubles.js';

/**
 * A whole Parley app for the HTTP suites: PGlite in a temporary folder (or a server URL), the
 * test domain, the keyword NLU test double, port 0 on 127.0.0.1.
 */
export const APP_ENTITY_TYPES = ['order_id', 'tracking_number', 'email'];

export interface TestApp {
  app: ParleyApp;
  nlu: FakeNlu;
  url: string;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: AppOptions = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-app-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_DOMAIN: 'test/fixtures/domain-shop.yml',
    ...env,
  });
  // The test domain also names tracking_number (an alternative to order_id).
  const nlu = createFakeNlu('test-v1', APP_ENTITY_TYPES);
  const app = createApp(config, { nlu, logger: silentLogger, ...options });
  await app.start();

  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${app.url}${path}`, init);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (the page): keep the text.
    }
    return { status: response.status, body: body as any };
  };

  return {
    app,
    nlu,
    url: app.url,
    get: (path) => call(path),
    post: (path, body) =>
      call(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: async () => {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
