/**
 * PII redaction for text that Parley STORES. The NLU always sees the original text; what goes to
 * the database has emails, phone numbers and card numbers replaced by stand-ins of the same
 * shape and the SAME LENGTH (in UTF-16 code units). Keeping the length is the invariant that
 * matters: entity offsets computed on the original text still point at the same spans in the
 * stored text, so stored predictions and corrections stay valid training data.
 *
 * Every stand-in is a fixed point: redacting an already-redacted text changes nothing.
 */

export type RedactionKind = 'email' | 'card' | 'phone';

export interface RedactedSpan {
  kind: RedactionKind;
  start: number;
  end: number;
}

export interface Redaction {
  text: string;
  spans: RedactedSpan[];
}

// Local part and domain of an email address, ASCII only. The character classes stop at
// whitespace and invisible characters such as U+200B, so `a@b.test\u200b` ends before the ZWSP.
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

// 13 to 19 digits, optionally split by single spaces or dashes (how people type card numbers).
const CARD = /(?<![\w.,/-])\d(?:[ -]?\d){12,18}(?![\w])/g;

// A leading +, digits with single separators (space, dot, dash, parentheses); counted below.
// It may not start right after a letter, dash, dot or slash, so order ids (`B-7731234`) and
// URL paths are not phone numbers.
const PHONE = /(?<![\w+./-])(?:\+|\()?\d(?:[ .-]|\) ?|\d)*\d(?![\w])/g;
const PHONE_MIN_DIGITS = 7;
const PHONE_MAX_DIGITS = 15; // E.164

// Shapes that have enough digits to look like a phone number but are dates or times.
const DATE_LIKE = /^(\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;

const EMAIL_LOCAL_FILL = 'user';
const EMAIL_DOMAIN_FILL = 'example';
const EMAIL_TLD_FILL = 'invalid';
// A well-known test card prefix pattern; the last digit is recomputed so the stand-in passes Luhn.
const CARD_FILL = '4242424242424242424';
// 555-01xx numbers are reserved for fiction in North America; the rest is zeros.
const PHONE_FILL = '5550100000000000';

/** Replaces personal data in `text` with same-length stand-ins and says where it did. */
export function redact(text: string): Redaction {
  const spans: RedactedSpan[] = [];
  collect(text, EMAIL, 'email', spans, () => true);
  collect(text, CARD, 'card', spans, () => true);
  collect(text, PHONE, 'phone', spans, isPhoneNumber);
  spans.sort((a, b) => a.start - b.start);

  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + standIn(span.kind, text.slice(span.start, span.end));
    at = span.end;
  }
  return { text: out + text.slice(at), spans };
}

/** The redacted text alone. */
export function redactText(text: string): string {
  return redact(text).text;
}

function collect(
  text: string,
  pattern: RegExp,
  kind: RedactionKind,
  spans: RedactedSpan[],
  accept: (match: string) => boolean,
): void {
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const overlaps = spans.some((span) => start < span.end && span.start < end);
    if (!overlaps && accept(match[0])) spans.push({ kind, start, end });
  }
}

function isPhoneNumber(candidate: string): boolean {
  const digits = countDigits(candidate);
  if (digits < PHONE_MIN_DIGITS || digits > PHONE_MAX_DIGITS) return false;
  return !DATE_LIKE.test(candidate);
}

function countDigits(value: string): number {
  let count = 0;
  for (const ch of value) if (ch >= '0' && ch <= '9') count += 1;
  return count;
}

function standIn(kind: RedactionKind, original: string): string {
  if (kind === 'email') return emailStandIn(original);
  if (kind === 'card') return cardStandIn(original);
  return replaceDigits(original, PHONE_FILL);
}

/** `jane.doe42@mail.shop.com` -> `user.use00@exam.exam.inv`: same punctuation, same lengths. */
function emailStandIn(original: string): string {
  const at = original.indexOf('@');
  const local = original.slice(0, at).replace(/[A-Za-z]+/g, (run) => cycle(EMAIL_LOCAL_FILL, run));
  const labels = original.slice(at + 1).split('.');
  const domain = labels.map((label, index) =>
    cycle(index === labels.length - 1 ? EMAIL_TLD_FILL : EMAIL_DOMAIN_FILL, label),
  );
  return `${local.replace(/\d/g, '0')}@${domain.join('.')}`;
}

/** Same digit count and grouping, a test-like number, Luhn-valid. */
function cardStandIn(original: string): string {
  const digitCount = countDigits(original);
  const body = CARD_FILL.slice(0, digitCount - 1);
  return replaceDigits(original, body + luhnCheckDigit(body));
}

/** The digit that makes `body + digit` pass the Luhn check. */
export function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    // Doubling starts at the digit right of which the check digit will stand.
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

/** True when the digits of `value` pass the Luhn check. */
export function passesLuhn(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 2) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === digits[digits.length - 1];
}

function replaceDigits(original: string, fill: string): string {
  let next = 0;
  return original.replace(/\d/g, () => fill[next++] ?? '0');
}

/** `fill` repeated or cut to the length of `run`. */
function cycle(fill: string, run: string): string {
  let out = '';
  for (let i = 0; i < run.length; i += 1) out += fill[i % fill.length];
  return out;
}
