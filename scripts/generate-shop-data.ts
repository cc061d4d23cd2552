/**
 * Writes Parley's shipped training set, models/default/data/nlu.yml (Rasa NLU YAML), from the
 * hand-written templates and slot fillers below.
 *
 *   npx tsx scripts/generate-shop-data.ts
 *
 * Deterministic: one seeded PRNG drives every choice, so the same script gives the same file byte
 * for byte (test/models/shop-data.test.ts checks that the committed file is in sync).
 *
 * Template syntax (ours, not Rasa's):
 *   <a|b|>              pick one alternative (an empty one makes the words optional)
 *   {slot} {slot:kind}  a random entity from a filler (see FILLERS), e.g. {order_id}, {url:track}
 *   [text](type)        a literal entity; [text](type=Canonical) maps it to a synonym
 *
 * Entities are built as parts (literal text / entity text), so every offset is exact by
 * construction; each rendered line is parsed back and compared before it is kept. Literal text is
 * also checked for unannotated entity look-alikes (order ids, emails, cities, date words...), so a
 * template cannot teach the model that an order id is sometimes not an entity.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { ParleyError } from '../src/core/errors.js';

export const SEED = 20240611;
export const OUTPUT = 'models/default/data/nlu.yml';

export const ENTITY_TYPES = [
  'order_id',
  'tracking_number',
  'product',
  'amount',
  'currency',
  'date',
  'email',
  'url',
  'city',
  'payment_method',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

interface TextPart {
  kind: 'text';
  text: string;
}
interface EntityPart {
  kind: 'entity';
  type: EntityType;
  text: string;
  /** Canonical value of a vocabulary entry; rendered only where it differs from the surface. */
  canonical?: string;
}
type Part = TextPart | EntityPart;

type Rng = () => number;

/** mulberry32: a tiny 32-bit PRNG; good enough for sampling and fully reproducible. */
function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function digits(rng: Rng, count: number, leadingZero = true): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const low = i === 0 && !leadingZero ? 1 : 0;
    out += String(low + Math.floor(rng() * (10 - low)));
  }
  return out;
}

function text(value: string): TextPart {
  return { kind: 'text', text: value };
}

function entity(type: EntityType, surface: string, canonical?: string): EntityPart {
  return canonical === undefined
    ? { kind: 'entity', type, text: surface }
    : { kind: 'entity', type, text: surface, canonical };
}

/** The synonym value to write for a mention, if any (synonyms match case-insensitively). */
function synonymValue(part: EntityPart): string | undefined {
  const { canonical } = part;
  if (canonical === undefined || canonical.toLowerCase() === part.text.toLowerCase())
    return undefined;
  return canonical;
}

// ---------------------------------------------------------------------------------------------
// Vocabularies with synonyms. The first surface of each entry is its canonical form.
// ---------------------------------------------------------------------------------------------

export interface Canon {
  value: string;
  surfaces: string[];
}

function canon(value: string, ...aliases: string[]): Canon {
  return { value, surfaces: [value, ...aliases] };
}

export const PRODUCTS: Canon[] = [
  canon('wireless earbuds', 'earbuds', 'bluetooth earbuds', 'ear buds'),
  canon('running shoes', 'trainers', 'sneakers'),
  canon('coffee grinder', 'burr grinder'),
  canon('yoga mat'),
  canon('phone case', 'iphone case', 'phone cover'),
  canon('smartwatch', 'smart watch'),
  canon('winter jacket', 'parka', 'puffer jacket'),
  canon('backpack', 'rucksack'),
  canon('desk lamp'),
  canon('gaming mouse'),
  canon('mechanical keyboard'),
  canon('water bottle'),
  canon('blender'),
  canon('air fryer', 'airfryer'),
  canon('laptop stand'),
  canon('USB-C cable', 'usb c cable', 'charging cable'),
  canon('hoodie', 'hoody'),
  canon('jeans'),
  canon('sunglasses', 'sunnies'),
  canon('espresso machine', 'coffee machine'),
  canon('electric toothbrush'),
  canon('Nimbus 3 headphones', 'nimbus 3', 'nimbus headphones'),
  canon('AeroFit 2 treadmill', 'aerofit treadmill', 'treadmill'),
  canon('4K monitor', '4k screen'),
  canon('office chair', 'desk chair'),
  canon('duvet', 'comforter'),
  canon('cast iron pan', 'cast iron skillet', 'skillet'),
  canon('Castle Quest board game', 'castle quest'),
  canon('linen shirt'),
  canon('wool socks'),
];

export const CITIES: Canon[] = [
  canon('Berlin'),
  canon('Munich', 'München'),
  canon('Hamburg'),
  canon('Cologne', 'Köln'),
  canon('Frankfurt'),
  canon('Düsseldorf', 'Dusseldorf'),
  canon('Paris'),
  canon('Lyon'),
  canon('Marseille'),
  canon('London'),
  canon('Manchester'),
  canon('Edinburgh'),
  canon('Madrid'),
  canon('Barcelona'),
  canon('Rome', 'Roma'),
  canon('Milan', 'Milano'),
  canon('Amsterdam'),
  canon('Rotterdam'),
  canon('Vienna', 'Wien'),
  canon('Zurich', 'Zürich'),
  canon('Geneva'),
  canon('Brussels'),
  canon('Lisbon', 'Lisboa'),
  canon('Porto'),
  canon('Dublin'),
  canon('Copenhagen'),
  canon('Stockholm'),
  canon('Oslo'),
  canon('Helsinki'),
  canon('Warsaw'),
  canon('Kraków', 'Krakow'),
  canon('Prague'),
  canon('Budapest'),
  canon('Athens'),
  canon('New York', 'NYC', 'New York City'),
  canon('Los Angeles'),
  canon('San Francisco', 'SF'),
  canon('Chicago'),
  canon('Boston'),
  canon('Seattle'),
  canon('Austin'),
  canon('Toronto'),
  canon('Montreal', 'Montréal'),
  canon('Vancouver'),
  canon('Sydney'),
  canon('Melbourne'),
  canon('Tokyo'),
  canon('Singapore'),
  canon('São Paulo', 'Sao Paulo'),
  canon('Mexico City'),
  canon('Cape Town'),
];

export const PAYMENT_METHODS: Canon[] = [
  canon('credit card'),
  canon('debit card'),
  canon('Visa', 'visa card'),
  canon('Mastercard', 'master card'),
  canon('American Express', 'Amex'),
  canon('PayPal', 'pay pal'),
  canon('Apple Pay'),
  canon('Google Pay', 'gpay'),
  canon('bank transfer', 'wire transfer'),
  canon('Klarna'),
  canon('gift card'),
  canon('SEPA direct debit', 'direct debit'),
  canon('store credit'),
  canon('cash on delivery'),
];

/** Currency mentions mapped to ISO 4217 codes. */
export const CURRENCIES: Canon[] = [
  canon('USD', '$', 'dollars', 'dollar', 'bucks', 'usd'),
  canon('EUR', '€', 'euros', 'euro', 'eur'),
  canon('GBP', '£', 'pounds', 'quid', 'gbp'),
  canon('JPY', '¥', 'yen'),
  canon('CHF', 'francs'),
  canon('CAD'),
  canon('AUD'),
  canon('SEK'),
];

/** Regex features written to the data file (JavaScript syntax, matched against a whole value). */
export const REGEXES: Record<'order_id' | 'tracking_number', string[]> = {
  order_id: ['\\b[A-Za-z]-?\\d{4}\\b', '#\\d{5}\\b', '\\bORD-\\d{4}-\\d{4}\\b'],
  tracking_number: [
    '\\b1Z[0-9A-Z]{16}\\b',
    '\\b[A-Z]{2}\\d{9}[A-Z]{2}\\b',
    '\\bJD\\d{18}\\b',
    '\\bTBA\\d{12}\\b',
    '\\b9[2-5]\\d{20}\\b',
  ],
};

// ---------------------------------------------------------------------------------------------
// Slot fillers: each returns the parts for one mention (an entity, sometimes with literal text).
// ---------------------------------------------------------------------------------------------

const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ'.split('');
const UPPER_ALNUM = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'.split('');

function orderId(rng: Rng): string {
  const letter = pick(rng, LETTERS);
  const roll = rng();
  if (roll < 0.33) return `${letter}${digits(rng, 4)}`;
  if (roll < 0.53) return `${letter}-${digits(rng, 4)}`;
  if (roll < 0.73) return `#${digits(rng, 5, false)}`;
  if (roll < 0.93) return `ORD-${pick(rng, ['2022', '2023', '2024', '2025'])}-${digits(rng, 4)}`;
  return `${letter.toLowerCase()}${digits(rng, 4)}`;
}

function trackingNumber(rng: Rng): string {
  const roll = rng();
  if (roll < 0.3) {
    let tail = '';
    for (let i = 0; i < 16; i++) tail += pick(rng, UPPER_ALNUM);
    return `1Z${tail}`;
  }
  if (roll < 0.55) {
    const country = pick(rng, ['DE', 'GB', 'FR', 'NL', 'US', 'CN', 'SE', 'ES']);
    return `${pick(rng, ['LX', 'RR', 'CP', 'EE', 'LY', 'RB'])}${digits(rng, 9)}${country}`;
  }
  if (roll < 0.75) return `JD${digits(rng, 18)}`;
  if (roll < 0.88) return `TBA${digits(rng, 12)}`;
  return `9${pick(rng, ['2', '3', '4', '5'])}${digits(rng, 20)}`;
}

function fromCanon(rng: Rng, type: EntityType, table: readonly Canon[]): EntityPart {
  const entry = pick(rng, table);
  // Canonical surface half the time, an alias otherwise.
  const surface = rng() < 0.5 ? entry.surfaces[0] : pick(rng, entry.surfaces);
  return entity(type, surface, entry.value);
}

const FIRST_NAMES = [
  'anna',
  'ben',
  'carla',
  'david',
  'emma',
  'felix',
  'grace',
  'hugo',
  'ines',
  'jack',
  'kim',
  'liam',
  'maria',
  'noah',
  'olga',
  'paul',
  'rosa',
  'sam',
  'tom',
  'uma',
  'victor',
  'wendy',
  'yusuf',
  'zoe',
  'li',
  'priya',
  'ahmed',
  'sofia',
  'lukas',
  'marta',
  'chloe',
  'omar',
];
const LAST_NAMES = [
  'smith',
  'mueller',
  'garcia',
  'rossi',
  'kowalski',
  'nguyen',
  'okafor',
  'jensen',
  'dubois',
  'silva',
  'tanaka',
  'brown',
  'novak',
  'fischer',
  'murphy',
  'costa',
  'berg',
  'lee',
];
const MAIL_DOMAINS = [
  'example.com',
  'example.org',
  'example.net',
  'mail.example.com',
  'example.test',
  'post.example.org',
  'inbox.example.net',
];

function email(rng: Rng): string {
  const first = pick(rng, FIRST_NAMES);
  const last = pick(rng, LAST_NAMES);
  const domain = pick(rng, MAIL_DOMAINS);
  const local = pick(rng, [
    `${first}.${last}`,
    `${first}${last}${digits(rng, 2)}`,
    `${first[0]}.${last}`,
    `${first}_${last}`,
    `${first}+shop`,
    `${first}`,
    `${last}.${first}${digits(rng, 1)}`,
  ]);
  const address = `${local}@${domain}`;
  return rng() < 0.06 ? address.toUpperCase() : address;
}

function hex(rng: Rng, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += '0123456789abcdef'[Math.floor(rng() * 16)];
  return out;
}

function slug(rng: Rng): string {
  return pick(rng, PRODUCTS)
    .value.toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
}

