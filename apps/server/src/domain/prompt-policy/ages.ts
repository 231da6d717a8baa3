import type { Token } from './tokenizer.ts';

/** A run of tokens [start, end) that says someone is under 18: an age, a school grade, a birthday. */
export interface AgeSpan {
  start: number;
  end: number;
}

const ADULT_AGE = 18;
const MAX_GRADE = 12;

// Number words. Russian numerals in every case form a prompt is likely to use ("четырнадцати лет").
const NUMBER_WORDS = new Map<string, number>();
const TENS = new Map<string, number>();
const addForms = (value: number, forms: string, to = NUMBER_WORDS): void => {
  for (const f of forms.split(' ')) to.set(f, value);
};
'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen'
  .split(' ')
  .forEach((w, i) => NUMBER_WORDS.set(w, i));
'twenty thirty forty fifty sixty seventy eighty ninety'.split(' ').forEach((w, i) => TENS.set(w, 20 + 10 * i));
addForms(1, 'один одна одно одного одной одному одним одном одну');
addForms(2, 'два две двух двум двумя');
addForms(3, 'три трех трем тремя');
addForms(4, 'четыре четырех четырем четырьмя');
addForms(8, 'восемь восьми восемью');
for (const [stem, value] of [
  ['пят', 5],
  ['шест', 6],
  ['сем', 7],
  ['девят', 9],
  ['десят', 10],
  ['одиннадцат', 11],
  ['двенадцат', 12],
  ['тринадцат', 13],
  ['четырнадцат', 14],
  ['пятнадцат', 15],
  ['шестнадцат', 16],
  ['семнадцат', 17],
  ['восемнадцат', 18],
  ['девятнадцат', 19],
] as const) {
  addForms(value, `${stem}ь ${stem}и ${stem}ью`);
}
addForms(20, 'двадцать двадцати двадцатью', TENS);
addForms(30, 'тридцать тридцати тридцатью', TENS);
addForms(40, 'сорок сорока', TENS);
addForms(50, 'пятьдесят пятидесяти', TENS);
addForms(60, 'шестьдесят шестидесяти', TENS);
addForms(70, 'семьдесят семидесяти', TENS);
addForms(80, 'восемьдесят восьмидесяти', TENS);
addForms(90, 'девяносто девяноста', TENS);

// "четырнадцатилетняя", "двухлетка", "пятигодовалый": a numeral's combining form + years
const COMPOUND_PREFIX = new Map<string, number>();
'одно двух трех четырех пяти шести семи восьми девяти десяти одиннадцати двенадцати тринадцати четырнадцати пятнадцати шестнадцати семнадцати'
  .split(' ')
  .forEach((p, i) => COMPOUND_PREFIX.set(p, i + 1));
const COMPOUND = /^(.*?)(летн|летк|годовал)/;

const ORDINALS = new Map<string, number>();
'first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth'
  .split(' ')
  .forEach((w, i) => ORDINALS.set(w, i + 1));
const RU_ORDINAL_STEMS: ReadonlyArray<readonly [string, number]> = [
  ['перв', 1],
  ['втор', 2],
  ['трет', 3],
  ['четверт', 4],
  ['пят', 5],
  ['шест', 6],
  ['седьм', 7],
  ['восьм', 8],
  ['девят', 9],
  ['десят', 10],
  ['одиннадцат', 11],
];

const EN_YEAR = new Set(['year', 'years', 'yr', 'yrs', 'y']);
const EN_ATTACHED_YEAR = new Set(['yo', 'yr', 'yrs', 'y', 'yearold', 'yearsold']);
const EN_OLD = new Set(['old', 'o']);
const EN_YOUNG_UNIT = new Set(['month', 'months', 'mo', 'mos', 'week', 'weeks', 'day', 'days']);
const ORDINAL_SUFFIX = new Set(['th', 'st', 'nd', 'rd']);
const EN_GRADE = new Set(['grade', 'grader', 'graders', 'grades']);
const EN_AGE_BEFORE = new Set(['age', 'aged', 'ages']);
const RU_YEAR = new Set(['лет', 'год', 'года', 'годик', 'годика', 'годиков', 'годков', 'годка']);
/** "14-ти лет", "3-х летний", "5-й класс", "7-го класса" */
const RU_CONNECTOR = /^[а-я]{1,3}$/;

/** Words the age rules read, for cutting spaced-out runs into words. */
export const AGE_WORDS: readonly string[] = [
  ...NUMBER_WORDS.keys(),
  ...TENS.keys(),
  ...EN_YEAR,
  ...EN_ATTACHED_YEAR,
  ...EN_OLD,
  ...EN_GRADE,
  ...EN_AGE_BEFORE,
  ...RU_YEAR,
  'летняя',
  'летний',
  'класс',
];

const textOf = (t: Token | undefined): string => t?.forms[0]?.text ?? '';
const isIn = (t: Token | undefined, set: ReadonlySet<string>): boolean => !!t && t.forms.some((f) => set.has(f.text));

