import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OUTPUT_THRESHOLDS,
  applicableRules,
  isExplicit,
  isReleasable,
  judgeOutputs,
  peakScores,
  type OutputCheckMode,
  type OutputRule,
} from './output-policy.ts';

const T = DEFAULT_OUTPUT_THRESHOLDS;
const CLEAN = { porn: 0.01, hentai: 0.02, sexy: 0.05 };
const EXPLICIT = { porn: 0.9, hentai: 0.03, sexy: 0.05 };

describe('isExplicit', () => {
  it.each([
    [{ porn: 0.5, hentai: 0, sexy: 0 }, true],
    [{ porn: 0.499, hentai: 0, sexy: 0 }, false],
    [{ porn: 0, hentai: 0.5, sexy: 0 }, true],
    [{ porn: 0, hentai: 0, sexy: 0.5 }, true],
    [{ porn: 0.3, hentai: 0.25, sexy: 0.15 }, true], // none alone, 0.7 together
    [{ porn: 0.3, hentai: 0.2, sexy: 0.19 }, false],
    [CLEAN, false],
  ])('%j → %s with the default thresholds', (scores, explicit) => {
    expect(isExplicit(scores, T)).toBe(explicit);
  });

  it('uses each class’s own threshold', () => {
    const strictPorn = { ...T, porn: 0.1 };
    expect(isExplicit({ porn: 0.1, hentai: 0, sexy: 0 }, strictPorn)).toBe(true);
    const lenientSexy = { ...T, sexy: 0.95, combined: 1.1 };
    expect(isExplicit({ porn: 0, hentai: 0, sexy: 0.9 }, lenientSexy)).toBe(false);
  });
});

describe('applicableRules and judgeOutputs: every combination', () => {
  const modes: OutputCheckMode[] = ['off', 'minors', 'all'];
  const cases = modes.flatMap((mode) =>
    [false, true].flatMap((minorIndicator) => [false, true].map((userSfw) => ({ mode, minorIndicator, userSfw }))),
  );

  function expectedRule(c: (typeof cases)[number]): OutputRule | undefined {
    if (c.mode === 'off') return undefined;
    if (c.minorIndicator) return 'minor+explicit';
    if (c.mode === 'all') return 'sfw-instance';
    if (c.userSfw) return 'sfw-user';
    return undefined;
  }

  it.each(cases)(
    '%j: explicit output is withheld by the strongest rule that applies; clean output is delivered',
    (c) => {
      const rule = expectedRule(c);
      expect(applicableRules(c)[0]).toBe(rule);
      expect(judgeOutputs(c, [CLEAN, CLEAN], T)).toEqual({ action: 'deliver' });
      expect(judgeOutputs(c, [CLEAN, EXPLICIT], T)).toEqual(
        rule ? { action: 'withhold', rule, explicit: [1] } : { action: 'deliver' },
      );
    },
  );

  it('minors mode delivers an adult prompt’s explicit output and withholds the same output with a minor indicator', () => {
    const adult = { mode: 'minors' as const, minorIndicator: false, userSfw: false };
    expect(judgeOutputs(adult, [EXPLICIT], T).action).toBe('deliver');
    expect(judgeOutputs({ ...adult, minorIndicator: true }, [EXPLICIT], T)).toEqual({
      action: 'withhold',
      rule: 'minor+explicit',
      explicit: [0],
    });
    expect(judgeOutputs({ ...adult, mode: 'all' }, [EXPLICIT], T)).toEqual({
      action: 'withhold',
      rule: 'sfw-instance',
      explicit: [0],
    });
  });

  it('off checks nothing, whatever the prompt or the user', () => {
    expect(applicableRules({ mode: 'off', minorIndicator: true, userSfw: true })).toEqual([]);
    expect(judgeOutputs({ mode: 'off', minorIndicator: true, userSfw: true }, [EXPLICIT], T).action).toBe('deliver');
  });

  it('lists every rule that applies, strongest first', () => {
    expect(applicableRules({ mode: 'all', minorIndicator: true, userSfw: true })).toEqual([
      'minor+explicit',
      'sfw-instance',
      'sfw-user',
    ]);
  });

  it('withholds a clip when any sampled frame is explicit, naming those frames', () => {
    const ctx = { mode: 'minors' as const, minorIndicator: true, userSfw: false };
    expect(judgeOutputs(ctx, [CLEAN, CLEAN, EXPLICIT, CLEAN, EXPLICIT], T)).toEqual({
      action: 'withhold',
      rule: 'minor+explicit',
      explicit: [2, 4],
    });
    expect(judgeOutputs(ctx, [], T).action).toBe('deliver');
  });
});

describe('release and scores', () => {
  it('only safe-for-work withholdings can be released', () => {
    expect(isReleasable('minor+explicit')).toBe(false);
    expect(isReleasable('sfw-instance')).toBe(true);
    expect(isReleasable('sfw-user')).toBe(true);
  });

  it('reports the peak of each explicit class, rounded, without the other classes', () => {
    expect(
      peakScores([
        { porn: 0.12345, hentai: 0.5, sexy: 0.1 },
        { porn: 0.9, hentai: 0.01, sexy: 0.33333, neutral: 0.1 } as typeof CLEAN,
      ]),
    ).toEqual({ porn: 0.9, hentai: 0.5, sexy: 0.333 });
    expect(peakScores([])).toEqual({ porn: 0, hentai: 0, sexy: 0 });
  });
});
