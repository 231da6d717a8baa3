import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_IDS } from '@mediagen/contract';
import { describe, expect, it } from 'vitest';

// A model is data (the registry in packages/contract and the workflow templates): server code that names
// one by its id is a place a new model would silently miss.
const SRC = path.dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('apps/server/src names no model id', () => {
  const pattern = new RegExp(`(['"\`])(${MODEL_IDS.join('|')})\\1`);
  for (const file of sourceFiles(SRC)) {
    it(path.relative(SRC, file), () => {
      const hits = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line: i + 1, text: line.trim() }))
        .filter((l) => pattern.test(l.text));
      expect(hits).toEqual([]);
    });
  }
});
