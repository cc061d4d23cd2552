import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('gives defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.PARLEY_DEVICE).toBe('cpu');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SLACK_ADMIN_USERS).toEqual([]);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ PARLEY_DEVICE: 'tpu' })).toThrow(/PARLEY_DEVICE/);
  });

  it('splits lists on commas', () => {
    expect(loadConfig({ SLACK_ADMIN_USERS: 'U1, U2,,' }).SLACK_ADMIN_USERS).toEqual(['U1', 'U2']);
  });
});
