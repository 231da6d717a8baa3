import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  it('defaults follow SPEC §10', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 8080,
      HOST: '127.0.0.1',
      AUTH_MODE: 'open',
      MAX_UPLOAD_MB: 20,
      simulated: true,
      ALLOWED_SIZES: [512, 768, 1024],
    });
    expect(c.databaseFile.endsWith('data/mediagen.db')).toBe(true);
  });
  it('a bad value stops the start with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ AUTH_MODE: 'maybe' })).toThrow(/AUTH_MODE/);
    expect(() => loadConfig({ COMFYUI_URLS: 'not a url' })).toThrow(/COMFYUI_URLS/);
    expect(() => loadConfig({ ADMIN_KEY: 'short' })).toThrow(/ADMIN_KEY/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x' })).toThrow(/DATABASE_URL/);
  });
  it('COMFYUI_URLS switches off the simulator', () => {
    expect(loadConfig({ COMFYUI_URLS: 'http://gpu1:8188, http://gpu2:8188' })).toMatchObject({
      simulated: false,
      COMFYUI_URLS: ['http://gpu1:8188', 'http://gpu2:8188'],
    });
  });
});
