import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { zEnv } from './config.ts';

describe('README configuration table', () => {
  it('names every environment variable the gateway reads', () => {
    const readme = fs.readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const undocumented = Object.keys(zEnv.shape).filter((name) => !readme.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});
