#!/usr/bin/env node
// `mediagen` / `npx mediagen`: the command-line tool is TypeScript (the workspace ships sources, like
// @mediagen/contract), run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
