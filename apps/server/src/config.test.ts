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
    expect(() => loadConfig({ DATABASE_URL: 'postgres://[bad' })).toThrow(/DATABASE_URL/);
  });
  it('DATABASE_URL=postgres://… selects PostgreSQL; a path or sqlite: URL stays a SQLite file', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://mg@db:5432/mediagen' }).postgresUrl).toBe(
      'postgres://mg@db:5432/mediagen',
    );
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/mediagen' }).postgresUrl).toBe('postgresql://db/mediagen');
    const file = loadConfig({ DATABASE_URL: 'sqlite:///tmp/x.db' });
    expect(file.postgresUrl).toBeUndefined();
    expect(file.databaseFile).toBe('/tmp/x.db');
  });
  it('COMFYUI_URLS switches off the simulator', () => {
    expect(loadConfig({ COMFYUI_URLS: 'http://gpu1:8188, http://gpu2:8188' })).toMatchObject({
      simulated: false,
      COMFYUI_URLS: ['http://gpu1:8188', 'http://gpu2:8188'],
    });
  });
});
