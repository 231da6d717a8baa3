import fs from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteStore } from '#adapters/store/sqlite-store.ts';
import { describeStoreContract } from '../store-contract.ts';
import { tempDir } from '../test-server.ts';

const dir = tempDir('mediagen-sqlite-store-');
let opened = 0;
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// The SQLite adapter against the Store contract, a fresh database file per test.
describeStoreContract('SQLite', async () => openSqliteStore(path.join(dir, `store-${++opened}.db`)));
