// Entry point: `node --import tsx apps/simulator/src/main.ts`. Prints one JSON line per GPU
// once it listens, so a parent process can wait for {"msg":"simulator listening","port":N}.
import { ConfigError, simulatorConfig, USAGE } from './sim-config.ts';
import { startSimulator } from './simulator.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

let options;
try {
  options = simulatorConfig(process.env, argv);
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n${USAGE}\n`);
  process.exit(2);
}

try {
  const sim = await startSimulator(options);
  for (const port of sim.ports)
    process.stdout.write(
      `${JSON.stringify({ msg: 'simulator listening', port, host: options.host, output_dir: sim.outputDir })}\n`,
    );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 3000).unref();
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // a test double must not outlive the process that spawned it (e.g. a parent killed with SIGKILL)
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 1000).unref();
} catch (err) {
  process.stderr.write(`simulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
