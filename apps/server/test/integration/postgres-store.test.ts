import { openPostgresStore } from '#adapters/store/postgres-store.ts';
import { openPostgresPool } from '#adapters/store/postgres-db.ts';
import { describeStoreContract } from '../store-contract.ts';
import { freshDatabase } from '../test-databases.ts';

// The PostgreSQL adapter against the Store contract, a fresh database per test.
describeStoreContract('PostgreSQL', async () => openPostgresStore(openPostgresPool(await freshDatabase('contract'))));