const URL_KINDS: Record<string, (rng: Rng) => string> = {
  product: (rng) =>
    pick(rng, [
      `https://shop.example.com/products/${slug(rng)}`,
      `https://shop.example.com/products/${slug(rng)}?color=${pick(rng, ['black', 'blue', 'red'])}`,
      `https://www.example.com/p/${digits(rng, 6, false)}`,
      `shop.example.com/item/${slug(rng)}`,
      `http://shop.example.net/catalog/${slug(rng)}-${digits(rng, 3, false)}`,
    ]),
  track: (rng) =>
    pick(rng, [
      `https://track.example.net/p/${trackingNumber(rng)}`,
      `https://tracking.example.org/?id=${trackingNumber(rng)}`,
      `http://parcels.example.com/track/${digits(rng, 8, false)}`,
      `https://track.example.test/p/${pick(rng, LETTERS)}${digits(rng, 4)}`,
    ]),
  login: (rng) =>
    pick(rng, [
      'https://shop.example.com/login',
      'https://shop.example.com/account/sign-in',
      'https://www.example.com/login?next=/orders',
      'shop.example.com/login',
      'https://app.example.net/auth',
    ]),
  reset: (rng) =>
    pick(rng, [
      `https://shop.example.com/reset-password?token=${hex(rng, 12)}`,
      `https://shop.example.com/account/reset/${hex(rng, 16)}`,
      'https://shop.example.com/forgot-password',
    ]),
  invoice: (rng) =>
    pick(rng, [
      `https://shop.example.com/invoices/INV-2024-${digits(rng, 4)}.pdf`,
      `https://shop.example.com/orders/${digits(rng, 6, false)}/invoice`,
      'https://shop.example.com/account/invoices',
    ]),
  help: (rng) =>
    pick(rng, [
      'https://help.example.com/returns',
      'https://help.example.com/shipping#times',
      'https://shop.example.com/faq',
      'www.example.com/help/refunds',
      'https://help.example.org/contact',
    ]),
  checkout: (rng) =>
    pick(rng, [
      'https://shop.example.com/checkout',
      'https://shop.example.com/checkout/payment?step=2',
      `https://pay.example.net/session/${hex(rng, 10)}`,
      'shop.example.com/cart',
    ]),
  promo: (rng) =>
    pick(rng, [
      'https://shop.example.com/sale',
      `https://shop.example.com/deals?code=SPRING${digits(rng, 2)}`,
      'www.example.com/newsletter-offer',
      'https://shop.example.net/black-week',
    ]),
  order: (rng) =>
    pick(rng, [
      `https://shop.example.com/orders/${digits(rng, 6, false)}`,
      `https://shop.example.com/account/orders?id=${digits(rng, 6, false)}`,
    ]),
};

function url(rng: Rng, kind?: string): string {
  if (kind === undefined) return pick(rng, Object.values(URL_KINDS))(rng);
  const make = URL_KINDS[kind];
  if (make === undefined) throw new ParleyError('DATA_INVALID', `unknown url kind "${kind}"`);
  return make(rng);
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function ordinal(day: number): string {
  if (day % 10 === 1 && day !== 11) return `${day}st`;
  if (day % 10 === 2 && day !== 12) return `${day}nd`;
  if (day % 10 === 3 && day !== 13) return `${day}rd`;
  return `${day}th`;
}

function calendarDate(rng: Rng): string {
  const day = 1 + Math.floor(rng() * 28);
  const month = 1 + Math.floor(rng() * 12);
  const name = MONTHS[month - 1];
  const two = (n: number) => String(n).padStart(2, '0');
  return pick(rng, [
    `${name} ${day}`,
    `${day} ${name}`,
    `${name} ${ordinal(day)}`,
    `the ${ordinal(day)}`,
    `${ordinal(day)} of ${name}`,
    `${name.slice(0, 3)} ${day}`,
    `${two(day)}/${two(month)}`,
    `${two(month)}/${two(day)}/2024`,
    `2024-${two(month)}-${two(day)}`,
  ]);
}

const PAST_RELATIVE = [
  'yesterday',
  'today',
  'last week',
  'last month',
  'two days ago',
  '3 days ago',
  'a week ago',
  'two weeks ago',
  'this morning',
  'last night',
  'the day before yesterday',
  'earlier today',
];
const FUTURE_RELATIVE = [
  'tomorrow',
  'next week',
  'next month',
  'the end of the month',
  'Christmas',
  'New Year',
  'the day after tomorrow',
];

/** A past date; with `on`, calendar dates and weekdays get the preposition as literal text. */
function pastDate(rng: Rng, on: boolean): Part[] {
  const roll = rng();
  if (roll < 0.4) return [entity('date', pick(rng, PAST_RELATIVE))];
  if (roll < 0.6) {
    const day = pick(rng, WEEKDAYS);
    if (rng() < 0.5) return [entity('date', `last ${day}`)];
    return on ? [text('on '), entity('date', day)] : [entity('date', day)];
  }
  const date = calendarDate(rng);
  return on ? [text('on '), entity('date', date)] : [entity('date', date)];
}

function futureDate(rng: Rng): Part[] {
  const roll = rng();
  if (roll < 0.4) return [entity('date', pick(rng, FUTURE_RELATIVE))];
  if (roll < 0.7) {
    const day = pick(rng, WEEKDAYS);
    return [entity('date', rng() < 0.4 ? `next ${day}` : day)];
  }
  return [entity('date', calendarDate(rng))];
}

// Amounts: US style (1,299.50) with $ and £, European style (1.299,50) with € half the time.
function amountText(rng: Rng, european: boolean): string {
  const roll = rng();
  const cents = digits(rng, 2);
  const small = String(1 + Math.floor(rng() * 199));
  if (roll < 0.35) return small;
  if (roll < 0.75) return european ? `${small},${cents}` : `${small}.${cents}`;
  if (roll < 0.85) return `${1 + Math.floor(rng() * 9)}${digits(rng, 3)}`;
  const thousands = `${1 + Math.floor(rng() * 4)}`;
  return european
    ? `${thousands}.${digits(rng, 3)},${cents}`
    : `${thousands},${digits(rng, 3)}.${cents}`;
}

const SYMBOLS: Array<[string, string]> = [
  ['$', 'USD'],
  ['€', 'EUR'],
  ['£', 'GBP'],
];
const CODES = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'SEK', 'JPY'];
const WORDS: Array<[string, string]> = [
  ['dollars', 'USD'],
  ['bucks', 'USD'],
  ['euros', 'EUR'],
  ['euro', 'EUR'],
  ['pounds', 'GBP'],
  ['quid', 'GBP'],
];

/**
 * An amount with its currency as two entities, in the shapes people type: `$49.99`, `100$`,
 * `€49,99`, `49,99 €`, `USD120`, `EUR 49.99`, `49.99 EUR`, `20 dollars`. Glued forms are common on
 * purpose: the tokenizer has to split them (case C05).
 */
function money(rng: Rng): Part[] {
  const roll = rng();
  if (roll < 0.5) {
    const [symbol, code] = pick(rng, SYMBOLS);
    const amount = amountText(rng, symbol === '€' && rng() < 0.6);
    const cur = entity('currency', symbol, code);
    const amt = entity('amount', amount);
    const shape = rng();
    if (shape < 0.6) return [cur, amt];
    if (shape < 0.85) return [amt, cur];
    return [amt, text(' '), cur];
  }
  if (roll < 0.8) {
    const code = pick(rng, CODES);
    const cur = entity('currency', rng() < 0.12 ? code.toLowerCase() : code, code);
    const amt = entity('amount', amountText(rng, code === 'EUR' && rng() < 0.5));
    const shape = rng();
    if (shape < 0.3) return [cur, amt];
    if (shape < 0.5) return [cur, text(' '), amt];
    if (shape < 0.85) return [amt, text(' '), cur];
    return [amt, cur];
  }
  const [word, code] = pick(rng, WORDS);
  return [entity('amount', amountText(rng, false)), text(' '), entity('currency', word, code)];
}

function currencyOnly(rng: Rng): Part[] {
  const entry = pick(rng, CURRENCIES);
  // Currency words ("euros", "quid") rather than symbols, which need a number beside them.
  const words = entry.surfaces.filter((s) => /^[a-z]+$/.test(s) && s.toUpperCase() !== entry.value);
  const surface = rng() < 0.5 || words.length === 0 ? entry.value : pick(rng, words);
  return [entity('currency', surface, entry.value)];
}

type Filler = (rng: Rng, kind?: string) => Part[];

export const FILLERS: Record<string, Filler> = {
  order_id: (rng) => [entity('order_id', orderId(rng))],
  tracking_number: (rng) => [entity('tracking_number', trackingNumber(rng))],
  product: (rng) => [fromCanon(rng, 'product', PRODUCTS)],
  city: (rng) => [fromCanon(rng, 'city', CITIES)],
  payment_method: (rng) => [fromCanon(rng, 'payment_method', PAYMENT_METHODS)],
  email: (rng) => [entity('email', email(rng))],
  url: (rng, kind) => [entity('url', url(rng, kind))],
  money,
  amount: (rng) => [entity('amount', amountText(rng, false))],
  currency: currencyOnly,
  date: (rng) => pastDate(rng, false),
  on_date: (rng) => pastDate(rng, true),
  future_date: futureDate,
};

// ---------------------------------------------------------------------------------------------
// Templates to parts.
// ---------------------------------------------------------------------------------------------

const ALTERNATION = /<([^<>]*)>/g;
const TOKEN = /\{(\w+)(?::(\w+))?\}|\[([^[\]]+)\]\((\w+)(?:=([^()]+))?\)/g;

function asEntityType(name: string, template: string): EntityType {
  const found = ENTITY_TYPES.find((type) => type === name);
  if (found === undefined) {
    throw new ParleyError('DATA_INVALID', `template "${template}" names unknown entity "${name}"`);
  }
  return found;
}

function fill(rng: Rng, slot: string, kind: string | undefined, template: string): Part[] {
  const filler = FILLERS[slot];
  if (filler === undefined) {
    throw new ParleyError('DATA_INVALID', `template "${template}" uses unknown slot {${slot}}`);
  }
  return filler(rng, kind);
}

function expandTemplate(rng: Rng, template: string): Part[] {
  const chosen = template.replace(ALTERNATION, (_all, body: string) => pick(rng, body.split('|')));
  const parts: Part[] = [];
  let last = 0;
  for (const match of chosen.matchAll(TOKEN)) {
    if (match.index > last) parts.push(text(chosen.slice(last, match.index)));
    if (match[1] !== undefined) parts.push(...fill(rng, match[1], match[2], template));
    else parts.push(entity(asEntityType(match[4], template), match[3], match[5]));
    last = match.index + match[0].length;
  }
  if (last < chosen.length) parts.push(text(chosen.slice(last)));

  for (const part of parts) {
    if (part.kind === 'text' && /[[\]{}<>|]/.test(part.text)) {
      throw new ParleyError('DATA_INVALID', `template "${template}" left markup in "${part.text}"`);
    }
  }
  return tidy(parts);
}

