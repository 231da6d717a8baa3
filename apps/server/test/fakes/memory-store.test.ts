import { describeStoreContract } from '../store-contract.ts';
import { createMemoryStore } from './memory-store.ts';

// The fake must behave like the real adapter, or unit tests built on it prove nothing: same contract suite.
describeStoreContract('in-memory fake', async () => createMemoryStore());
