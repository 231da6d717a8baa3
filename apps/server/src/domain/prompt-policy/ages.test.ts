import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findAges } from './ages.ts';
import { PromptPolicy } from './prompt-policy.ts';
import type { PolicyTerms } from './policy-terms.ts';

const terms = JSON.parse(
  fs.readFileSync(new URL('../../../policy/terms.json', import.meta.url), 'utf8'),
) as PolicyTerms;
const policy = new PromptPolicy(terms);
const saysMinor = (text: string): boolean => findAges(policy.tokenize(text)).length > 0;

describe('findAges: ages under 18 and school grades', () => {
  it.each([
    '14yo',
    '14 yo',
    '14 y.o.',
    '14 y/o',
    '14yrs',
    '12-year-old',
    '12 year old',
    '12 years old',
    '15 yrs old',
    '13 years of age',
    'age 12',
    'aged 13',
    'ages 3-5',
    'girl, 13 years',
    '8 months old',
    '18-month-old',
    'fourteen-year-old',
    'thirteen years old',
    'twelve yo',
    '12-14 year old',
    '16-20 year old',
    '5th grade',
    '5th-grader',
    'fifth grader',
    'grade 5',
    '14th birthday',
  ])('English: %s', (text) => {
    expect(saysMinor(text)).toBe(true);
  });

  it.each([
    'четырнадцатилетняя',
    'четырнадцатилетнюю',
    'двенадцатилетний',
    'двухлетка',
    'годовалый',
    '14-летняя',
    '14 летняя',
    '14летняя',
    '14-ти летняя',
    '14 лет',
    '3 года',
    'двенадцати лет',
    'пятнадцать лет',
    'возраст 13',
    '7 класс',
    'ученица 5-го класса',
    'пятый класс',
  ])('Russian: %s', (text) => {
    expect(saysMinor(text)).toBe(true);
  });

  it.each([
    '25-year-old',
    '18 years old',
    '18yo',
    'eighteen-year-old',
    'twenty-one-year-old',
    'twenty one years old',
    '21 y.o.',
    '18-25 year old',
    '18.5 year old',
    '1080p',
    '4k',
    'model 3',
    'iphone 14',
    '3 year warranty',
    '10 years of experience',
    '15 years ago',
    'top 10',
    '16:9',
    '14th century',
    'grade 13',
    'восемнадцатилетняя',
    'двадцатилетняя',
    '25 лет',
    '100-летний дуб',
    'многолетний',
    '12 класс',
  ])('not a minor: %s', (text) => {
    expect(saysMinor(text)).toBe(false);
  });

  it('returns the tokens of each mention', () => {
    expect(findAges(policy.tokenize('a 12-year-old boy'))).toEqual([{ start: 1, end: 4 }]);
    expect(findAges(policy.tokenize('четырнадцатилетняя'))).toEqual([{ start: 0, end: 1 }]);
  });
});
