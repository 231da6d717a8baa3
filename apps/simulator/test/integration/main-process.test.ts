import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulatorConfig } from '../../src/sim-config.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('simulator process', () => {
  it('prints one JSON line per GPU, serves each port, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, SIM_PORTS: '0,0', SIM_TIME_SCALE: '0.01', SIM_MISSING_NODES: 'UnetLoaderGGUF' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ports: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no listening lines')), 20_000);
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        const msg = JSON.parse(line) as { msg: string; port: number };
        expect(msg.msg).toBe('simulator listening');
        ports.push(msg.port);
        if (ports.length === 2) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(new Set(ports).size).toBe(2);
    for (const port of ports) {
      const stats = (await (await fetch(`http://127.0.0.1:${port}/system_stats`)).json()) as {
        devices: Array<{ name: string }>;
      };
      expect(stats.devices[0]!.name).toBe(`Simulated GPU ${port}`);
      expect(await (await fetch(`http://127.0.0.1:${port}/object_info/UnetLoaderGGUF`)).json()).toEqual({});
    }
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });

  it('reads env, and command-line flags override it', () => {
    const env = {
      SIM_PORTS: '9000,9001',
      SIM_TIME_SCALE: '0.5',
      SIM_VRAM_GB: '80,24',
      SIM_MISSING_MODELS: '9001:ae.safetensors',
      SIM_PREVIEWS: '0',
    };
    expect(simulatorConfig(env, [])).toMatchObject({
      ports: [9000, 9001],
      timeScale: 0.5,
      vramGb: [80, 24],
      missingModels: ['9001:ae.safetensors'],
      previews: false,
      host: '127.0.0.1',
    });
    expect(simulatorConfig(env, ['--ports', '7000', '--time-scale=0.01', '--enable-cors-header'])).toMatchObject({
      ports: [7000],
      timeScale: 0.01,
      corsOrigin: '*',
    });
    expect(simulatorConfig({}, []).previews).toBe(true);
    expect(simulatorConfig({ SIM_PREVIEW_METHOD: 'none' }, []).previews).toBe(false);
    expect(simulatorConfig({}, ['--preview-method', 'taesd']).previews).toBe(true);
    expect(() => simulatorConfig({ SIM_PREVIEW_METHOD: 'fast' }, [])).toThrow(/SIM_PREVIEW_METHOD/);
    expect(simulatorConfig({ SIM_MODELS: 'pony, 8189:flux' }, []).models).toEqual(['pony', '8189:flux']);
    expect(simulatorConfig({}, []).models).toBeUndefined();
    expect(() => simulatorConfig({ SIM_PORTS: 'abc' }, [])).toThrow(/SIM_PORTS/);
    expect(() => simulatorConfig({ SIM_TIME_SCALE: '0' }, [])).toThrow(/SIM_TIME_SCALE/);
  });
});
