import { describe, expect, it } from 'vitest';
import { SLACK_APP_NEEDS, SLACK_EVENTS_PATH } from '../../../adapters/slack/index.js';
import { readManifest } from './harness.js';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

describe('adapters/slack/manifest.yml', () => {
  it('asks for exactly the scopes, events and commands the code uses', async () => {
    const granted = await readManifest();
    expect([...granted.botScopes].sort()).toEqual([...SLACK_APP_NEEDS.botScopes].sort());
    expect([...granted.botEvents].sort()).toEqual([...SLACK_APP_NEEDS.botEvents].sort());
    expect(granted.commands).toEqual([...SLACK_APP_NEEDS.commands]);
  });

  it('sends events, interactions and the command to the one events path', async () => {
    const manifest = parse(
      await readFile(new URL('../../../adapters/slack/manifest.yml', import.meta.url), 'utf8'),
    );
    const urls = [
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.features.slash_commands.map((c: { url: string }) => c.url),
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe(SLACK_EVENTS_PATH);
  });
});
