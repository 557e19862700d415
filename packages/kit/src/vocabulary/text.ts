/**
 * Free text sent by clients (names, address lines, notes, descriptions). Lengths count code
 * points, as MySQL counts VARCHAR; control characters are refused everywhere (they break logs,
 * labels and CSV exports), except line breaks and tabs in multi-line text.
 */
import type { Violations } from '../errors/domain-error';

const CONTROL = /\p{Cc}/u;
/** Control characters other than tab, line feed and carriage return. */
const CONTROL_EXCEPT_BREAKS = /(?![\t\n\r])\p{Cc}/u;

/** Free text must not match these (the OpenAPI document can state them as `not: {pattern}`). */
export const TEXT_RULE = {
  controlCharacters: CONTROL,
  multilineControlCharacters: CONTROL_EXCEPT_BREAKS,
} as const;

/** Length in characters (code points), as MySQL counts VARCHAR. */
export const charLength = (s: string): number => [...s].length;

export function hasControlCharacters(s: string, opts: { multiline?: boolean } = {}): boolean {
  return (opts.multiline ? CONTROL_EXCEPT_BREAKS : CONTROL).test(s);
}

/**
 * A required single line (a name, a street line): trimmed, 1-max characters, no control
 * characters. Adds at most one violation; returns the trimmed text.
 */
export function checkLine(v: Violations, field: string, raw: string, max: number): string {
  const s = raw.trim();
  if (s === '') v.add(field, 'is required');
  else if (charLength(s) > max) v.add(field, `must be at most ${max} characters`);
  else if (hasControlCharacters(s)) v.add(field, 'must not contain control characters');
  return s;
}

/** Optional multi-line text (a description, a note): at most max characters, kept as sent. */
export function checkParagraph(v: Violations, field: string, s: string, max: number): string {
  if (charLength(s) > max) v.add(field, `must be at most ${max} characters`);
  else if (hasControlCharacters(s, { multiline: true }))
    v.add(field, 'must not contain control characters other than line breaks and tabs');
  return s;
}
