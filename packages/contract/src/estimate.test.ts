import { describe, expect, it } from 'vitest';
import { estimateSeconds, workUnits } from './estimate.ts';
import { canTransition, zAccountStatus } from './admin.ts';
import { errorBody } from './errors.ts';

describe('estimate', () => {
  it('cold start follows the seed formula', () => {
    expect(estimateSeconds({ type: 'video', width: 512, height: 512, steps: 8, batch_size: 1, num_frames: 81 })).toBe(
      18,
    );
    expect(estimateSeconds({ type: 'video', width: 512, height: 512, steps: 8, batch_size: 1, num_frames: 161 })).toBe(
      35,
    );
    expect(estimateSeconds({ type: 'image', width: 1024, height: 1024, steps: 30, batch_size: 1 })).toBe(12);
    expect(estimateSeconds({ type: 'image', width: 1024, height: 1024, steps: 50, batch_size: 1 })).toBe(20);
  });
  it('measured durations take over once known', () => {
    const p = { type: 'image' as const, width: 1000, height: 1000, steps: 10, batch_size: 2 };
    expect(workUnits(p)).toBe(20);
    expect(estimateSeconds(p, 0.5)).toBe(10);
  });
});

describe('error body', () => {
  it('carries both shapes of the seed', () => {
    const b = errorBody('queue_overloaded', 'Generation queue is overloaded');
    expect(b).toEqual({
      status: 'error',
      error: 'Generation queue is overloaded',
      code: 'queue_overloaded',
      user_action: 'Retry later.',
      detail: { code: 'queue_overloaded', detail: 'Generation queue is overloaded', user_action: 'Retry later.' },
    });
  });
});

describe('account transitions (all 25 pairs)', () => {
  const allowed = new Set([
    'pending>checking',
    'checking>ready',
    'checking>failed',
    'ready>checking',
    'failed>checking',
    'pending>disabled',
    'checking>disabled',
    'ready>disabled',
    'failed>disabled',
    'disabled>disabled',
    'disabled>pending',
  ]);
  for (const from of zAccountStatus.options) {
    for (const to of zAccountStatus.options) {
      it(`${from} → ${to}`, () => expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`)));
    }
  }
});
