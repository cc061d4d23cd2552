/**
 * Pre-tokenisation for the NLU. Offsets are JavaScript string indices (UTF-16 code units),
 * end-exclusive, into the ORIGINAL text: `text.slice(token.start, token.end) === token.text`.
 * The regular expressions run with the `u` flag, so a match never starts or ends inside a
 * surrogate pair.
 *
 * Rules, in the order they are tried at each position:
 * - URLs (`https://…`, `www.…`, bare domains with a common TLD) and e-mail addresses are one
 *   token; sentence punctuation at the end of a URL (`.`, `,`, `)`, …) is not part of it.
 * - Emoji clusters (ZWJ sequences, flag pairs, skin tones, keycaps, tag sequences) are one token.
 * - Words: letters, marks and digits, joined inside the word by an apostrophe (`'`, `’`), a
 *   hyphen or an underscore (`don't`, `B-7731`, `A1234`), and digits joined by `.` or `,`
 *   (`1,299.50`, `49,99`).
 * - A word that is an ISO currency code glued to a number is split in two (`USD120` -> `USD`,
 *   `120`; `120EUR` -> `120`, `EUR`). Currency symbols are never part of a word (`100$`).
 * - Han, Hiragana and Katakana characters are one token each (those scripts do not separate
 *   words with spaces). Hangul is written with spaces, so Korean words stay whole.
 * - Any other visible character (punctuation, symbols) is a token of its own.
 * - Separators are skipped: white space (including NBSP), zero-width space and other format
 *   characters, control characters and lone surrogates. A ZWJ inside an emoji or word is kept.
 */

import { ResettingCache } from './resetting-cache.js';

export interface Token {
  /** Exactly `text.slice(start, end)` of the original text. */
  text: string;
  /** UTF-16 offset of the first code unit. */
  start: number;
  /** UTF-16 offset one past the last code unit. */
  end: number;
  /** Normalised form for features: NFKC, lower-case, typographic apostrophes and dashes plain. */
  norm: string;
}

export type TokenKind =
  'url' | 'email' | 'emoji' | 'number' | 'word' | 'cjk' | 'currency' | 'punct' | 'symbol';

// Letters, marks and digits, except the scripts that get one token per character (U+30FC is the
// Katakana length mark, script Common, but only ever written inside Japanese words).
const CJK = String.raw`\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30FC`;
const WORD_CHAR = String.raw`(?:(?![${CJK}])[\p{L}\p{M}\p{N}])`;
// Joiners allowed between two word characters: apostrophes, hyphens, underscore, soft hyphen,
// ZWNJ and ZWJ (both used inside words of Indic and Arabic scripts).
const JOINER = String.raw`['\u2019\u2018\u02BC\-\u2010\u2011_\u00AD\u200C\u200D]`;
const NUMBER_SEP = String.raw`(?<=\p{Nd})[.,](?=\p{Nd})`;
const WORD = String.raw`${WORD_CHAR}+(?:(?:${JOINER}|${NUMBER_SEP})${WORD_CHAR}+)*`;

// One emoji with its modifiers: variation selector 16, skin tone, tag characters (subdivision
// flags such as England's).
const EMOJI_ATOM = String.raw`\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier}|[\u{E0020}-\u{E007F}])*`;
const EMOJI = [
  String.raw`\p{Regional_Indicator}{1,2}`,
  String.raw`[#*0-9]\uFE0F?\u20E3`,
  String.raw`${EMOJI_ATOM}(?:\u200D${EMOJI_ATOM})*`,
  String.raw`\p{Emoji_Modifier}`,
].join('|');

// Characters that end a URL body: white space, format and control characters, and quoting.
const URL_CHAR = String.raw`[^\s\p{Cc}\p{Cf}\p{Cs}<>"\x60]`;
const TLD =
  'com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|eu|us|ca|au|ch|at|be|se|no|dk|pl|jp|cn|in|br' +
  '|app|dev|ai|me|info|biz|shop|store|online|site|test|example|local';