/** The number a token says, counting "twenty one" as 21 and skipping the fraction in "14.5". */
function numberAt(tokens: readonly Token[], i: number): number | undefined {
  const t = tokens[i];
  if (!t) return undefined;
  if (t.value !== undefined) {
    const before = tokens[i - 1];
    if (before?.value !== undefined && (t.gap === '.' || t.gap === ',')) return undefined;
    return t.value;
  }
  const text = textOf(t);
  const units = NUMBER_WORDS.get(text);
  if (units === undefined) return TENS.get(text);
  const tens = TENS.get(textOf(tokens[i - 1]));
  return tens !== undefined && units < 10 ? tens + units : units;
}

/** the youngest age of a range ending at token i ("12-14", "16 to 20") */
function youngest(tokens: readonly Token[], i: number, value: number): number {
  const before = tokens[i - 1];
  const joiner = tokens[i]?.gap.trim();
  if (before?.value !== undefined && (joiner === '-' || joiner === '–' || joiner === '—')) {
    return Math.min(before.value, value);
  }
  const word = textOf(before);
  if (word === 'to' || word === 'до') {
    const from = numberAt(tokens, i - 2);
    if (from !== undefined) return Math.min(from, value);
  }
  return value;
}

/** How many tokens after a number at i make it an age or a grade of a minor (0: none). */
function unitsAfter(tokens: readonly Token[], i: number, value: number): number {
  const a = tokens[i + 1];
  const b = tokens[i + 2];
  const c = tokens[i + 3];
  const age = value < ADULT_AGE;
  // English: 14yo, 14 y.o., 14-year-old, 14 yrs old, 14 years of age, 8 months old
  if (age && isIn(a, EN_ATTACHED_YEAR) && (a?.attached || textOf(a) === 'yo' || textOf(a) === 'yearold')) return 1;
  if (age && isIn(a, EN_YEAR) && isIn(b, EN_OLD)) return 2;
  if (age && isIn(a, EN_YEAR) && textOf(b) === 'of' && textOf(c) === 'age') return 3;
  // "girl, 13 years" ends there; "13 years of experience", "15 years ago" go on
  if (age && isIn(a, EN_YEAR) && (!b || /[,.;!?]/.test(b.gap))) return 1;
  if (isIn(a, EN_YOUNG_UNIT) && textOf(b) === 'old') return 2;
  // 5th grade, 5th-grader, 14th birthday
  const ord = ORDINAL_SUFFIX.has(textOf(a)) ? 1 : 0;
  const after = tokens[i + 1 + ord];
  if (value <= MAX_GRADE && isIn(after, EN_GRADE)) return 1 + ord;
  if (age && textOf(after) === 'birthday') return 1 + ord;
  // Russian: 14 лет, 14-летняя, 14-ти летняя, 3 года, 5 класс, 7-го класса
  const connector = RU_CONNECTOR.test(textOf(a)) && !isRussianUnit(a, value) ? 1 : 0;
  const unit = tokens[i + 1 + connector];
  if (unit && isRussianUnit(unit, value)) return 1 + connector;
  return 0;
}

function isRussianUnit(t: Token | undefined, value: number): boolean {
  if (!t) return false;
  return t.forms.some((f) => {
    if (f.script !== 'cyrillic') return false;
    if (value < ADULT_AGE && (RU_YEAR.has(f.text) || /^(летн|летк|годовал)/.test(f.text))) return true;
    return value <= MAX_GRADE - 1 && f.text.startsWith('класс');
  });
}

/** "пятый класс", "fifth grade", "fifth-grader" */
function ordinalGrade(tokens: readonly Token[], i: number): boolean {
  const t = tokens[i];
  const next = tokens[i + 1];
  if (!t || !next) return false;
  if (ORDINALS.has(textOf(t)) && isIn(next, EN_GRADE)) return true;
  const text = textOf(t);
  if (!textOf(next).startsWith('класс')) return false;
  return RU_ORDINAL_STEMS.some(([stem]) => text.startsWith(stem) && text.length - stem.length <= 4);
}

/** "четырнадцатилетняя", "двухлетка" with a numeral below 18 */
function compoundAge(t: Token): boolean {
  return t.forms.some((f) => {
    const m = f.script === 'cyrillic' ? COMPOUND.exec(f.text) : null;
    if (!m) return false;
    // "годовалый" alone is one year old; "летний" alone is "of summer"
    return COMPOUND_PREFIX.has(m[1] as string) || (m[1] === '' && m[2] === 'годовал');
  });
}

/** Every place where the tokens give an age under 18 or a school grade, in English or Russian. */
export function findAges(tokens: readonly Token[]): AgeSpan[] {
  const spans: AgeSpan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (compoundAge(t)) {
      spans.push({ start: i, end: i + 1 });
      continue;
    }
    if (ordinalGrade(tokens, i)) {
      spans.push({ start: i, end: i + 2 });
      continue;
    }
    const value = numberAt(tokens, i);
    if (value === undefined) continue;
    const units = unitsAfter(tokens, i, youngest(tokens, i, value));
    if (units > 0) {
      spans.push({ start: i, end: i + 1 + units });
      continue;
    }
    // age 14, aged 12, ages 3-5, возраст 14, grade 5
    const before = tokens[i - 1];
    if (value < ADULT_AGE && (isIn(before, EN_AGE_BEFORE) || textOf(before).startsWith('возраст'))) {
      spans.push({ start: i - 1, end: i + 1 });
    } else if (value <= MAX_GRADE && textOf(before) === 'grade') {
      spans.push({ start: i - 1, end: i + 1 });
    }
  }
  return spans;
}
