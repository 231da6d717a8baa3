// `npm run openapi`: regenerate docs/openapi.json from the contract's route table (a test fails when it is stale).
import fs from 'node:fs';
import { buildOpenApi } from '@mediagen/contract';
import { VERSION } from '../apps/server/src/version.ts';

const file = new URL('../docs/openapi.json', import.meta.url);
fs.writeFileSync(file, `${JSON.stringify(buildOpenApi(VERSION), null, 2)}\n`);
process.stdout.write(`wrote ${file.pathname}\n`);