// Lengths are bounded (DNS: 63 per label; at most 8 labels before the TLD; 64 for an e-mail local
// part) so that a failed attempt costs a constant, and a long `a.a.a.…` stays linear to scan.
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?`;
const URL = [
  String.raw`(?:[hH][tT][tT][pP][sS]?|[fF][tT][pP]):\/\/${URL_CHAR}+`,
  String.raw`[wW][wW][wW]\.${URL_CHAR}+`,
  String.raw`(?:${LABEL}\.){1,8}(?:${TLD})(?![\p{L}\p{N}@\-])(?:[\/?#]${URL_CHAR}*)?`,
].join('|');
const EMAIL = String.raw`[\p{L}\p{N}._%+\-]{1,64}@${LABEL}(?:\.${LABEL}){1,8}`;

const OTHER = String.raw`[^\s\p{Cc}\p{Cf}\p{Cs}\p{Z}]`;

// Group order is priority order: 1 url, 2 email, 3 emoji, 4 word, 5 cjk, 6 other.
const MASTER = new RegExp(`(${URL})|(${EMAIL})|(${EMOJI})|(${WORD})|([${CJK}])|(${OTHER})`, 'gu');

const TRAILING_URL_PUNCT = new Set([
  '.',
  ',',
  ';',
  ':',
  '!',
  '?',
  "'",
  '"',
  '’',
  '”',
  ')',
  ']',
  '}',
]);

const CURRENCY_CODES =
  'USD|EUR|GBP|JPY|CNY|CHF|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|RUB|INR|BRL|MXN|ZAR|KRW|SGD|HKD' +
  '|TRY|ILS|AED|SAR|THB|IDR|MYR|PHP|VND|TWD|ARS|CLP|COP|PEN|NGN|EGP|KES|UAH|RON|BGN|ISK';
const NUMBER = String.raw`\p{Nd}+(?:[.,]\p{Nd}+)*`;
const CODE_THEN_NUMBER = new RegExp(`^(${CURRENCY_CODES})(${NUMBER})$`, 'iu');
const NUMBER_THEN_CODE = new RegExp(`^(${NUMBER})(${CURRENCY_CODES})$`, 'iu');
const CURRENCY_CODE = new RegExp(`^(?:${CURRENCY_CODES})$`);

/** Splits `text` into tokens with UTF-16 offsets into `text`. Empty or blank text gives `[]`. */
export function tokenize(text: string): Token[] {
  return isPlainAscii(text) ? tokenizePlainAscii(text) : scanTokens(text);
}

/** The rules above through the scanner regex, for any text (`tokenize` takes a faster path for plain ASCII). */
export function scanTokens(text: string): Token[] {
  const tokens: Token[] = [];
  // One shared scanner: tokenize runs to the end without yielding, so nothing interleaves.
  const re = MASTER;
  re.lastIndex = 0;
  let match: RegExpExecArray | null;

  while ((match = re.exec(text)) !== null) {
    const start = match.index;
    let piece = match[0];

    if (match[1] !== undefined) {
      piece = trimUrl(piece);
      // The trimmed tail is scanned again as ordinary punctuation.
      re.lastIndex = start + piece.length;
    }

    if (match[4] !== undefined) {
      pushWord(tokens, piece, start);
    } else {
      tokens.push(makeToken(piece, start));
    }
  }
  return tokens;
}

/**
 * Whether the rules above reduce to words and single characters for `text`: ASCII only (no
 * emoji, CJK or format characters), no `:` or `@`, and every `.` before a blank or the end
 * (sentence punctuation). Then no URL, e-mail address or `1.5`-style number can match, as each
 * needs one of those characters followed by a letter or digit. Most messages are such text.
 */
function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || c === COLON || c === AT) return false;
    if (c === DOT && i + 1 < text.length && text.charCodeAt(i + 1) > 0x20) return false;
  }
  return true;
}

const DOT = 0x2e;
const COLON = 0x3a;
const AT = 0x40;
const COMMA = 0x2c;

/**
 * The same tokens as the scanner regex for plain ASCII text (`isPlainAscii`): a word is letters
 * and digits joined by `'`, `-` or `_` between two of them, or by `,` between two digits; every
 * other visible character is a token; blanks and controls are skipped. Shop messages, 70% of
 * them plain: 4.1 -> 2.6 µs each. The tests hold it to the regex on the shop data and on random
 * ASCII; it also gives the regex's tokens on all 18,978 ATIS and Banking77 lines.
 */
function tokenizePlainAscii(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const c = text.charCodeAt(at);
    if (c <= 0x20 || c === 0x7f) {
      at++; // blank or control
    } else if (isAsciiWordChar(c)) {
      const end = asciiWordEnd(text, at);
      pushWord(tokens, text.slice(at, end), at);
      at = end;
    } else {
      tokens.push(makeToken(text[at], at));
      at++;
    }
  }
  return tokens;
}

/** Where the word starting at `start` ends (exclusive). */
function asciiWordEnd(text: string, start: number): number {
  let end = start;
  for (;;) {
    while (end < text.length && isAsciiWordChar(text.charCodeAt(end))) end++;
    if (end + 1 >= text.length || !isAsciiWordChar(text.charCodeAt(end + 1))) return end;
    const joiner = text.charCodeAt(end);
    const joins =
      joiner === 0x27 || // '
      joiner === 0x2d || // -
      joiner === 0x5f || // _
      (joiner === COMMA &&
        isAsciiDigit(text.charCodeAt(end - 1)) &&
        isAsciiDigit(text.charCodeAt(end + 1)));
    if (!joins) return end;
    end++;
  }
}

