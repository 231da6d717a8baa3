// `mediagen`: the command-line tool of @mediagen/client (Node ≥ 20). The server comes from MEDIAGEN_URL
// (or --url), the key from MEDIAGEN_API_KEY (or --api-key). Exit codes by error class: cli-output.ts.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { GenerationType, ModelId } from '@mediagen/contract';
import { MediaGenClient } from './client.ts';
import { PAYLOAD_FLAGS, UsageError, payloadOptions, requestFromFlags } from './cli-generate-flags.ts';
import { EXIT, ProgressBar, errorJson, errorText, exitCodeFor } from './cli-output.ts';

const HELP = `mediagen — generate images and videos with a MediaGen server

Usage:
  mediagen generate -m <model> -p <prompt> [payload flags] [-o file] [--image file]…
  mediagen status <task_id>
  mediagen wait <task_id> [-o file]
  mediagen cancel <task_id>
  mediagen download <task_id> -o <file> [--index n]
  mediagen gallery [--type image|video] [--model id] [--limit n] [--cursor c]
  mediagen models

Options:
  --url <url>         server (default $MEDIAGEN_URL or http://127.0.0.1:8080)
  --api-key <key>     access key (default $MEDIAGEN_API_KEY)
  -o, --output <file> where to write the result (a batch adds -2, -3 … before the extension)
  -i, --image <file>  a reference image (twice for first_last_frame: first, then last)
  --no-wait           print the accepted task and exit without waiting
  --timeout <s>       stop waiting after this many seconds (the task keeps running)
  --json              machine-readable output on stdout (errors too)
  --lang <en|ru>      language of the server's messages
  -h, --help          this help

Payload flags (every field of POST /api/generate):
${PAYLOAD_FLAGS.map(
  (f) =>
    `  ${f.short ? `-${f.short}, ` : '    '}--${f.flag}${f.kind === 'image' ? ' <file|asset:id>' : f.choices ? ` <${f.choices.join('|')}>` : ` <${f.kind}>`}${f.kind === 'list' ? ' (comma-separated)' : ''}`,
).join('\n')}

Exit codes: 0 ok, 1 error, 2 usage, 3 invalid request (400/413/422), 4 auth (401/403), 5 not found,
6 rate limited or overloaded (429/503), 7 insufficient credits, 8 task failed, 9 task cancelled,
10 network, 11 wait timeout, 130 interrupted.
`;

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

function outputPath(base: string, index: number): string {
  if (index === 0) return base;
  const ext = path.extname(base);
  return `${base.slice(0, base.length - ext.length)}-${index + 1}${ext}`;
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...payloadOptions(),
      url: { type: 'string' },
      'api-key': { type: 'string' },
      output: { type: 'string', short: 'o' },
      image: { type: 'string', short: 'i', multiple: true },
      'no-wait': { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      lang: { type: 'string' },
      index: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command || command === 'help') {
    io.stdout.write(HELP);
    return command || values.help ? EXIT.ok : EXIT.usage;
  }
  const client = new MediaGenClient({
    ...(values.url ? { baseUrl: values.url } : {}),
    ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
    ...(values.lang ? { language: values.lang } : {}),
  });
  const json = values.json === true;
  const print = (human: string, data: unknown): void => {
    io.stdout.write(json ? `${JSON.stringify(data)}\n` : `${human}\n`);
  };
  const taskArg = (): string => {
    const id = args[0];
    if (!id) throw new UsageError(`${command} needs a task id`);
    return id;
  };
  const saveOutputs = async (taskId: string, count: number): Promise<string[]> => {
    const files: string[] = [];
    for (let i = 0; i < count; i++) {
      const file = await client.download(taskId, { index: i });
      const target = values.output ? outputPath(values.output, i) : file.filename;
      await fs.writeFile(target, file.bytes);
      files.push(target);
    }
    return files;
  };
  const waitAndSave = async (taskId: string): Promise<number> => {
    const bar = !json && io.stderr.isTTY ? new ProgressBar(io.stderr) : undefined;
    const timeout = values.timeout !== undefined ? Number(values.timeout) * 1000 : undefined;
    const result = await client.wait(taskId, {
      ...(timeout !== undefined && Number.isFinite(timeout) ? { timeoutMs: timeout } : {}),
      ...(bar ? { onEvent: (e) => bar.update(e) } : {}),
    });
    bar?.done(`completed ${taskId}`);
    const files = await saveOutputs(taskId, result.urls.length);
    print(files.join('\n'), { ...result, files });
    return EXIT.ok;
  };

  switch (command) {
    case 'generate': {
      const request = await requestFromFlags(values);
      const job = await client.generate(request);
      if (values['no-wait']) {
        print(job.task_id, job);
        return EXIT.ok;
      }
      if (!json) io.stderr.write(`task ${job.task_id} (seed ${job.seed})\n`);
      return waitAndSave(job.task_id);
    }
    case 'wait':
      return waitAndSave(taskArg());
    case 'status': {
      const s = await client.status(taskArg());
      print(`${s.status} ${s.progress}% ${s.stage}${s.error ? ` — ${s.error}` : ''}`, s);
      return EXIT.ok;
    }
    case 'cancel': {
      const s = await client.cancel(taskArg());
      print(`${s.task_id} ${s.status}`, s);
      return EXIT.ok;
    }
    case 'download': {
      const id = taskArg();
      const index = values.index !== undefined ? Number(values.index) : 0;
      const file = await client.download(id, { index });
      const target = values.output ?? file.filename;
      await fs.writeFile(target, file.bytes);
      print(target, { task_id: id, index, file: target, content_type: file.contentType, bytes: file.bytes.length });
      return EXIT.ok;
    }
    case 'gallery': {
      // the server judges the filter values (400 with its message)
      const raw = values as Readonly<Record<string, unknown>>;
      const type = typeof raw.type === 'string' ? (raw.type as GenerationType) : undefined;
      const model = typeof raw.model === 'string' ? (raw.model as ModelId) : undefined;
      const page = await client.gallery({
        ...(type ? { type } : {}),
        ...(model ? { model } : {}),
        ...(values.limit ? { limit: Number(values.limit) } : {}),
        ...(values.cursor ? { cursor: values.cursor } : {}),
      });
      const lines = page.items.map(
        (i) => `${i.task_id}  ${i.created_at}  ${i.model}/${i.mode}  ${i.prompt.slice(0, 60)}`,
      );
      if (page.next_cursor) lines.push(`more: --cursor ${page.next_cursor}`);
      print(lines.join('\n') || '(empty)', page);
      return EXIT.ok;
    }
    case 'models': {
      const info = await client.models();
      print(info.models.map((m) => `${m.id}  ${m.type}  ${m.modes.join(', ')}`).join('\n'), info);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown command ${command} (see mediagen --help)`);
  }
}

/** Runs the tool; resolves with its exit code (never throws). */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const json = argv.includes('--json');
  try {
    return await run(argv, io);
  } catch (err) {
    const usage = err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const error = usage ? new UsageError(err.message) : err;
    if (json) io.stdout.write(`${JSON.stringify(errorJson(error))}\n`);
    else io.stderr.write(`${errorText(error)}\n`);
    return exitCodeFor(error);
  }
}

const interrupted = (): void => {
  process.stderr.write('\ninterrupted: the task keeps running on the server (mediagen cancel <task_id> stops it)\n');
  process.exit(EXIT.interrupted);
};
process.once('SIGINT', interrupted);
process.exitCode = await main(process.argv.slice(2));
process.removeListener('SIGINT', interrupted);
