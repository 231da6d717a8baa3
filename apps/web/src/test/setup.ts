import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

const originalFetch = globalThis.fetch;

afterEach(() => {
  cleanup();
  localStorage.clear();
  globalThis.fetch = originalFetch; // tests replace fetch at our own boundary; put it back
});
