import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** under node_modules so `@mediagen/client` resolves as it does for a user of the workspace; ignored by git */
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'mediagen-readme');
/** tsx's loader by absolute URL: examples run in a temp cwd, where a bare `--import tsx` would not resolve */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The ```ts example=<name> blocks of a README, by name. */
export function readmeExamples(readme: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of fs.readFileSync(readme, 'utf8').matchAll(/```ts example=([\w-]+)\n([\s\S]*?)```/g)) {
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Write an example where it can import the workspace packages and start it with tsx. */
export function startExample(
  name: string,
  code: string,
  opts: { env: Record<string, string>; cwd: string },
): { child: ChildProcess; output: () => string; exit: Promise<number> } {
  fs.mkdirSync(CACHE, { recursive: true });
  const file = path.join(CACHE, `${name}.mts`);
  fs.writeFileSync(file, code);
  const child = spawn(process.execPath, ['--import', TSX, file], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  const exit = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return { child, output: () => text, exit };
}

/** Run an example to its end: its exit code and everything it printed. */
export async function runExample(
  name: string,
  code: string,
  opts: { env: Record<string, string>; cwd: string },
): Promise<{ code: number; output: string }> {
  const started = startExample(name, code, opts);
  const exit = await started.exit;
  return { code: exit, output: started.output() };
}
