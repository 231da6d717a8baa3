import { describe, expect, it } from 'vitest';
import { Stems } from './stems.ts';

const stems = new Stems();
const same = (script: 'latin' | 'cyrillic', words: string[]): void => {
  const first = stems.stem(words[0] as string, script);
  for (const w of words) expect(stems.stem(w, script), w).toBe(first);
};

describe('Stems', () => {
  it('gives every Russian case and gender form of a word one stem', () => {
    same('cyrillic', ['школьница', 'школьницу', 'школьницы', 'школьницей', 'школьнице', 'школьниц']);
    same('cyrillic', [
      'обнаженная',
      'обнаженную',
      'обнаженной',
      'обнаженный',
      'обнаженного',
      'обнаженные',
      'обнаженных',
    ]);
    same('cyrillic', ['девочка', 'девочку', 'девочки', 'девочкой', 'девочке']);
    same('cyrillic', ['дети', 'детей', 'детям', 'детях']);
    same('cyrillic', ['подростка', 'подростку', 'подростки', 'подростков', 'подростком']);
  });

  it('gives English plurals and derived forms one stem', () => {
    same('latin', ['kid', 'kids']);
    same('latin', ['teen', 'teens']);
    same('latin', ['adolescent', 'adolescents']);
    same('latin', ['nude', 'nudes']);
    same('latin', ['teenager', 'teenagers', 'teenage']);
  });

  it('keeps unrelated words apart', () => {
    expect(stems.stem('kidney', 'latin')).not.toBe(stems.stem('kid', 'latin'));
    expect(stems.stem('cumulus', 'latin')).not.toBe('cum');
    expect(stems.stem('pedometer', 'latin')).not.toBe(stems.stem('pedo', 'latin'));
    expect(stems.stem('средневековый', 'cyrillic')).not.toBe(stems.stem('среди', 'cyrillic'));
  });

  it('leaves short words and other scripts as they are', () => {
    expect(stems.stem('cp', 'latin')).toBe('cp');
    expect(stems.stem('東京', 'other')).toBe('東京');
  });
});
