import { describe, expect, it } from 'vitest';
import { ProgressBar, errorJson, errorText } from './cli-output.ts';
import { ValidationError } from './errors.ts';

describe('CLI output', () => {
  it('draws one progress line in place, only when it changes', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (s) => writes.push(s) > 0, columns: 80 });
    const progress = (p: number, status: 'queued' | 'running' = 'running') =>
      bar.update({
        event: 'progress',
        data: { task_id: 't', status, progress: p, stage: 'sampling', queue_position: 2, eta_seconds: 9.6 },
      });
    progress(0, 'queued');
    progress(50);
    progress(50);
    bar.done('completed t');
    expect(writes).toHaveLength(3);
    expect(writes[0]).toMatch(/^\r\[░{24}\] {3}0% queued #2 · ~10s/);
    expect(writes[1]).toMatch(/^\r\[█{12}░{12}\] {2}50% sampling/);
    expect(writes[2]).toMatch(/completed t\n$/);
  });

  it('prints the server message, the fields and the advice', () => {
    const err = new ValidationError({
      code: 'fixed_parameter_violation',
      status: 422,
      message: 'A fixed parameter of this model was changed',
      details: [{ path: 'steps', message: 'must be 8 for anisora' }],
      userAction: "Use the model's fixed value for the fields named in details.",
    });
    expect(errorText(err)).toBe(
      [
        'error: A fixed parameter of this model was changed (422 fixed_parameter_violation)',
        '  steps: must be 8 for anisora',
        "hint: Use the model's fixed value for the fields named in details.",
      ].join('\n'),
    );
    expect(errorJson(err)).toEqual({
      error: {
        type: 'ValidationError',
        code: 'fixed_parameter_violation',
        status: 422,
        message: 'A fixed parameter of this model was changed',
        details: [{ path: 'steps', message: 'must be 8 for anisora' }],
        user_action: "Use the model's fixed value for the fields named in details.",
      },
    });
  });
});
