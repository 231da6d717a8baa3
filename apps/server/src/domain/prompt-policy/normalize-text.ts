// Format characters (category Cf: zero-width space and joiners, invisible separators such as U+2063, soft hyphen,
// bidi controls) and the other default-ignorable code points (variation selectors, Hangul fillers) render as
// nothing, so a word with one inside still reads as the word.
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const PLAIN = /^[\x20-\x7e]*$/;

/**
 * Text as the policy reads it: invisible characters dropped, then Unicode NFKC, which folds compatibility forms
 * (full-width and mathematical letters, ligatures, superscripts) into ordinary ones. Case and look-alike letters
 * are folded per word by the word reader, which knows the script of the word.
 */
export function normalizeText(text: string): string {
  if (PLAIN.test(text)) return text;
  return text.replace(INVISIBLE, '').normalize('NFKC');
}
