/**
 * Look-alike letters mapped into one script, derived from the Unicode confusables data (UTS #39 confusables.txt:
 * each source character → its prototype). A Cyrillic "о" inside a Latin word reads as Latin "o", a Latin "o" inside
 * a Russian word as Cyrillic "о"; letters already in the target script are left alone.
 *
 * Two characters are look-alikes when their prototypes are equal, compared with case first (Latin "b" ~ Cyrillic
 * "Ь", Latin "B" ~ Cyrillic "В") and then with the other case (Latin "k" ~ "K" ~ Cyrillic "К" ~ "к").
 */
const RUSSIAN = 'абвгдеёжзийклмнопрстуфхцчшщъыьэюя';
const ASCII_LETTER = /^[a-z]$/i;
const MARKS = /\p{M}/gu;
const LETTER = /^\p{L}$/u;
const CYRILLIC = /^\p{Script=Cyrillic}$/u;

function toggleCase(ch: string): string {
  const upper = ch.toUpperCase();
  return upper === ch ? ch.toLowerCase() : upper;
}

export class LookAlikes {
  /** any letter that is not plain ASCII → a lower-case ASCII letter */
  private readonly latin = new Map<string, string>();
  /** any non-Cyrillic letter → a lower-case Russian letter */
  private readonly cyrillic = new Map<string, string>();
  // The same, judged by the letter's other case first: a Greek "Η" looks like "H", and its lower case "η" (which
  // looks like "n") is what a case change makes of it
  private readonly latinOtherCase = new Map<string, string>();
  private readonly cyrillicOtherCase = new Map<string, string>();

  constructor(prototypes: Readonly<Record<string, string>>) {
    // a prototype with marks (Б → b̄, η → n̩) still names its base letter
    const skeleton = (ch: string): string => (prototypes[ch] ?? ch).normalize('NFD').replace(MARKS, '');
    const candidates = new Set<string>();
    for (const source of Object.keys(prototypes)) {
      if (!LETTER.test(source)) continue;
      candidates.add(source).add(source.toLowerCase()).add(source.toUpperCase());
    }
    // accented Latin letters have no confusables entry; their base letter is what a reader sees
    for (let cp = 0xc0; cp <= 0x24f; cp++) candidates.add(String.fromCodePoint(cp));
    for (let cp = 0x1e00; cp <= 0x1eff; cp++) candidates.add(String.fromCodePoint(cp));
    for (let cp = 0x61; cp <= 0x7a; cp++) candidates.add(String.fromCodePoint(cp)).add(String.fromCodePoint(cp - 32));

    // exact prototypes before those with marks stripped, lower case before upper: Latin "b" ~ "Ь" rather than "Б"
    const russianBySkeleton = new Map<string, string>();
    const russian = [...RUSSIAN, ...RUSSIAN.toUpperCase()];
    for (const proto of [(r: string) => prototypes[r], (r: string) => prototypes[r] && skeleton(r)]) {
      for (const r of russian) {
        const s = proto(r);
        if (s && !russianBySkeleton.has(s)) russianBySkeleton.set(s, r.toLowerCase());
      }
    }

    // ASCII letters by prototype, by case: "I" and "l" share the prototype "l", so a Greek "Ι" reads as "i"
    // (it looks like the capital) and a Cyrillic "ӏ" as "l"
    const asciiBySkeleton = new Map<string, { upper?: string; lower?: string }>();
    for (let cp = 0x41; cp <= 0x7a; cp++) {
      const a = String.fromCodePoint(cp);
      if (!ASCII_LETTER.test(a)) continue;
      const entry = asciiBySkeleton.get(skeleton(a)) ?? {};
      if (a === a.toUpperCase()) entry.upper ??= a.toLowerCase();
      else entry.lower ??= a;
      asciiBySkeleton.set(skeleton(a), entry);
    }
    const asciiFor = (ch: string): string | undefined => {
      const entry = asciiBySkeleton.get(skeleton(ch));
      if (!entry) return undefined;
      return ch === ch.toLowerCase() ? (entry.lower ?? entry.upper) : (entry.upper ?? entry.lower);
    };

    for (const ch of candidates) {
      if (!LETTER.test(ch) || [...ch].length !== 1) continue;
      const other = toggleCase(ch);
      if (!ASCII_LETTER.test(ch)) {
        const base = ch.normalize('NFD').replace(MARKS, '');
        const plain = ASCII_LETTER.test(base) ? base.toLowerCase() : undefined;
        setIf(this.latin, ch, asciiFor(ch) ?? asciiFor(other) ?? plain);
        setIf(this.latinOtherCase, ch, asciiFor(other) ?? asciiFor(ch) ?? plain);
      }
      if (!CYRILLIC.test(ch)) {
        const own = russianBySkeleton.get(skeleton(ch));
        const toggled = russianBySkeleton.get(skeleton(other));
        setIf(this.cyrillic, ch, own ?? toggled);
        setIf(this.cyrillicOtherCase, ch, toggled ?? own);
      }
    }
  }

  /** the lower-case ASCII letter `ch` passes for, if any (not for ASCII letters themselves) */
  toLatin(ch: string, otherCaseFirst = false): string | undefined {
    return (otherCaseFirst ? this.latinOtherCase : this.latin).get(ch);
  }

  /** the lower-case Russian letter `ch` passes for, if any (not for Cyrillic letters themselves) */
  toCyrillic(ch: string, otherCaseFirst = false): string | undefined {
    return (otherCaseFirst ? this.cyrillicOtherCase : this.cyrillic).get(ch);
  }
}

function setIf(map: Map<string, string>, key: string, value: string | undefined): void {
  if (value) map.set(key, value);
}