function isAsciiWordChar(c: number): boolean {
  return isAsciiDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The normalised form used for features; identical for look-alike spellings of one word. */
export function normalizeToken(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2019\u2018\u02BC\u0060\u00B4\u2032]/g, "'")
    .replace(/[\u2010\u2011\u2012\u2013\u2014\u2212]/g, '-')
    .replace(/[\u201C\u201D\u201E\u00AB\u00BB]/g, '"')
    .replace(/[\u00AD\uFE0F]/g, '');
}

const IS_URL = new RegExp(`^(?:${URL})$`, 'u');
const IS_EMAIL = new RegExp(`^(?:${EMAIL})$`, 'u');
const IS_EMOJI = new RegExp(`^(?:${EMOJI})$`, 'u');
const IS_NUMBER = new RegExp(`^${NUMBER}$`, 'u');
const IS_CJK = new RegExp(`^[${CJK}]$`, 'u');
const IS_CURRENCY_SYMBOL = /^\p{Sc}$/u;
const IS_PUNCT = /^\p{P}$/u;
const IS_WORD = new RegExp(`^${WORD}$`, 'u');

/** What kind of token this text is; the featurizer turns it into shape features. */
export function tokenKind(text: string): TokenKind {
  if (IS_CURRENCY_SYMBOL.test(text) || CURRENCY_CODE.test(text)) return 'currency';
  if (IS_NUMBER.test(text)) return 'number';
  if (IS_PUNCT.test(text)) return 'punct';
  if (IS_CJK.test(text)) return 'cjk';
  if (IS_EMOJI.test(text)) return 'emoji';
  if (text.includes('@') && IS_EMAIL.test(text)) return 'email';
  if (text.includes('.') && IS_URL.test(text)) return 'url';
  if (IS_WORD.test(text)) return 'word';
  return 'symbol';
}

function makeToken(text: string, start: number): Token {
  return { text, start, end: start + text.length, norm: cachedNorm(text) };
}

// Normalised forms of token texts seen lately: NFKC plus the replacements cost several times a
// map lookup (tokenize: 6.0 -> 4.1 µs a shop message with this cache).
const NORM_CACHE = new ResettingCache<string>(50_000);

function cachedNorm(text: string): string {
  let norm = NORM_CACHE.get(text);
  if (norm === undefined) {
    norm = normalizeToken(text);
    NORM_CACHE.set(text, norm);
  }
  return norm;
}

/** Pushes a word, split in two when it is a currency code glued to a number. */
function pushWord(tokens: Token[], word: string, start: number): void {
  const glued = mayBeGlued(word)
    ? (CODE_THEN_NUMBER.exec(word) ?? NUMBER_THEN_CODE.exec(word))
    : null;
  if (glued === null || !isCaseConsistent(glued[1] + glued[2])) {
    tokens.push(makeToken(word, start));
    return;
  }
  tokens.push(makeToken(glued[1], start));
  tokens.push(makeToken(glued[2], start + glued[1].length));
}

/**
 * A cheap test that rules out most words before the two currency regexes run: a code glued in
 * front is three ASCII letters followed by something else, one glued behind is three ASCII
 * letters after something else, with no ASCII letter first (the number's first digit).
 */
function mayBeGlued(word: string): boolean {
  if (word.length < 4) return false;
  const front = isCodeLetter(word, 0) && isCodeLetter(word, 1) && isCodeLetter(word, 2);
  if (front && !isCodeLetter(word, 3)) return true;
  const end = word.length;
  const back = isCodeLetter(word, end - 1) && isCodeLetter(word, end - 2);
  return back && isCodeLetter(word, end - 3) && !isCodeLetter(word, end - 4) && !front;
}

/** An ASCII letter, or one that the `iu` regexes fold to one (long s, Kelvin sign). */
function isCodeLetter(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  const lower = c | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || c === 0x017f || c === 0x212a;
}

// `USD120` and `usd120` split; `Usd120` (more likely an identifier) does not.
function isCaseConsistent(word: string): boolean {
  return word === word.toUpperCase() || word === word.toLowerCase();
}

/** Drops sentence punctuation from the end of a URL, keeping a `)` that closes a `(` inside. */
function trimUrl(url: string): string {
  let end = url.length;
  while (end > 0 && TRAILING_URL_PUNCT.has(url[end - 1])) {
    if (url[end - 1] === ')' && count(url, '(', end) >= count(url, ')', end)) break;
    end -= 1;
  }
  return url.slice(0, end);
}

function count(text: string, char: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i += 1) if (text[i] === char) n += 1;
  return n;
}
