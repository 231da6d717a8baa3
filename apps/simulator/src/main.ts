import { startSimulator } from './simulator.ts';

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const ports = list(process.env.SIM_PORTS ?? '8188,8189').map(Number);
if (ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) {
  process.stderr.write('SIM_PORTS must be a comma-separated list of ports\n');
  process.exit(2);
}
const timeScale = Number(process.env.SIM_TIME_SCALE ?? '1');
const sim = await startSimulator({
  ports,
  host: process.env.SIM_HOST ?? '127.0.0.1',
  timeScale: Number.isFinite(timeScale) && timeScale > 0 ? timeScale : 1,
  ...(process.env.SIM_OUTPUT_DIR ? { outputDir: process.env.SIM_OUTPUT_DIR } : {}),
  vramGb: Number(process.env.SIM_VRAM_GB ?? '80'),
  missingNodes: list(process.env.SIM_MISSING_NODES),
  missingModels: list(process.env.SIM_MISSING_MODELS),
});
for (const port of sim.ports) process.stdout.write(`${JSON.stringify({ msg: 'simulator listening', port })}\n`);
const stop = (): void => {
  void sim.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