/** Merges neighbouring literals, collapses spaces, and drops spaces an empty choice left behind. */
function tidy(parts: Part[]): Part[] {
  const merged: Part[] = [];
  for (const part of parts) {
    const prev = merged[merged.length - 1];
    if (part.kind === 'text' && prev?.kind === 'text') prev.text += part.text;
    else merged.push({ ...part });
  }
  for (const part of merged) {
    if (part.kind === 'text')
      part.text = part.text.replace(/ {2,}/g, ' ').replace(/ +([,.?!])/g, '$1');
  }
  const first = merged[0];
  if (first?.kind === 'text') first.text = first.text.trimStart();
  const lastPart = merged[merged.length - 1];
  if (lastPart?.kind === 'text') lastPart.text = lastPart.text.trimEnd();
  return merged.filter((part) => part.kind === 'entity' || part.text.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Augmentation: the surface noise of real chat (casing, typos, emoji, punctuation, look-alike
// characters). Each step works on parts, so entity offsets stay exact.
// ---------------------------------------------------------------------------------------------

/** Probabilities (0..1) of each augmentation for one example. */
interface Style {
  context: number;
  prefix: number;
  suffix: number;
  endPunct: number;
  typo: number;
  lower: number;
  upper: number;
  capital: number;
  apostrophe: number;
  emoji: number;
  invisible: number;
}

const DOMAIN_STYLE: Style = {
  context: 0.05,
  prefix: 0.12,
  suffix: 0.14,
  endPunct: 0.45,
  typo: 0.13,
  lower: 0.15,
  upper: 0.035,
  capital: 0.3,
  apostrophe: 0.25,
  emoji: 0.1,
  invisible: 0.015,
};
const CHAT_STYLE: Style = {
  ...DOMAIN_STYLE,
  context: 0,
  prefix: 0,
  suffix: 0,
  endPunct: 0.3,
  typo: 0.1,
  upper: 0.05,
  capital: 0.35,
  emoji: 0.15,
  invisible: 0.005,
};
const OOS_STYLE: Style = {
  ...DOMAIN_STYLE,
  context: 0,
  prefix: 0.04,
  suffix: 0.03,
  endPunct: 0.2,
  typo: 0.08,
  lower: 0.2,
  upper: 0.03,
  capital: 0.25,
  emoji: 0.08,
  invisible: 0.005,
};

const CONTEXTS = [
  "Hi there, hope you're well.",
  'Sorry to bother you.',
  "I've been a customer for years.",
  'This is my second message about this.',
  'Quick one.',
  'Hello, I need some help please.',
  'Sorry if this is the wrong place to ask.',
  'Not sure who to ask about this.',
  'Good afternoon!',
  'Hey, hoping you can sort this out.',
];
const CLOSINGS = [
  'Thanks in advance!',
  'Any help appreciated.',
  'Please get back to me soon.',
  'Thank you for your time.',
  'Looking forward to your reply.',
  'Cheers.',
];
const PREFIXES = [
  'hi, ',
  'hello, ',
  'hey ',
  'hi there! ',
  'good morning, ',
  'excuse me, ',
  'quick question: ',
  'um ',
  'so ',
  'ok so ',
  'sorry, ',
  'urgent: ',
  'hello team, ',
  'dear support, ',
  'yo ',
  'hey parley, ',
  '@Parley ',
  'help! ',
];
const SUFFIXES = [
  ' please',
  ' pls',
  ' plz',
  ' thanks',
  ' thx',
  ' thank you',
  ' asap',
  ' ty',
  ', cheers',
  ' 🙏',
  ' thanks in advance',
  ', any help appreciated',
];
const END_PUNCT = ['?', '?', '?', '.', '.', '!', '??', '!!', '...', ' ?', '?!'];
const EMOJI = [
  '😀',
  '🙂',
  '😊',
  '😡',
  '😤',
  '😭',
  '🙏',
  '👍',
  '👋',
  '📦',
  '🚚',
  '💳',
  '💸',
  '🤔',
  '😕',
  '❤️',
  '🔥',
  '✅',
  '❌',
  '‼️',
  '🙄',
  '😅',
  '👩‍👩‍👧',
  '👍🏽',
  '🇩🇪',
  '🇺🇸',
  '🤷‍♀️',
  '🎁',
  '⏰',
  '💔',
  '😀😀',
  '🙏🙏',
  '😡😡😡',
];
const KEY_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
/** Entity types whose surface may change case with the sentence (ids, urls and emails do not). */
const CASE_FOLLOWS = new Set<EntityType>(['product', 'city', 'payment_method', 'date', 'currency']);

function mapText(parts: Part[], fn: (value: string) => string): Part[] {
  return parts.map((part) => (part.kind === 'text' ? { ...part, text: fn(part.text) } : part));
}

function mapCase(parts: Part[], fn: (value: string) => string): Part[] {
  return parts.map((part) =>
    part.kind === 'text' || CASE_FOLLOWS.has(part.type) ? { ...part, text: fn(part.text) } : part,
  );
}

function capitalise(parts: Part[]): Part[] {
  const first = parts[0];
  if (first?.kind !== 'text') return parts;
  return [
    { ...first, text: first.text.charAt(0).toUpperCase() + first.text.slice(1) },
    ...parts.slice(1),
  ];
}

function neighbourKey(rng: Rng, char: string): string {
  const lower = char.toLowerCase();
  for (const row of KEY_ROWS) {
    const at = row.indexOf(lower);
    if (at < 0) continue;
    const options = [row[at - 1], row[at + 1]].filter((c): c is string => c !== undefined);
    return pick(rng, options);
  }
  return char;
}

/** One keyboard slip inside a literal word of four letters or more. */
function typo(rng: Rng, word: string): string {
  const at = 1 + Math.floor(rng() * (word.length - 2));
  const roll = rng();
  if (roll < 0.3) return word.slice(0, at) + word.slice(at + 1);
  if (roll < 0.55) return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
  if (roll < 0.75) return word.slice(0, at) + word[at] + word.slice(at);
  return word.slice(0, at) + neighbourKey(rng, word[at]) + word.slice(at + 1);
}

function addTypo(rng: Rng, parts: Part[]): Part[] {
  const spots: Array<{ part: number; index: number; word: string }> = [];
  parts.forEach((part, partIndex) => {
    if (part.kind !== 'text') return;
    for (const match of part.text.matchAll(/[A-Za-z]{4,}/g)) {
      spots.push({ part: partIndex, index: match.index, word: match[0] });
    }
  });
  if (spots.length === 0) return parts;
  const spot = pick(rng, spots);
  return parts.map((part, partIndex) => {
    if (partIndex !== spot.part || part.kind !== 'text') return part;
    const end = spot.index + spot.word.length;
    return {
      ...part,
      text: part.text.slice(0, spot.index) + typo(rng, spot.word) + part.text.slice(end),
    };
  });
}

function addEmoji(rng: Rng, parts: Part[]): Part[] {
  const emoji = pick(rng, EMOJI);
  const glue = rng() < 0.2 ? '' : ' ';
  const roll = rng();
  if (roll < 0.35) return [text(emoji + glue), ...parts];
  if (roll < 0.75) return [...parts, text(glue + emoji)];
  // Inside: replace one space of a literal with " emoji ".
  const candidates = parts
    .map((part, index) => ({ part, index }))
    .filter(({ part }) => part.kind === 'text' && part.text.trim().includes(' '));
  if (candidates.length === 0) return [...parts, text(glue + emoji)];
  const { index } = pick(rng, candidates);
  return parts.map((part, i) => {
    if (i !== index || part.kind !== 'text') return part;
    const spaces = [...part.text.matchAll(/ /g)].map((m) => m.index).filter((at) => at > 0);
    const at = pick(rng, spaces);
    return { ...part, text: `${part.text.slice(0, at)} ${emoji} ${part.text.slice(at + 1)}` };
  });
}

/** A no-break space for a space, or a zero-width space for the space before an entity (C04). */
function addInvisible(rng: Rng, parts: Part[]): Part[] {
  const zwspAt = parts.findIndex(
    (part, i) => part.kind === 'text' && part.text.endsWith(' ') && parts[i + 1]?.kind === 'entity',
  );
  if (zwspAt >= 0 && rng() < 0.5) {
    return mapTextAt(parts, zwspAt, (value) => `${value.slice(0, -1)}\u200b`);
  }
  const nbspAt = parts.findIndex((part) => part.kind === 'text' && part.text.includes(' '));
  if (nbspAt < 0) return parts;
  return mapTextAt(parts, nbspAt, (value) => value.replace(' ', '\u00a0'));
}

function mapTextAt(parts: Part[], at: number, fn: (value: string) => string): Part[] {
  return parts.map((part, i) =>
    i === at && part.kind === 'text' ? { ...part, text: fn(part.text) } : part,
  );
}

function endsWithPunct(parts: Part[]): boolean {
  const last = parts[parts.length - 1];
  return last?.kind === 'text' && /[.?!)]$/.test(last.text);
}

function augment(rng: Rng, style: Style, input: Part[]): Part[] {
  let parts = input;

  // Frame the request: a context sentence or a greeting first; a tail, then punctuation or a
  // closing sentence last.
  if (rng() < style.context) parts = [text(`${pick(rng, CONTEXTS)} `), ...parts];
  else if (rng() < style.prefix) parts = [text(pick(rng, PREFIXES)), ...parts];
  if (!endsWithPunct(parts) && rng() < style.suffix) parts = [...parts, text(pick(rng, SUFFIXES))];
  if (rng() < style.context) {
    if (!endsWithPunct(parts)) parts = [...parts, text(pick(rng, ['.', '!', '?']))];
    parts = [...parts, text(` ${pick(rng, CLOSINGS)}`)];
  } else if (!endsWithPunct(parts) && rng() < style.endPunct) {
    parts = [...parts, text(pick(rng, END_PUNCT))];
  }

  // Noise on the words themselves.
  if (rng() < style.typo) parts = addTypo(rng, parts);
  if (rng() < style.typo / 4) parts = addTypo(rng, parts);
  const casing = rng();
  if (casing < style.upper) parts = mapCase(parts, (v) => v.toUpperCase());
  else if (casing < style.upper + style.lower) parts = mapCase(parts, (v) => v.toLowerCase());
  else if (casing < style.upper + style.lower + style.capital) parts = capitalise(parts);
  if (rng() < style.apostrophe) parts = mapText(parts, (v) => v.replace(/'/g, '\u2019'));
  if (rng() < style.emoji) parts = addEmoji(rng, parts);
  if (rng() < style.invisible) parts = addInvisible(rng, parts);
  return tidyJoin(parts);
}

/** Merges neighbouring literals without touching their content (augmented spacing is kept). */
function tidyJoin(parts: Part[]): Part[] {
  const merged: Part[] = [];
  for (const part of parts) {
    const prev = merged[merged.length - 1];
    if (part.kind === 'text' && prev?.kind === 'text') prev.text += part.text;
    else merged.push({ ...part });
  }
  return merged.filter((part) => part.kind === 'entity' || part.text.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Rendering, and the checks every example passes before it is kept.
// ---------------------------------------------------------------------------------------------

export interface RenderedEntity {
  type: EntityType;
  start: number;
  end: number;
  value: string;
  canonical?: string;
}

export interface GeneratedExample {
  intent: string;
  /** Index of the template it came from, within its intent. */
  template: number;
  /** The text as a user would send it. */
  text: string;
  /** The Rasa NLU line (without the leading "- "). */
  line: string;
  entities: RenderedEntity[];
}

function render(parts: Part[]): Pick<GeneratedExample, 'text' | 'line' | 'entities'> {
  let plain = '';
  let line = '';
  const entities: RenderedEntity[] = [];
  for (const part of parts) {
    if (part.kind === 'text') {
      plain += part.text;
      line += part.text;
      continue;
    }
    const value = synonymValue(part);
    entities.push({
      type: part.type,
      start: plain.length,
      end: plain.length + part.text.length,
      value: part.text,
      ...(value === undefined ? {} : { canonical: value }),
    });
    plain += part.text;
    line +=
      value === undefined
        ? `[${part.text}](${part.type})`
        : `[${part.text}]{"entity": ${JSON.stringify(part.type)}, "value": ${JSON.stringify(value)}}`;
  }
  return { text: plain, line, entities };
}

/** Reads a rendered Rasa line back; used to prove the line says what the parts say. */
function parseLine(line: string): { text: string; entities: RenderedEntity[] } {
  const pattern = /\[([^[\]]+)\](?:\((\w+)\)|(\{[^{}]*\}))/g;
  let plain = '';
  let last = 0;
  const entities: RenderedEntity[] = [];
  for (const match of line.matchAll(pattern)) {
    plain += line.slice(last, match.index);
    const json =
      match[3] === undefined
        ? undefined
        : (JSON.parse(match[3]) as { entity: string; value?: string });
    const type = asEntityType(match[2] ?? json?.entity ?? '', line);
    const value = match[1];
    entities.push({
      type,
      start: plain.length,
      end: plain.length + value.length,
      value,
      ...(json?.value === undefined ? {} : { canonical: json.value }),
    });
    plain += value;
    last = match.index + match[0].length;
  }
  return { text: plain + line.slice(last), entities };
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function vocabularyPattern(tables: Canon[][]): RegExp {
  const surfaces = tables.flat().flatMap((entry) => entry.surfaces);
  const body = surfaces.map(escapeRegex).join('|');
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${body})(?![\\p{L}\\p{N}])`, 'iu');
}

/** Entity look-alikes that must never sit unannotated in literal text. */
const LEAKS: Array<[string, RegExp]> = [
  ['order id', /(?<![\w#-])(?:[A-Za-z]-?\d{4}|#\d{5}|ORD-\d{4}-\d{4})(?![\w-])/i],
  [
    'tracking number',
    /\b(?:1Z[0-9A-Z]{16}|[A-Z]{2}\d{9}[A-Z]{2}|JD\d{18}|TBA\d{12}|9[2-5]\d{20})\b/,
  ],
  ['email', /[^\s@]+@[^\s@]+\.[a-z]{2,}/i],
  ['url', /https?:\/\/|www\.|\b[\w-]+\.(?:com|org|net|test)\b/i],
  [
    'currency',
    /[$€£¥]|\b(?:USD|EUR|GBP|JPY|CHF|CAD|AUD|SEK|dollars?|euros?|pounds|bucks|quid|yen|francs)\b/i,
  ],
  [
    'date word',
    /\b(?:today|tomorrow|tonight|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|april|june|july|august|september|october|november|december|christmas)\b/i,
  ],
  [
    'date phrase',
    /\b(?:(?:this|next|last) (?:week|weekend|month|morning|evening|night)|the weekend|(?:days?|weeks?|months?) ago)\b/i,
  ],
  ['product, city or payment method', vocabularyPattern([PRODUCTS, CITIES, PAYMENT_METHODS])],
];

function findLeak(parts: Part[]): string | undefined {
  for (const part of parts) {
    if (part.kind !== 'text') continue;
    for (const [name, pattern] of LEAKS) {
      const match = pattern.exec(part.text);
      if (match !== null) return `${name} "${match[0]}"`;
    }
  }
  return undefined;
}

/** Same text for the purpose of "is this a duplicate / a held-out test sentence". */
export function normaliseForCompare(value: string): string {
  return value
    .toLowerCase()
    .replace(/\u2019/g, "'")
    .replace(/[\u200b\u200c\u200d\ufe0f]/g, '')
    .replace(/[\s\u00a0]+/g, ' ')
    .replace(/[?!.,;:()¿¡"]/g, '')
    .trim();
}

/**
 * Test sentences of the field cases (C01, C02, C04, C05, C08 and the message texts of C13, C15,
 * C18). They must never be training examples, or the tests would measure memory.
 */
export const HELD_OUT_SENTENCES = [
  '\u{1F600}\u{1F600} refund for order A1234 please',
  '\u{1F469}\u200d\u{1F469}\u200d\u{1F467} \u{1F1E9}\u{1F1EA} \u{1F44D}\u{1F3FD} where is order B5678?',
  'where is my order A1234?',
  'order A1234, please refund it',
  '(ref A1234) still missing',
  'tracking page: https://track.example.test/p/A1234.',
  'I don\u2019t have order B-7731 yet',
  "I don't have order B-7731 yet",
  'my email is user@example.test\u200b thanks',
  'refund order\u200bA1234',
  'refund\u00a0order A1234',
  'I was charged 100$ twice',
  'please refund €49,99 to my card',
  'the bill says $1,299.50',
  'they took USD120 from me',
  "what's for breakfast today?",
  'tell me a joke about penguins',
  'asdf qwer zxcv',
  '¿qué hora es en Tokio?',
  'where is order A1234',
  'refund order A1234',
  'refund order A1243',
  'and B5678?',
];

const HELD_OUT = new Set(HELD_OUT_SENTENCES.map(normaliseForCompare));

function wordCount(value: string): number {
  return value.split(/[\s\u00a0\u200b]+/).filter((word) => word.length > 0).length;
}

function assertRoundTrip(example: Pick<GeneratedExample, 'text' | 'line' | 'entities'>): void {
  const back = parseLine(example.line);
  const same =
    back.text === example.text &&
    JSON.stringify(back.entities) === JSON.stringify(example.entities);
  const sliced = example.entities.every((e) => example.text.slice(e.start, e.end) === e.value);
  if (!same || !sliced) {
    throw new ParleyError('DATA_INVALID', `rendered line does not read back: ${example.line}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Generation.
// ---------------------------------------------------------------------------------------------

export interface IntentSpec {
  name: string;
  /** Examples to produce. At least the number of templates: each template is used once first. */
  count: number;
  style: Style;
  templates: string[];
}

const MAX_WORDS = 30;

function buildOne(rng: Rng, spec: IntentSpec, index: number): GeneratedExample | undefined {
  const template = spec.templates[index];
  const parts = augment(rng, spec.style, expandTemplate(rng, template));
  const leak = findLeak(parts);
  if (leak !== undefined) {
    throw new ParleyError(
      'DATA_INVALID',
      `${spec.name} template "${template}" leaves an unannotated ${leak}`,
    );
  }
  const rendered = render(parts);
  if (wordCount(rendered.text) > MAX_WORDS) return undefined;
  assertRoundTrip(rendered);
  return { intent: spec.name, template: index, ...rendered };
}

/**
 * Templates with slots are drawn three times as often once each has been used: a new filler makes
 * a new sentence, while a fixed sentence can only come back as a noisier copy of itself.
 */
function templateWeight(template: string): number {
  return /\{\w+(?::\w+)?\}/.test(template) ? 3 : 1;
}

function weightedIndex(rng: Rng, weights: number[]): number {
  let roll = rng() * weights.reduce((sum, w) => sum + w, 0);
  for (let i = 0; i < weights.length; i++) {
    roll -= weights[i];
    if (roll < 0) return i;
  }
  return weights.length - 1;
}

function generateIntent(rng: Rng, spec: IntentSpec, seen: Map<string, string>): GeneratedExample[] {
  if (spec.templates.length > spec.count) {
    throw new ParleyError(
      'DATA_INVALID',
      `${spec.name}: ${spec.templates.length} templates but count ${spec.count}`,
    );
  }
  const out: GeneratedExample[] = [];
  const limit = spec.count * 80;
  const weights = spec.templates.map(templateWeight);
  for (let attempt = 0; out.length < spec.count && attempt < limit; attempt++) {
    // Every template once, in order, then random ones until the count is reached.
    const index = attempt < spec.templates.length ? attempt : weightedIndex(rng, weights);
    const example = buildOne(rng, spec, index);
    if (example === undefined) continue;
    const key = normaliseForCompare(example.text);
    if (key.length === 0 || seen.has(key) || HELD_OUT.has(key)) continue;
    seen.set(key, spec.name);
    out.push(example);
  }
  if (out.length < spec.count) {
    throw new ParleyError(
      'DATA_INVALID',
      `${spec.name}: only ${out.length} distinct examples of ${spec.count}`,
    );
  }
  return out;
}

export function generateExamples(seed = SEED): GeneratedExample[] {
  const rng = createRng(seed);
  const seen = new Map<string, string>();
  return intentSpecs(rng).flatMap((spec) => generateIntent(rng, spec, seen));
}

// ---------------------------------------------------------------------------------------------
// Output.
// ---------------------------------------------------------------------------------------------

function block(lines: string[], header: string, items: string[]): void {
  lines.push(`  - ${header}`, '    examples: |');
  for (const item of items) lines.push(`      - ${item}`);
}

function synonymItems(examples: GeneratedExample[]): Map<string, Set<string>> {
  const synonyms = new Map<string, Set<string>>();
  const add = (canonical: string, surface: string) => {
    if (surface.toLowerCase() === canonical.toLowerCase()) return;
    const set = synonyms.get(canonical) ?? new Set<string>();
    set.add(surface.toLowerCase());
    synonyms.set(canonical, set);
  };
  for (const entry of [...PRODUCTS, ...CITIES, ...PAYMENT_METHODS, ...CURRENCIES]) {
    for (const surface of entry.surfaces) add(entry.value, surface);
  }
  for (const example of examples) {
    for (const e of example.entities) if (e.canonical !== undefined) add(e.canonical, e.value);
  }
  return synonyms;
}

function toYaml(examples: GeneratedExample[], seed: number): string {
  const lines = [
    `# Generated by scripts/generate-shop-data.ts (seed ${seed}); edit the script, not this file.`,
    '# Rasa NLU YAML: [text](type) marks an entity; [text]{"entity": ..., "value": ...} also maps',
    '# it to a canonical value (see the synonym items at the end).',
    'version: "3.1"',
    'nlu:',
  ];
  const intents = [...new Set(examples.map((e) => e.intent))];
  for (const intent of intents) {
    block(
      lines,
      `intent: ${intent}`,
      examples.filter((e) => e.intent === intent).map((e) => e.line),
    );
  }
  for (const [canonical, surfaces] of synonymItems(examples)) {
    block(lines, `synonym: ${JSON.stringify(canonical)}`, [...surfaces]);
  }
  for (const [type, patterns] of Object.entries(REGEXES)) block(lines, `regex: ${type}`, patterns);
  const lookups: Array<[string, Canon[]]> = [
    ['city', CITIES],
    ['payment_method', PAYMENT_METHODS],
    ['product', PRODUCTS],
  ];
  for (const [type, table] of lookups) {
    block(
      lines,
      `lookup: ${type}`,
      table.flatMap((entry) => entry.surfaces),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The whole file, formatted the way the repository's Prettier settings want it. */
export async function renderShopData(seed = SEED): Promise<string> {
  const yaml = toYaml(generateExamples(seed), seed);
  const options = (await prettier.resolveConfig(OUTPUT)) ?? {};
  return prettier.format(yaml, { ...options, parser: 'yaml' });
}

async function main(): Promise<void> {
  const content = await renderShopData();
  writeFileSync(OUTPUT, content);
  const examples = generateExamples();
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.intent, (counts.get(e.intent) ?? 0) + 1);
  process.stdout.write(`wrote ${OUTPUT}: ${examples.length} examples, ${counts.size} intents\n`);
}

// ---------------------------------------------------------------------------------------------
// The intents. Templates are hand-written; one line is one sentence shape.
// ---------------------------------------------------------------------------------------------

const GREET = [
  'hi',
  'hello',
  'hey',
  'hey there',
  'hi there',
  'hello there',
  'good morning',
  'good afternoon',
  'good evening',
  'morning',
  'evening all',
  'hiya',
  'howdy',
  'yo',
  'sup',
  "what's up",
  'heyyy',
  'helloooo',
  'hi parley',
  'hello parley',
  'hey bot',
  'hi team',
  'hello support',
  'hi, anyone there',
  'hello? is anybody there',
  'hey, how are you',
  'hi how are you doing',
  "hello, how's it going",
  'greetings',
  'good day',
  'hey hey',
  'hi again',
  "hello, it's me again",
  'hey friend',
  'hi folks',
  'hello hello',
  'hey, good morning',
  'morning team',
  'hi! hope you are well',
  'hey, you there?',
  'hellooo anyone',
  'hi hi',
  'hey parley!',
  'good morning support team',
  'hello, nice to meet you',
  'heya',
  'hey, quick hello',
  '👋',
  '👋 hi',
  'hi 😊',
  "hi there, hope you're having a lovely day so far",
];

const GOODBYE = [
  'bye',
  'goodbye',
  'bye bye',
  'see you',
  'see ya',
  'cya',
  'later',
  'see you later',
  'talk to you later',
  'have a nice day',
  'have a good one',
  'take care',
  "that's all",
  "that's all for now, bye",
  'good night',
  'catch you later',
  "I'm done",
  'ttyl',
  'farewell',
  'gotta go',
  'ok bye',
  'bye for now',
  'until next time',
  'signing off',
  "that's everything, goodbye",
  "I'm off, bye",
  'have a great weekend',
  'see you around',
  'bye, thanks anyway',
  'nothing else, bye',
  'all good, bye',
  'ok that is all, see you',
  'ciao for now',
  'laters',
  'byeee',
  'good bye and have a nice evening',
  'I have to go now',
  "we're done here, bye",
  'bye 👋',
  'night night',
  "that's it from me",
  'peace out',
  'alright, I think that covers everything, talk to you another time',
];

const THANKS = [
  'thanks',
  'thank you',
  'thx',
  'ty',
  'cheers',
  'much appreciated',
  'thanks a lot',
  'thank you so much',
  'great, thanks',
  'perfect, thank you',
  'thanks for the help',
  'many thanks',
  'appreciate it',
  'thanks a bunch',
  'you are a star',
  'that helped, thanks',
  'brilliant, cheers',
  'thank you very much',
  'thanks, that answers it',
  'awesome thanks',
  'great help, thank you',
  'thanks mate',
  'super, thanks',
  'thank you kindly',
  'thanks so much for your help',
  'nice one, thanks',
  'lovely, thank you',
  'ok thanks',
  'thanks for sorting that',
  'I really appreciate your help',
  'thank u',
  'tysm',
  'thanks again',
  'cool, thx',
  'that was quick, thanks',
  'thanks, you saved my day',
  'thanks for your patience',
  'cheers mate',
  'many thanks for the quick reply',
  'thank you!!',
  'thanks 🙏',
  '🙏',
  'thanks a million',
  'thank you so much, that was really helpful and much quicker than I expected',
];

const AFFIRM = [
  'yes',
  'yeah',
  'yep',
  'yup',
  'sure',
  'correct',
  "that's right",
  'exactly',
  'ok',
  'okay',
  'sounds good',
  'please do',
  'go ahead',
  'yes please',
  'absolutely',
  'definitely',
  'of course',
  'right',
  'confirmed',
  'y',
  "that's correct",
  'indeed',
  'affirmative',
  "yes that's the one",
  'sure thing',
  "let's do it",
  'alright',
  'fine by me',
  'works for me',
  'do it',
  'yes, go on',
  'yeah that works',
  'yes exactly',
  'right, that one',
  'yes I do',
  'yes it is',
  'uh huh',
  'yea',
  'ok, do that',
  'perfect, yes',
  'agreed',
  'that would be great',
  'yes, correct',
  'yep, sounds right',
  'I confirm',
  'yes!!',
  '👍',
  'ok 👍',
  'k',
];

const DENY = [
  'no',
  'nope',
  'nah',
  'not really',
  'no thanks',
  "that's wrong",
  'incorrect',
  "don't",
  'never mind',
  "no, that's not it",
  'not that one',
  'absolutely not',
  'no way',
  'n',
  'negative',
  "I don't think so",
  'not now',
  "nope, that's not right",
  'no, leave it as it is',
  "don't do that",
  'hold on, no',
  'not correct',
  'no no no',
  'wrong',
  "that's not what I meant",
  'nope, different one',
  'no, thank you',
  'definitely not',
  'no I did not',
  "no it isn't",
  'not quite',
  "I'd rather not",
  "please don't",
  'no, stop',
  'nah, forget it',
  'not at all',
  'no, not that',
  'that is not right',
  "no that's incorrect",
  'nope nope',
  'no sorry',
  'nah not interested',
  '👎',
  'no 👎',
  'nooo',
];

const ORDER_STATUS = [
  "<where is|where's|wheres|where r> my order {order_id}",
  "<where is|where's> order {order_id}",
  "<where is|where's> order {order_id} <now|at the moment|right now>",
  'any idea where order {order_id} is',
  'where did order {order_id} get to',
  "what's the status of <my order|order> {order_id}",
  'status of {order_id} <please|pls|>',
  'can you <check on|look up|check> my order {order_id}',
  "I placed an order {on_date} and <haven't heard anything since|got no update>, <order number|order no.|it's> {order_id}",
  'has my order {order_id} <shipped|been shipped|gone out> yet',
  'any <update|news> on {order_id}',
  'my order {order_id} still says <processing|pending|preparing>, what is going on',
  'I ordered <a|the> {product} {date}, what is the status',
  'order {order_id} - is it on its way',
  'could you tell me if order {order_id} has been dispatched',
  'is my order confirmed? the number is {order_id}',
  'I never got a confirmation for order {order_id}',
  '<check|checking> order status',
  'what is happening with my order',
  'order status <please|pls|>',
  "I'd like an update on my order",
  'my order has not moved in days, {order_id}',
  'the app says {order_id} is <pending|on hold>, what does that mean',
  '(ref {order_id}) any news',
  'can you look up the order I placed with {email}',
  'I used {email} to order, can you find <it|my order>',
  'hi, just wondering about order {order_id}',
  'is {order_id} ready to ship',
  'why is my order {order_id} still not shipped',
  'order {order_id} status',
  'has anything happened with my order from {date}',
  'did you receive my order {order_id}',
  'I want to know where my stuff is, order {order_id}',
  'need an update on order <no.|number|#> {order_id}',
  'what stage is my order {order_id} at',
  "my order number is {order_id}, can you tell me what's happening with it",
  'is order {order_id} stuck',
  'looking for info on my recent order {order_id}',
  'how is my order coming along',
  '{order_id}',
  '{order_id} status?',
  'I placed order {order_id} {on_date}, has it been packed yet',
  "is there a problem with my order {order_id}? it <hasn't|has not> shipped",
  'can u check {order_id} 4 me',
  "what's up with my order",
  'where are my things? ordered {date}',
  'checking in on order {order_id}',
  'has order {order_id} left the warehouse',
  'my order {order_id} says "on hold", why',
  'order placed {date}, still nothing, the confirmation went to {email}',
  'order "{order_id}" - status?',
  'is my {product} order <confirmed|processed> yet',
  'what is the current status of my purchase',
  'did my order go through? {order_id}',
  "my order {order_id} isn't showing in my account",
  'order {order_id}: processing for ages, why',
  'quick status check on {order_id} and {order_id}',
  'I want to check my order',
  'hello, I placed order {order_id} {on_date} and the website still shows it as processing, could you please tell me what is going on with it',
  'my order {order_id} was supposed to be dispatched within two days but it has been over a week now and I still have no update at all',
  'my order page {url:order} shows nothing.',
  'the status at {url:order} has not changed in days',
];

const TRACK_PACKAGE = [
  'track my <package|parcel|shipment>',
  'can you track {tracking_number}',
  'where is my parcel? tracking number {tracking_number}',
  "tracking {tracking_number} <has not|hasn't> updated in days",
  "the tracking link {url:track} <doesn't work|is broken|shows an error>",
  'my tracking page says delivered but I have no package',
  'where is my package, order {order_id}',
  'can I get a tracking number for order {order_id}',
  "I didn't get a tracking number",
  'which courier has my parcel',
  'the package <is stuck|has been stuck> in {city} for a week',
  'my parcel has been sitting at the depot in {city} since {date}',
  'what does "in transit" mean for {tracking_number}',
  'track parcel {tracking_number} <please|pls|>',
  'tracking number: {tracking_number}',
  'is there a way to follow my shipment',
  "where's my shipment {tracking_number}",
  'send me the tracking link for {order_id}',
  'tracking says out for delivery since {date}, where is it',
  'the courier site {url:track} only says label created',
  'can you trace my package',
  'my package was supposed to be in {city} by now',
  '{tracking_number}',
  '{tracking_number} where is this',
  'package tracking for order {order_id}',
  'how do I track my order',
  'track order {order_id}',
  'could you give me the <shipment|parcel> tracking info',
  'is my parcel lost? tracking {tracking_number} stopped updating',
  'the tracking number you sent me ({tracking_number}) is invalid',
  'where exactly is my package right now',
  'tracking shows it went back to {city}',
  'the delivery guy says he left my parcel but where',
  "can't find my package, tracking says delivered {date}",
  'I need the tracking info for my shipment',
  "my parcel is going the wrong way, it's in {city} now",
  'no tracking updates since {date} on {tracking_number}',
  "which carrier is shipping {order_id} and what's the tracking",
  'live tracking for my delivery please',
  'the link {url:track} shows nothing.',
  'help me locate my package',
  "what's the latest scan on {tracking_number}",
  "I'm expecting a parcel, tracking number {tracking_number}, can you check",
  "hey where's my package at",
  'my tracking: {url:track}.',
  'parcel {tracking_number} - any idea where it is',
  'tracking id {tracking_number} shows held at customs in {city}',
  'the tracking for my {product} has not changed since {date}',
  'is {tracking_number} with the courier yet',
  'what does "exception" mean on my tracking',
  'my package tracking is frozen',
  'can you see where my parcel is',
  'track shipment for {email}',
  'the tracking number {tracking_number} has said in transit for six days now and the courier website {url:track} gives no details, can you find out where my parcel is',
  'I got a text that my parcel would arrive {date} but nothing came and the tracking still says it is at the depot in {city}',
  'status of shipment {tracking_number}',
  'my tracking code is {tracking_number}',
  '{tracking_number} shows no movement since {date}',
  'can you check parcel {tracking_number} for me, it says delayed',
  'the courier says {tracking_number} was delivered in {city} but I live somewhere else',
  'tracking {tracking_number}.',
  'where is {tracking_number}',
  'is {tracking_number} lost',
  'the link {url:track} says not found.',
];

const DELIVERY_TIME = [
  'when will my order arrive',
  'how long does shipping take to {city}',
  'when will {order_id} be delivered',
  "what's the estimated delivery date for {order_id}",
  'will it arrive by {future_date}',
  'can I get the {product} by {future_date}',
  'how many days does delivery take',
  'do you ship to {city} and how long does it take',
  'ETA on order {order_id}',
  'how fast is express shipping',
  'if I order [today](date) will it come before {future_date}',
  'I need it by {future_date}, is that possible',
  'when should I expect my {product}',
  'delivery time to {city}',
  'how long until my package gets here',
  'expected arrival for {order_id}',
  'does standard delivery take a week',
  'what time of day do you deliver',
  'will order {order_id} come before [the weekend](date)',
  'is next day delivery available in {city}',
  'roughly when will the {product} be shipped to me',
  'it said 3-5 business days, which day exactly',
  'how long does international shipping take',
  'when is the delivery window for {order_id}',
  'estimated delivery <date|time>',
  "can you tell me when it'll get to {city}",
  'will my package arrive before [Christmas](date)',
  'how soon can you deliver <a|the> {product} to {city}',
  'will the {product} I ordered {date} come [this week](date)',
  'is same-day delivery an option',
  'when does order {order_id} get here',
  'what day will my parcel arrive',
  'delivery date for my order please',
  'how long do deliveries to {city} usually take',
  'my order {order_id} was supposed to arrive {date}, when will it come now',
  'do you deliver on weekends',
  "any idea when I'll receive it",
  'ETA',
  'how long is the wait for the {product}',
  'will it be here by {future_date} if I pay for express',
  'arrival time for {tracking_number}',
  'how quickly do orders to {city} arrive',
  'when do you ship orders placed on weekends',
  'how many working days until it arrives',
  'if I order now, when does it come',
  'is {future_date} delivery still possible for {city}',
  'when can I expect delivery of {order_id}',
  "what's the shipping time for the {product}",
  'how long will it take',
  'can it be delivered {future_date}',
  'I need the {product} for a birthday on {future_date}, if I order it now with standard shipping to {city} will it get there in time',
  'how long does delivery to {city} normally take, I am trying to work out whether to pay extra for express or not',
  'when will {tracking_number} arrive',
  'delivery estimate for {tracking_number}',
];

const CHANGE_ADDRESS = [
  'I need to change the delivery address for order {order_id}',
  'can I update my shipping address',
  'wrong address on order {order_id}, please fix',
  'I moved to {city}, can you send {order_id} there instead',
  'please ship to my new address in {city}',
  'change address on {order_id}',
  'I typed the wrong street number',
  'can you redirect my parcel to {city}',
  'the zip code on my order is wrong',
  'update delivery address to my office in {city}',
  'is it too late to change the address for {order_id}',
  'can I have it delivered to a different address',
  'I want to send the order to my parents in {city} instead',
  'edit shipping address',
  'my address changed, how do I update it for pending orders',
  'deliver {order_id} to a pickup point in {city} instead',
  'I put my old address on order {order_id}',
  'need to correct the apartment number on my order',
  'can you change the recipient address',
  'address mistake on my order {order_id}!',
  "please update the address, I'm moving to {city} {on_date}",
  'can I change where my package goes',
  'the postcode is missing a digit on order {order_id}',
  'I accidentally shipped it to {city} instead of {city}',
  "can the courier deliver it to my neighbour's address instead",
  'how do I change my default shipping address',
  'switch delivery address for order {order_id} to {city}',
  'change my shipping details',
  'my billing and shipping addresses are mixed up on {order_id}',
  'I need to fix the address before it ships',
  'new address for order {order_id}: Hauptstrasse 5, {city}',
  'wrong city on the label, it should be {city}',
  'can I change the delivery address after ordering',
  "I'm not home that week, send it to my work address",
  'reroute my order to {city}',
  'update address <pls|please>',
  'the address on file is outdated',
  'order {order_id} is going to my old place in {city}, can you change it',
  'is there a way to edit the address on an order',
  'I want it delivered to {city} not {city}',
  'the house number on {order_id} is wrong, it should be 12b',
  'change shipping address to 221 Baker Street, {city}',
  'I gave you my old flat address by mistake',
  'can my {product} go to a different address',
  'please amend the delivery address',
  'I just realised I put my old address on order {order_id}, I moved to {city} {date}, can you please update it before the parcel leaves',
  'the courier will not deliver to my building, is it possible to change order {order_id} to a pickup point in {city} instead',
];

const REFUND_REQUEST = [
  'I want a refund for order {order_id}',
  'refund <please|pls>',
  'can I get my money back for the {product}',
  'please refund {money} to my {payment_method}',
  'how do I request a refund',
  'I returned the {product} {date}, where is my refund',
  'refund for {order_id}, it arrived broken',
  "I'd like a full refund",
  'when will I get my refund of {money}',
  'you owe me {money}, please refund it',
  "my refund hasn't shown up on my {payment_method}",
  'I was promised a refund for order {order_id}',
  'refund my order {order_id} <now|immediately>',
  'can you process a refund to my {payment_method}',
  'I want a partial refund, the {product} was scratched',
  'money back for order {order_id} please',
  'status of my refund for {order_id}',
  'I cancelled but never got refunded',
  'the item never came, I want my money back',
  'refund the shipping cost of {money}',
  'how long do refunds take to hit my {payment_method}',
  'refund to the original payment method please',
  'could you give me [store credit](payment_method) instead of a refund',
  'I returned it {date} and still no refund',
  'I need a refund asap, order {order_id}',
  "I'm owed {money} for the returned {product}",
  "refund order {order_id}, the {product} doesn't fit",
  'can I get reimbursed for {order_id}',
  'I demand a refund',
  'how do I get my money back',
  'refund of {money} still pending since {date}',
  'the refund amount is wrong, I only got {money}',
  'reimbursement for a damaged item',
  'refund the difference, the price dropped to {money}',
  'please return my money for {order_id}',
  'I want a refund, not a replacement',
  'where is my money? I sent the {product} back',
  'issue a refund for the late delivery of {order_id}',
  'you charged me {money} for an item I never received, refund it',
  'refund {money} for order {order_id} <please|>',
  'I got a partial refund but expected {money}',
  'can the refund go to my {payment_method} instead',
  'refund request for the {product} (order {order_id})',
  'has my refund been processed yet',
  'my {product} was faulty so I want a refund',
  'I would like to be refunded',
  'I was charged {money} for the {product} on order {order_id}, it arrived broken so I would like the full amount back to my {payment_method} please',
  'hi, I sent the {product} back {date} and the tracking shows you received it, but the refund of {money} still has not appeared on my account',
  'refund {money} please',
  'can you refund the {money} shipping fee',
  'the refund was {money} short',
  "the refund form at {url:help} doesn't submit.",
  'I should get {money} back',
  'where are my {money}',
  'I want the {amount} back for order {order_id}',
];

const RETURN_ITEM = [
  'how do I return an item',
  'I want to return the {product}',
  'return label for order {order_id} please',
  "can I send back the {product}, it doesn't fit",
  "what's your return policy",
  "I'd like to exchange the {product} for a different size",
  'how many days do I have to return something',
  'start a return for {order_id}',
  'the {product} is defective, I need to return it',
  'where do I send returns',
  'can I return it at a store in {city}',
  'I lost the return label',
  'do I have to pay for return shipping',
  'return request for {order_id}',
  'I bought the {product} {on_date}, can I still return it',
  'send me a return label to {email}',
  'how do I print the return label from {url:help}',
  'the returns page {url:help} gives an error.',
  'I want to swap the {product} for another colour',
  'can I return an opened item',
  'wrong size, want to return',
  'return the {product} from order {order_id}',
  'is it free to return items',
  'I received the wrong item, how do I send it back',
  'return window for sale items',
  'I dropped off my return in {city} {on_date}, did you get it',
  'do you accept returns without the box',
  'can I return part of my order {order_id}',
  'need to send the {product} back',
  'how do I exchange an item',
  'return my {product}',
  'can I return a gift without a receipt',
  'the {product} stopped working after a week, can I return it',
  "I'd like to return everything in order {order_id}",
  "returning the {product}, what's the process",
  "where's the nearest drop-off point for returns in {city}",
  'I changed my mind about the {product}, can I send it back',
  'I want to return it',
  'return item',
  'can I get a prepaid return label',
  'exchange the {product} for a bigger size please',
  'is the return period 30 days',
  'I have two items from {order_id} to send back',
  'how should I pack the {product} for the return',
  'can someone pick up my return from {city}',
  'I bought the {product} {date} but it is much smaller than the pictures suggested, how do I send it back and will the return shipping be free',
  'the return label you emailed to {email} will not print, is there another way to send back the {product} from order {order_id}',
  'I followed the steps on {url:help} but got no label.',
];

const CANCEL_ORDER = [
  'cancel my order',
  'please cancel order {order_id}',
  'I want to cancel {order_id}',
  'can I still cancel my order',
  'I ordered the wrong {product}, cancel it please',
  'cancel the {product} from my order {order_id}',
  'I changed my mind, please cancel',
  'how do I cancel an order',
  'stop my order {order_id} from shipping',
  'cancel it before it ships!!',
  'is it too late to cancel {order_id}',
  'I placed a duplicate order, cancel {order_id}',
  'cancel the order I made {date}',
  'cancel my subscription box',
  'please stop my monthly subscription',
  'end my subscription please',
  'cancel order number {order_id} immediately',
  "I don't want the {product} anymore, cancel it",
  'cancel everything I ordered {date}',
  'can you void order {order_id}',
  "I'd like to cancel, it's taking too long",
  'cancellation for {order_id} please',
  'remove the {product} from my pending order',
  "please don't send order {order_id}, cancel it",
  'I want to cancel my purchase',
  'cancel the whole order',
  'accidentally ordered twice, cancel one of them',
  'how can I cancel order {order_id} online',
  'cancel!!',
  'I need to cancel an order I placed by mistake',
  'abort order {order_id}',
  "can I cancel if it's already shipped",
  'please cancel my pre-order for the {product}',
  'the price dropped, I want to cancel and reorder',
  "don't ship it, I want to cancel",
  'cancel my last order',
  'order {order_id} cancel',
  'I want out of this order',
  'kindly cancel my order {order_id} placed {on_date}',
  'scrap my order please',
  'cancel {order_id} and {order_id}, both were mistakes',
  'can you cancel the order I placed with {email}',
  'please cancel the {product}, I found it cheaper',
  'I wish to cancel order (ref {order_id})',
  'how do I cancel my recurring order',
  'I ordered the {product} by mistake {date}, the order number is {order_id}, please cancel it before it ships so I do not have to return it',
  'hi, I just placed order {order_id} but I chose the wrong colour, can you cancel it so I can order again',
  'cancel the {money} order from {date}',
];

const PAYMENT_FAILED = [
  'my payment failed',
  'my {payment_method} was declined',
  "payment didn't go through",
  'I keep getting an error at checkout',
  'why was my {payment_method} rejected',
  'checkout fails when I pay with {payment_method}',
  'the payment of {money} failed but I have enough money',
  'transaction declined',
  "I can't pay with {payment_method}",
  'payment error on {url:checkout}',
  'it says payment unsuccessful',
  "my card was declined but the bank says it's fine",
  "can't complete my purchase, payment keeps failing",
  'error code 402 when paying',
  '{payment_method} payment not working',
  'the payment page just spins and then fails',
  'my payment of {money} bounced',
  'payment declined for order {order_id}',
  "why won't you accept my card",
  'I tried 3 times to pay and it failed each time',
  'checkout says "payment could not be processed"',
  '{payment_method} keeps saying something went wrong',
  'unable to pay',
  'card rejected at checkout',
  'payment failed twice, is my order placed',
  'transaction failed with {payment_method} {on_date}',
  "it won't let me pay",
  'I get "card declined" for {money}',
  'payment issue at checkout',
  "couldn't pay for my {product}",
  'the 3D secure step fails every time',
  'my bank approved it but your site says payment failed',
  'is {payment_method} down? my payment failed',
  "the order didn't go through because of the payment",
  'tried {payment_method} and {payment_method}, both fail',
  "payment won't process",
  'why does my payment keep failing',
  "my {payment_method} isn't accepted",
  'help, payment error',
  'the checkout at {url:checkout} rejects my card.',
  'paying {money} with {payment_method} fails with "try again later"',
  'my card keeps getting declined on your site',
  'payment authorisation failed',
  "I can't check out, it says my card is invalid",
  'getting "payment failed" on order {order_id}',
  'I tried to pay {money} for my {product} with {payment_method} three times and every time it says the payment failed, what am I doing wrong',
  'every time I try to check out with my {payment_method} the page says the transaction was declined, my bank says there is nothing wrong on their side',
  '{money} payment failed',
  "why can't I pay {money} with {payment_method}",
  'could not pay {money}, card declined',
];

const DOUBLE_CHARGE = [
  'I was charged twice',
  'you charged me twice for order {order_id}',
  'I see two charges of {money} on my {payment_method}',
  'double charged!!',
  'there are duplicate charges on my statement',
  'I got billed twice for the same {product}',
  'charged {money} two times {on_date}',
  'why was I charged twice',
  'my {payment_method} shows the payment twice',
  'duplicate payment for {order_id}',
  'you took the money twice',
  'I paid once but was charged two times',
  'there is an extra charge of {money}',
  'double billing on my account',
  'my bank shows two identical transactions',
  "I've been charged {money} and then {money} again",
  'why do I have 2 charges for one order',
  'charged twice for {order_id}, please fix',
  'the payment went through twice',
  'duplicate transaction {on_date}',
  'same amount debited twice from my {payment_method}',
  'I was billed two times for one purchase',
  '2x charge on my card',
  'you charged my {payment_method} twice and I only placed one order',
  'double payment taken for order {order_id}',
  'my account was debited twice',
  'charged {money} more than once',
  'I got charged again after it failed the first time',
  'why are there two pending charges of {money}',
  'I think you billed me twice',
  'twice charged',
  'you took {money} twice from my account',
  'two charges for one order, order {order_id}',
  'I see the same charge twice from {date}',
  'it charged me twice when the page reloaded',
  'billed double',
  'charged two times for the {product}',
  'my statement has {money} taken twice for {order_id}',
  'I was charged {money} but my order total was {money}',
  'three charges for a single order?!',
  'duplicate charge on my {payment_method} for the {product}',
  'the {money} payment appears twice in my banking app',
  'why did you take payment twice',
  'overcharged: billed twice for one item',
  'I checked my banking app {date} and there are two payments of {money} for order {order_id}, I only clicked pay once so please fix this',
  'looks like I was billed twice for my last order, my {payment_method} statement shows {money} {on_date} and again the day after',
  'charged {money} twice',
  '{money} taken twice',
  'I see {money} and {money} for the same order',
  'why did you charge {money} twice on my {payment_method}',
  'there is a second {money} charge next to my real order',
  'charged {amount} twice, the order was only {amount}',
];

const INVOICE_REQUEST = [
  'can I get an invoice for order {order_id}',
  'send me the invoice',
  'I need a receipt for {order_id}',
  'please email the invoice to {email}',
  'where can I download my invoice',
  'I need a VAT invoice for my company',
  'can you resend the receipt for my order from {date}',
  'invoice please',
  'my invoice has the wrong name',
  'need a copy of my bill for {order_id}',
  'I need an invoice with my company address',
  'the invoice link {url:invoice} is broken',
  'send the receipt to {email}',
  'can I get an itemised receipt',
  'how do I get a tax invoice',
  'I never got an invoice for {order_id}',
  'invoice for the {product} I bought {date}',
  'please send me a PDF invoice',
  'could you reissue the invoice with my VAT number',
  'I need proof of purchase for the {product}',
  'download invoice',
  "where's my receipt",
  'I need the invoices for all my orders since {date}',
  'can the invoice be in my business name',
  'invoice for order {order_id} to {email} please',
  'my accountant needs an invoice for {order_id}',
  'the receipt shows {money} but I paid {money}',
  'request invoice',
  'can you add my company details to the invoice for {order_id}',
  'I lost my receipt, can you send another one',
  'billing document for my last order',
  'can I get a receipt for the warranty',
  'I need a proper invoice, not just the order confirmation',
  'invoice copy for {order_id}',
  'can you send invoices to {email} from now on',
  'get receipt',
  'I need an invoice in {currency}',
  'the invoice at {url:invoice} shows the wrong address.',
  'can I have a receipt for {money}',
  'invoice for order (ref {order_id}) needed for expenses',
  'where do I find invoices in my account',
  'I need a corrected invoice',
  'for my tax return I need a proper invoice with VAT for order {order_id}, could you send it to {email} with my company name on it',
  'my company reimburses purchases but only with an itemised invoice, can I get one for the {product} I bought {date}',
  'I need an invoice showing {money} incl. VAT',
];

const CHANGE_PAYMENT_METHOD = [
  'I want to change my payment method',
  'can I pay with {payment_method} instead',
  'switch payment to {payment_method} for order {order_id}',
  'update my card details',
  'how do I add a new card',
  'remove my old {payment_method} from my account',
  'change the card on file',
  'can I use {payment_method} for this order',
  "I'd like to switch from {payment_method} to {payment_method}",
  'update payment info',
  'my card expired, how do I update it',
  'set {payment_method} as my default payment',
  'can I change how I pay for {order_id}',
  'replace my {payment_method} with a new one',
  'I want to pay by {payment_method} next time',
  'change billing method',
  'edit payment details',
  'I got a new card, need to update it',
  'use a different card for order {order_id}',
  'can I split the payment between {payment_method} and {payment_method}',
  'change the payment on my subscription to {payment_method}',
  'delete my saved card',
  'how do I change the default payment method',
  'switch to {payment_method}',
  'pay with {payment_method} instead of {payment_method}',
  'new card number, how do I update it',
  'my {payment_method} is closed, I want to use another one',
  'can I change payment after placing the order',
  'I need to update my billing info',
  'change my payment to {payment_method} please',
  'update card',
  'add {payment_method} to my account',
  'modify the payment method for {order_id}',
  "I don't want to use {payment_method} anymore",
  'where do I manage my payment methods',
  'change the card for my recurring order',
  'can my partner pay with their {payment_method}',
  'I want to switch the payment for my pre-order',
  'the card ending 4242 is old, please replace it',
  'can I move my order {order_id} from {payment_method} to {payment_method}',
  'how do I link {payment_method} to my account',
  'change payment method on {url:checkout}',
  'remove the expired card',
  'my {payment_method} expired {date} so I need to replace it on my account before my next order is charged, how do I do that',
  'I would prefer to pay for order {order_id} with {payment_method} instead of {payment_method}, is it still possible to switch before it ships',
  'can I pay the remaining {money} with {payment_method}',
];

const ACCOUNT_LOGIN = [
  "I can't log in",
  "can't sign in to my account",
  'login not working',
  "it says my password is wrong but it isn't",
  'my account is locked',
  "I can't access my account with {email}",
  'the login page {url:login} keeps reloading',
  'how do I log into my account',
  'sign in problem',
  'I get an error when I try to log in',
  'my account got locked after too many tries',
  'the two-factor code never arrives',
  "I'm not receiving the verification code",
  "login with google doesn't work",
  'the app logs me out all the time',
  "can't log in on mobile",
  "I'm stuck on the login screen",
  'account {email} says user not found',
  "why can't I sign in",
  'login issues since {date}',
  'does my account exist? I used {email}',
  'I forgot my username',
  'my session keeps expiring',
  'unable to access my account',
  "it won't let me log in",
  "I signed up with {email} but can't log in",
  'the sign in button does nothing',
  'where do I log in',
  'locked out of my account',
  'the captcha fails every time I log in',
  'error "invalid credentials" at {url:login}.',
  'how do I sign in without the app',
  "can't get into my account",
  'login keeps failing',
  "my 2FA isn't working",
  'I can log in on desktop but not on my phone',
  'account access problem',
  "I can't login since the update",
  'help me sign in',
  'is there a problem with logins [today](date)',
  'the verification email for {email} never came',
  'my account was disabled, why',
  'log in page says "too many attempts"',
  'I get a blank page after signing in at {url:login}',
  'how do I log in with my email {email}',
  'I have been trying to log in for an hour with {email} and it keeps saying the password is incorrect even though I am sure it is right',
  'every time I sign in on the app it sends me back to the login screen, I already tried reinstalling it twice',
  "the page {url:login} won't load.",
];

const PASSWORD_RESET = [
  'I forgot my password',
  'reset my password',
  'how do I reset my password',
  'the password reset email never arrived',
  'send a password reset link to {email}',
  'the reset link {url:reset} has expired',
  'I need a new password',
  "can't remember my password",
  'change my password',
  "the reset link doesn't work",
  "I didn't get the reset email at {email}",
  'how do I change my password',
  'password reset please',
  'forgot pw',
  'the reset link says invalid token',
  'I want to update my password',
  "my password isn't accepted, I need to reset it",
  'reset password for {email}',
  'how long is the reset link valid',
  'can you reset my password for me',
  "the new password isn't saving",
  'I keep getting "password too weak"',
  'password recovery',
  "where's the forgot password button",
  'reset pass',
  'the password reset page {url:reset} shows an error.',
  'need to set a new password for my account',
  'I think someone changed my password',
  "the reset email didn't arrive, not even in spam",
  'forgotten password',
  'lost my password',
  'help resetting my password',
  'my password expired',
  'please send the password link again',
  'I clicked reset but nothing happened',
  "my reset code isn't working",
  'new password please',
  'password reset for account {email}',
  'change pw',
  'the link {url:reset} says it was already used',
  'how do I reset my password if I no longer have access to {email}',
  'reset my login password',
  'I requested a reset {date} and got nothing',
  'I asked for a password reset three times now but the email never shows up at {email}, not even in the spam folder, what else can I do',
  'I clicked the link in the reset email but it says the token is invalid or expired, can you send me a new one',
];

const UPDATE_EMAIL = [
  'I want to change my email address',
  'update my email to {email}',
  'please change my email from {email} to {email}',
  'how do I update the email on my account',
  'my old email {email} no longer works',
  'can you replace my email with {email}',
  'new email address: {email}',
  'I need to change the email I log in with',
  'use {email} for my account instead',
  'change account email',
  'the confirmation for my new email never came',
  'I changed jobs, my email is now {email}',
  'update contact email',
  'switch my email to {email}',
  'edit email address',
  'typo in my email, it should be {email}',
  'I registered with the wrong email',
  'how can I change my login email to {email}',
  'please send order emails to {email} instead',
  "I don't have access to {email} anymore",
  'update my e-mail',
  'set my email to {email}',
  'change email please',
  'email change request',
  'my email has changed',
  'can I have a different email on my account',
  'replace email',
  'I want my account linked to {email}, not {email}',
  'change the email for order notifications',
  "the email field won't save",
  'update e-mail address to {email}',
  'I need to update my email before my order ships',
  'correct my email address',
  'my email is {email} now',
  'can I change the email on order {order_id}',
  'modify email',
  'how to change email',
  'my account email is wrong',
  'could you update the email address to {email}',
  'the address {email} is old, use {email}.',
  'change my contact email (currently {email})',
  'please use my work email {email} from now on',
  'I no longer use my old address {email} because I left that job, please change the email on my account to {email} so I get my order updates',
  'I made a typo when I registered, the email on my account should be {email} and not what is there now',
];

const DELETE_ACCOUNT = [
  'delete my account',
  'I want to close my account',
  'please remove all my data',
  'how do I delete my account',
  'deactivate my account',
  'remove my account {email}',
  'I want you to erase my personal data',
  'GDPR deletion request',
  'close my account permanently',
  "I don't want an account anymore",
  'delete my profile',
  'please delete everything you have on me',
  'can I delete my account and my order history',
  'unsubscribe me and delete my account',
  'terminate my account',
  'I want my account gone',
  'delete the account linked to {email}',
  'right to be forgotten request',
  'how to remove my account',
  'get rid of my account',
  'account deletion',
  "I'd like to permanently delete my customer account",
  'please wipe my data',
  'delete my customer profile and all addresses',
  "I'm done with this shop, delete my account",
  'can you close the account for {email}',
  'I want to cancel my account',
  'delete my info',
  'remove me from your system',
  'how long does it take to delete my account',
  'erase my account',
  'I request deletion of my data under GDPR',
  'shut down my account',
  'please deactivate {email}',
  'I no longer want to be a customer, delete my data',
  'delete all my data now',
  'close account',
  'where is the delete account button',
  'please confirm my account {email} has been deleted',
  'I asked {date} for my account to be deleted, is it done',
  'delete my account and stop all emails',
  'I have not used this shop in years and I would like my account and all the personal data you store about me to be deleted permanently',
  'please close my account registered under {email} and confirm by email once all my data has been removed from your systems',
];

const PRODUCT_INFO = [
  'tell me more about the {product}',
  'what material is the {product} made of',
  'does the {product} come with a warranty',
  'what size should I get in the {product}',
  'is the {product} waterproof',
  'what are the dimensions of the {product}',
  'how much is the {product}',
  'does the {product} work with an iphone',
  'what colours does the {product} come in',
  'specs for {url:product}',
  'is the {product} machine washable',
  "what's the difference between the {product} and the {product}",
  'how heavy is the {product}',
  'does the {product} have bluetooth',
  'can you give me details on {url:product}',
  "what's the battery life of the {product}",
  'is the {product} good for beginners',
  'does the {product} include a charger',
  "what's in the box with the {product}",
  'is the {product} vegan',
  'what is the {product} compatible with',
  'how long is the warranty on the {product}',
  'is this {product} new or refurbished',
  'does the {product} run small',
  'the {product} on {url:product}, is it the 2024 model',
  'I have a question about a product',
  'product details please',
  'is the {product} dishwasher safe',
  'how loud is the {product}',
  "what's the price of the {product}",
  'any reviews for the {product}',
  'can the {product} be used outside',
  'is the {product} suitable for kids',
  'what voltage does the {product} use',
  'does the {product} come assembled',
  'where is the {product} made',
  'tell me about the {product}',
  'info on the {product}',
  'how do I use the {product}',
  'specs of the {product}',
  'how much does the {product} cost in {currency}',
  'is the {product} worth {money}',
  'what fabric is used in the {product}',
  'does the {product} fold flat',
  'is the {product} ok in the dishwasher',
  'which {product} is better for travel',
  'I am thinking about buying the {product} but I want to know if it comes with a warranty and what exactly is included in the box',
  'can you tell me the exact dimensions and weight of the {product}, I need to know if it will fit on my small desk',
  'why does the {product} cost {money} here when it is cheaper elsewhere',
  'is this the one with the longer cable: {url:product}.',
  'what is the material of {url:product}',
  'is the {product} really {money}',
];

const PRODUCT_AVAILABILITY = [
  'is the {product} in stock',
  'when will the {product} be back in stock',
  'do you have the {product} in size M',
  'is the {product} available in {city}',
  'can I pick up the {product} in your {city} store',
  '{product} in stock?',
  'is the {product} sold out',
  'will you restock the {product}',
  'do you still sell the {product}',
  'do you have the {product} in black',
  'is {url:product} available',
  'notify me when the {product} is available',
  'any {product} left in stock',
  'is the {product} available for delivery to {city}',
  'when can I buy the {product} again',
  'out of stock?? when is the {product} coming back',
  'do you carry the {product}',
  'is the {product} available in other colours',
  'can I preorder the {product}',
  'is the {product} discontinued',
  'stock check for the {product}',
  'does your {city} shop have the {product}',
  "I can't add the {product} to my cart, is it out of stock",
  'do you have the {product} in size 42',
  'is the {product} on backorder',
  'will the {product} be restocked before {future_date}',
  'availability of the {product} please',
  'do you have it in stock',
  'is the large one available',
  'when do you get new stock',
  'can I reserve a {product}',
  'the {product} says unavailable',
  'is the {product} available online only',
  'do you sell the {product}',
  'have you got the {product}',
  'I need 5 of the {product}, do you have that many',
  'is the {product} available now',
  'can I still get the {product}',
  'the {product} page {url:product} says coming soon, when?',
  'how many {product} units do you have',
  'is the {product} in stock in {city} or only online',
  'when is the next delivery of the {product} to your warehouse',
  'is the blue version of the {product} available',
  'the {product} shows "only 2 left", is that right',
  'I have been waiting for the {product} to come back in stock for weeks, do you know when you will get more or should I look elsewhere',
  'is the {product} available to pick up in your {city} store {future_date} or do I have to order it online and wait for delivery',
  'will this come back in stock: {url:product}',
];

const DISCOUNT_CODE = [
  "my discount code doesn't work",
  'do you have any promo codes',
  'the coupon SAVE20 is invalid',
  'where do I enter a discount code',
  'can I apply a coupon after ordering',
  'is there a student discount',
  'the code gave me {money} off instead of 20%',
  'any discounts for first-time buyers',
  'I forgot to use my voucher on {order_id}',
  "my gift voucher of {money} isn't accepted",
  'has the promo code expired',
  'how do I use a discount code',
  "I got a code from your newsletter, it says it's not valid",
  "the {money} off voucher won't apply to the {product}",
  'do you do discounts for bulk orders',
  'coupon not working',
  'can I combine two discount codes',
  'is there a discount code for the {product}',
  'the checkout says the code was already used',
  'can you give me a discount',
  "where's my birthday discount",
  'any sales coming up',
  'my referral code was not applied',
  'the discount was not applied to order {order_id}',
  'how much off do I get with the code',
  'is there a free shipping code',
  'voucher code error',
  'discount please',
  'can I get a promo code',
  'any [Black Friday](date) deals',
  'my code is valid until {future_date} but it is rejected',
  'apply the discount to {order_id}',
  "the promo from {url:promo} doesn't work",
  'I was told I would get {money} off',
  'my loyalty points discount is not showing',
  'the coupon only took {money} off',
  'do you price match',
  'is there a military discount',
  'the discount code box is missing at checkout',
  'student code not working',
  'code WELCOME10 says minimum order {money}',
  'can I still use the summer sale code',
  'the newsletter discount did not come to {email}',
  'is the 15% code valid on the {product}',
  'I subscribed to your newsletter to get the {money} welcome discount but the code in the email says it is invalid at checkout',
  'the code should take {money} off orders over {money} but checkout ignores it completely and I end up paying the full price',
  '{money} off code not working',
  'the deal on {url:product} says 20% off but checkout shows the full price.',
  'I want the {money} discount you promised',
];

const HUMAN_HANDOFF = [
  'I want to talk to a human',
  'let me speak to a real person',
  'can I talk to an agent',
  'get me a human',
  'connect me with customer service',
  'I need to speak to someone',
  'transfer me to a live agent',
  'is there a real person I can chat with',
  'human please',
  'agent',
  'representative',
  'operator',
  "you're not helping, put me through to a person",
  'can someone from your team call me',
  'I want to speak with a manager',
  'live chat with a person',
  'stop the bot, I want a human',
  'escalate this please',
  'can a human look at this',
  'I need real support, not a bot',
  'talk to support',
  'contact a person',
  'how do I reach customer service by phone',
  'can you have someone email me at {email}',
  'please have an agent call me',
  'connect me to a human agent',
  'I want to speak to a person about order {order_id}',
  "I'd rather talk to a human about {order_id}",
  'bot is useless, human now',
  'are there any people working there',
  'give me a person',
  'I want to chat with staff',
  'a real human please!!',
  'customer service representative please',
  'pass me to your colleague',
  'supervisor',
  'let me talk to someone about my refund',
  'I need help from a person',
  'can I get a callback',
  'is anyone from support online',
  'put me through to the team',
  'I want an actual person, not automated replies',
  'speak to agent',
  'human',
  'I have tried explaining my problem three times now and the answers do not help, please put me through to a real person from your team',
  'this is too complicated for a chatbot, can a member of your support staff call me or write to me at {email}',
];

const COMPLAINT = [
  'this is unacceptable',
  "I'm very unhappy with your service",
  'worst shopping experience ever',
  'my {product} arrived broken and nobody cares',
  'I want to file a complaint',
  'your delivery driver was rude',
  "I've been waiting for weeks, this is ridiculous",
  'the {product} is terrible quality',
  "I'm disappointed with order {order_id}",
  'you guys are hopeless',
  'complaint about order {order_id}',
  "I've contacted you 5 times and got no answer",
  'your customer service is awful',
  "I'm going to leave a bad review",
  'the package was damaged and soaked',
  'I received a used {product}',
  'this shop is a scam',
  'never ordering from here again',
  'the courier threw my parcel over the fence',
  "I'm really frustrated with the delay on {order_id}",
  "I'd like to make a formal complaint",
  'the item looks nothing like the photos',
  'terrible service',
  'you sent me the wrong {product} again',
  "I'm angry, my order {order_id} is a mess",
  'the quality has gone down a lot',
  'nobody has answered my emails since {date}',
  'the packaging was ridiculous, a huge box for a tiny item',
  "I'm fed up",
  'your website is so frustrating',
  'the {product} broke after one day',
  "I'm not happy at all",
  'what a disappointment',
  'the driver left my package in the rain',
  'complaint!!',
  'I want to complain about the {product}',
  'appalling customer service',
  'this is the third time my order has been wrong',
  'I was treated badly by your support agent',
  'you ruined my birthday present',
  'the {product} smelled of smoke when it arrived, disgusting',
  "I'm writing to complain about how order {order_id} was handled",
  'shocking service from start to finish',
  'how is it possible that you lost my parcel twice',
  'I am extremely dissatisfied',
  'this is the second time my order arrived damaged and when I called your hotline nobody called me back, I am really disappointed with your service',
  'I paid {money} for a {product} that broke within a week, this is a disgrace',
  'the courier left my parcel in the rain outside the door and everything inside was soaked, this is simply unacceptable',
  'parcel {tracking_number} was thrown over my fence, unacceptable',
  'I spent {money} with you and this is how you treat me',
];

/** Hand-written off-topic messages; the C08 kinds (food, jokes, gibberish, other languages). */
const OUT_OF_SCOPE = [
  // weather
  "what's the weather like in [Paris](city)",
  'will it rain [tomorrow](date)',
  'is it going to snow [this weekend](date)',
  'how hot is it in [Madrid](city) right now',
  'do I need an umbrella [today](date)',
  "what's the forecast for [Friday](date)",
  'weather',
  'is it sunny outside',
  'how cold will it get [tonight](date)',
  'temperature in [Oslo](city)',
  'will there be a storm [this evening](date)',
  "what's the humidity right now",
  // jokes and fun
  'tell me a joke',
  'know any good jokes',
  'make me laugh',
  'tell me a funny story',
  'tell me a joke about cats',
  'got a pun for me',
  'say something funny',
  "what's the funniest joke you know",
  'a knock knock joke please',
  'tell me a dad joke',
  'do you know any riddles',
  'tell me a joke about programmers',
  'sing me a song',
  // sports
  'who won the football game [last night](date)',
  'who is the best basketball player ever',
  'when is the next world cup',
  'how many players are on a rugby team',
  'did the lakers win',
  'who won the tour de france',
  'what time does the match start',
  'explain the offside rule',
  'fantasy football tips please',
  'who holds the marathon world record',
  'how long is a tennis match',
  // cooking and food
  'how do I make pancakes',
  'what should I cook for dinner',
  'recipe for banana bread',
  'how long do I boil an egg',
  "what's a good vegetarian lasagna recipe",
  "what's for lunch",
  'suggest something to eat',
  'how do you make a sourdough starter',
  'best pizza toppings',
  'can I freeze cooked rice',
  'what goes well with salmon',
  'is it safe to eat raw cookie dough',
  'what should I eat for dinner [tonight](date)',
  'how many calories are in a banana',
  'how do I make cold brew coffee',
  'what wine goes with steak',
  'give me a smoothie recipe',
  'how long should pasta cook',
  // trivia and knowledge
  'what is the capital of australia',
  'who wrote hamlet',
  'how far away is the moon',
  'how many legs does a spider have',
  'who painted the mona lisa',
  'what year did world war 2 end',
  "what's the tallest mountain in the world",
  'how many bones are in the human body',
  'what does DNA stand for',
  'who invented the telephone',
  'why is the sky blue',
  'how deep is the ocean',
  "what's the speed of light",
  'what is the meaning of life',
  'who is the president of france',
  'how old is the universe',
  'is a tomato a fruit',
  "what's the population of [Tokyo](city)",
  'what time is it in [Sydney](city)',
  'what time is it',
  'what day is it [today](date)',
  'is pluto a planet',
  'what is the order of the planets',
  'in what order should I watch the star wars movies',
  'why do cats purr',
  'what is the largest animal on earth',
  'how many countries are in europe',
  'who discovered penicillin',
  'what language do they speak in brazil',
  // maths
  "what's 17 times 23",
  'solve x squared minus 4 equals 0',
  'what is the square root of 144',
  'convert 5 miles to km',
  'how many ounces in a cup',
  'calculate 15% of 80',
  'is 91 a prime number',
  "what's 2 plus 2",
  'what is pi to ten digits',
  // coding
  'how do I reverse a string in python',
  'write me a javascript function to sort an array',
  "what's the difference between let and const",
  "my docker container won't start",
  'how do I exit vim',
  'fix my SQL query please',
  'explain recursion',
  'what is a segmentation fault',
  'git merge conflict help',
  'how do I center a div',
  'npm install keeps throwing errors',
  'can you write a regex for phone numbers',
  "what's the big O of quicksort",
  'how do I declare a pointer in C',
  'undefined is not a function, what does it mean',
  'what is a closure in javascript',
  // other languages
  '¿cómo estás?',
  '¿dónde está la estación de tren?',
  '¿qué tiempo hace en [Madrid](city)?',
  'necesito ayuda con mi tarea',
  'buenos días, ¿qué tal?',
  '¿cuántos años tienes?',
  'me gusta mucho la música',
  '¿me puedes recomendar una película?',
  'hace mucho calor hoy',
  '¿hablas español?',
  'quiero aprender a cocinar paella',
  '¿cuál es tu color favorito?',
  'wie spät ist es?',
  'wie geht es dir?',
  'wo ist der Bahnhof?',
  'ich habe Hunger',
  'kannst du mir einen Witz erzählen?',
  'das Wetter ist heute schön',
  'ich suche ein gutes Restaurant in [Hamburg](city)',
  'sprechen Sie Englisch?',
  'was kostet ein Bier in [München](city=Munich)?',
  'bonjour, comment ça va ?',
  'où est la tour eiffel',
  'quel temps fait-il à [Lyon](city) ?',
  "je voudrais un café s'il vous plaît",
  'quelle est la capitale du canada',
  "j'aime beaucoup le fromage",
  'raconte-moi une blague',
  'come stai?',
  "dov'è il colosseo?",
  'mi piace la pizza',
  'tudo bem?',
  'qual é o seu nome?',
  'hoe gaat het met je?',
  'waar is het station?',
  '今日は天気がいいですね',
  '你好吗',
  'как дела?',
  'nasılsın?',
  'jak się masz?',
  // gibberish
  'jjjjjjj',
  'aaaaaaaaa',
  'lol',
  '???',
  '...',
  'hmm',
  'blah blah blah',
  'test',
  'testing 123',
  'sdfsdf',
  'xyz',
  'qqqq',
  'kjhkjh',
  'zzzzz',
  '!!!!',
  'hjkl',
  'ñlkj',
  'lorem ipsum dolor sit amet',
  'asdfgh',
  'qwerty',
  'poiuy lkjh mnbv',
  'fjfjfj dkdkdk',
  'xcvb nmjk',
  'wkwkwk',
  'a',
  '12345',
  ':)',
  // about the bot
  'are you a robot',
  "what's your name",
  'how old are you',
  'do you have feelings',
  'who made you',
  'are you chatgpt',
  "I'm bored",
  'do you like music',
  "what's your favourite colour",
  'will you marry me',
  'sing me happy birthday',
  'I love you',
  "you're funny",
  'what do you dream about',
  'are you alive',
  // other requests that are not the shop's business
  'book me a flight to [Rome](city)',
  'find me a hotel in [Lisbon](city)',
  'set an alarm for 7am',
  'remind me to call mom',
  'play some jazz',
  'turn off the lights',
  'order me a pizza',
  'call a taxi',
  "what's the stock price of apple",
  'bitcoin price',
  'recommend a good book',
  'recommend a movie for [tonight](date)',
  "what's on netflix",
  'translate hello into japanese',
  "how do I get a driver's license",
  'how do I fix a flat tire',
  "my car won't start",
  'how do I lower my blood pressure',
  'what are the symptoms of the flu',
  'is coffee bad for you',
  'how can I sleep better',
  'how do I fix my wifi',
  'how do I change a light bulb',
  'write a poem about the sea',
  "what's the meaning of serendipity",
  'help me with my homework',
  'how do I file my taxes',
  'where can I watch the olympics',
  'who sings this song',
  "what's the distance from [London](city) to [Paris](city)",
  'cheap flights to [Dublin](city)',
  'I need a plumber',
  'how do I train my dog',
  "what's the best way to learn guitar",
  'cancel my dentist appointment',
  'how do I track my running distance',
  'where can I watch the game [tonight](date)',
  'book a table for two at 8',
  'what are the opening hours of the post office',
  'how do I renew my passport',
  'can you recommend a good dentist in [Berlin](city)',
  'who will win the election',
  'should I buy a house or rent',
  // with entities, so that a city or an amount alone never decides the intent
  "what's the weather in {city} {future_date}",
  'what time is it in {city} right now',
  'best restaurants in {city}',
  'things to do in {city} [this weekend](date)',
  'how far is {city} from {city}',
  'train from {city} to {city}',
  'how much is {money} in {currency}',
  'convert {money} to {currency}',
  'is {city} nice in summer',
  'flights from {city} to {city} {future_date}',
  'how do I split a {money} bill between 3 people',
  'what is a 15% tip on {money}',
  'I found {money} on the street, what should I do',
  'I have been trying to learn Spanish for a year now but I keep forgetting the verbs, do you have any tips for remembering them',
  'my sister is getting married [next month](date) and I have no idea what to say in my speech, can you help me write something funny',
  'we are planning a road trip from [Lisbon](city) to [Madrid](city) in the summer, what are the places we must see along the way',
  'can you explain in simple words how a neural network learns, I read three articles and I still do not get it',
  'what is the best way to keep basil alive on a windowsill, mine always dies after a couple of weeks',
  "my neighbour's dog barks all night and I cannot sleep, what can I legally do about it",
  'write me a short story about a dragon who is afraid of the dark, something I can read to my kids at bedtime',
  'I am trying to decide between studying medicine or engineering at university, which one has better job prospects',
  'how many hours of sleep does an adult really need, I usually get about six and feel tired all day',
  'if a train leaves at 3 pm going 60 miles an hour, when does it reach a town 150 miles away',
];

/** Keyboard mash: three to five "words" taken from runs of one keyboard row. */
function gibberish(rng: Rng, count: number): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const words: string[] = [];
    const size = 1 + Math.floor(rng() * 4);
    for (let i = 0; i < size; i++) {
      const row = pick(rng, KEY_ROWS);
      const length = 3 + Math.floor(rng() * 4);
      const start = Math.floor(rng() * (row.length - length + 1));
      const run = row.slice(start, start + length);
      words.push(rng() < 0.3 ? [...run].reverse().join('') : run);
    }
    const line = words.join(' ');
    const clean = findLeak([text(line)]) === undefined && !HELD_OUT.has(normaliseForCompare(line));
    if (clean && !out.includes(line)) out.push(line);
  }
  return out;
}

function intentSpecs(rng: Rng): IntentSpec[] {
  const spec = (name: string, count: number, templates: string[], style = DOMAIN_STYLE) => ({
    name,
    count,
    style,
    templates,
  });
  const outOfScope = [...OUT_OF_SCOPE, ...gibberish(rng, 16)];
  return [
    spec('greet', 60, GREET, CHAT_STYLE),
    spec('goodbye', 50, GOODBYE, CHAT_STYLE),
    spec('thanks', 50, THANKS, CHAT_STYLE),
    spec('affirm', 55, AFFIRM, CHAT_STYLE),
    spec('deny', 55, DENY, CHAT_STYLE),
    spec('order_status', 130, ORDER_STATUS),
    spec('track_package', 120, TRACK_PACKAGE),
    spec('delivery_time', 85, DELIVERY_TIME),
    spec('change_address', 80, CHANGE_ADDRESS),
    spec('refund_request', 105, REFUND_REQUEST),
    spec('return_item', 85, RETURN_ITEM),
    spec('cancel_order', 95, CANCEL_ORDER),
    spec('payment_failed', 80, PAYMENT_FAILED),
    spec('double_charge', 80, DOUBLE_CHARGE),
    spec('invoice_request', 70, INVOICE_REQUEST),
    spec('change_payment_method', 70, CHANGE_PAYMENT_METHOD),
    spec('account_login', 70, ACCOUNT_LOGIN),
    spec('password_reset', 70, PASSWORD_RESET),
    spec('update_email', 65, UPDATE_EMAIL),
    spec('delete_account', 60, DELETE_ACCOUNT),
    spec('product_info', 80, PRODUCT_INFO),
    spec('product_availability', 80, PRODUCT_AVAILABILITY),
    spec('discount_code', 70, DISCOUNT_CODE),
    spec('human_handoff', 75, HUMAN_HANDOFF),
    spec('complaint', 80, COMPLAINT),
    spec('out_of_scope', Math.max(240, outOfScope.length + 20), outOfScope, OOS_STYLE),
  ];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await main();
}
