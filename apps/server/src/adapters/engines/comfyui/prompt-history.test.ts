// When an entry put together from the socket is enough, and when /history must be read after all.
import { describe, expect, it } from 'vitest';
import { holdsOutputs } from './prompt-history.ts';

const image = (filename: string, type = 'output') => ({ images: [{ filename, subfolder: '', type }] });

describe('holdsOutputs', () => {
  it("needs files of the template's output node, or of any node when the template names none", () => {
    expect(holdsOutputs({ outputs: { '9': image('a.png') } }, '9')).toBe(true);
    expect(holdsOutputs({ outputs: { '9': image('a.png') } }, undefined)).toBe(true);
    // the output node was cached and not replayed: another node's files are not the result
    expect(holdsOutputs({ outputs: { '12': image('b.png') } }, '9')).toBe(false);
    expect(holdsOutputs({ outputs: { '9': {} } }, '9')).toBe(false);
    // previews (temp files) are not results
    expect(holdsOutputs({ outputs: { '9': image('p.png', 'temp') } }, undefined)).toBe(false);
    expect(holdsOutputs({ outputs: {} }, undefined)).toBe(false);
  });
});
