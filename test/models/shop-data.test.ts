import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateExamples, renderShopData } from '../../scripts/generate-shop-data.js';

// The shipped training set and domain file, checked on their own terms: this suite reads the
// files with its own small parser, so it does not depend on the importer in src/data/.

const NLU_PATH = 'models/default/data/nlu.yml';
const DOMAIN_PATH = 'models/default/domain.yml';

const INTENTS = [
  'greet',
  'goodbye',
  'thanks',
  'affirm',
  'deny',
  'order_status',
  'track_package',
  'delivery_time',
  'change_address',
  'refund_request',
  'return_item',
  'cancel_order',
  'payment_failed',
  'double_charge',
  'invoice_request',
  'change_payment_method',
  'account_login',
  'password_reset',
  'update_email',
  'delete_account',
  'product_info',
  'product_availability',
  'discount_code',
  'human_handoff',
  'complaint',
  'out_of_scope',
];
const CHIT_CHAT = new Set(['greet', 'goodbye', 'thanks', 'affirm', 'deny']);

/** The test sentences of field cases C01, C02, C04, C05 and C08 (docs in /shared/cases.md). */
const CASE_SENTENCES = [
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
];

interface Entity {
  type: string;
  start: number;
  end: number;
  value: string;
  canonical?: string;
}

interface Example {
  intent: string;
  line: string;
  text: string;
  entities: Entity[];
}

/**
 * Reads one Rasa line: `[text](type)` or `[text]{"entity": "type", "value": "canonical"}`.
 * Strict on purpose: a stray bracket or brace anywhere is an error, not literal text.
 */
function parseAnnotated(line: string): { text: string; entities: Entity[] } {
  let text = '';
  const entities: Entity[] = [];
  let at = 0;
  while (at < line.length) {
    const char = line[at];
    if (char === ']' || char === '{' || char === '}') throw new Error(`stray "${char}" at ${at}`);
    if (char !== '[') {
      text += char;
      at += 1;
      continue;
    }

    const close = line.indexOf(']', at);
    const value = line.slice(at + 1, close);
    if (close < 0 || value.includes('[')) throw new Error(`unclosed "[" at ${at}`);
    if (value.length === 0 || value.trim() !== value) throw new Error(`bad entity text "${value}"`);
    const opener = line[close + 1];
    const closer = opener === '(' ? ')' : opener === '{' ? '}' : undefined;
    if (closer === undefined) throw new Error(`"]" at ${close} is not followed by ( or {`);
    const end = line.indexOf(closer, close + 2);
    if (end < 0) throw new Error(`unclosed "${opener}" at ${close + 1}`);
    const body = line.slice(close + 2, end);

    const entity: Entity = {
      type: body,
      start: text.length,
      end: text.length + value.length,
      value,
    };
    if (opener === '{') {
      const json = JSON.parse(`{${body}}`) as Record<string, unknown>;
      const keys = Object.keys(json).sort().join(',');
      if (
        typeof json.entity !== 'string' ||
        typeof json.value !== 'string' ||
        keys !== 'entity,value'
      ) {
        throw new Error(`bad entity object {${body}}`);
      }
      entity.type = json.entity;
      entity.canonical = json.value;
    } else if (!/^\w+$/.test(body)) {
      throw new Error(`bad entity type "${body}"`);
    }
    entities.push(entity);
    text += value;
    at = end + 1;
  }
  return { text, entities };
}

function exampleLines(block: string): string[] {
  return block
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      if (!line.startsWith('- ')) throw new Error(`example line does not start with "- ": ${line}`);
      return line.slice(2);
    });
}

interface NluItem {
  intent?: string;
  synonym?: string;
  regex?: string;
  lookup?: string;
  examples: string;
}

const nluRaw = readFileSync(NLU_PATH, 'utf8');
const nlu = parse(nluRaw) as { version: string; nlu: NluItem[] };
const domain = parse(readFileSync(DOMAIN_PATH, 'utf8')) as Domain;

const examples: Example[] = nlu.nlu
  .filter((item) => item.intent !== undefined)
  .flatMap((item) =>
    exampleLines(item.examples).map((line) => ({
      intent: item.intent as string,
      line,
      ...parseAnnotated(line),
    })),
  );

function itemsOf(kind: 'synonym' | 'regex' | 'lookup'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const item of nlu.nlu) {
    const name = item[kind];
    if (name !== undefined) out.set(String(name), exampleLines(item.examples));
  }
  return out;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function normalise(value: string): string {
  return value
    .toLowerCase()
    .replace(/\u2019/g, "'")
    .replace(/[\u200b\u200c\u200d\ufe0f]/g, '')
    .replace(/[\s\u00a0]+/g, ' ')
    .replace(/[?!.,;:()¿¡"]/g, '')
    .trim();
}

/** The text with every entity span blanked out, for looking at literal text only. */
function literalText(example: Example): string {
  let out = '';
  let at = 0;
  for (const e of example.entities) {
    out += `${example.text.slice(at, e.start)} \u0000 `;
    at = e.end;
  }
  return out + example.text.slice(at);
}

/** The sentence shape: entities as <type>, words lower-cased, no punctuation or emoji. */
function skeleton(example: Example): string {
  let out = '';
  let at = 0;
  for (const e of example.entities) {
    out += `${example.text.slice(at, e.start)} ${e.type.toUpperCase()} `;
    at = e.end;
  }
  out += example.text.slice(at);
  return out
    .replace(/[^\p{L}\s_]/gu, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

const words = (value: string) => value.split(/[\s\u00a0\u200b]+/).filter((w) => w.length > 0);
const entityTypes = new Set(domain.entities);

describe('shipped training set (models/default/data/nlu.yml)', () => {
  it('is in sync with scripts/generate-shop-data.ts', async () => {
    expect(await renderShopData()).toBe(nluRaw);
  });

  it('reads back as exactly the texts and offsets the generator built', () => {
    const built = generateExamples().map((e) => ({
      intent: e.intent,
      text: e.text,
      entities: e.entities.map(({ type, start, end, value, canonical }) => ({
        type,
        start,
        end,
        value,
        ...(canonical === undefined ? {} : { canonical }),
      })),
    }));
    const read = examples.map(({ intent, text, entities }) => ({ intent, text, entities }));
    expect(read).toEqual(built);
  });

  it('is Rasa NLU YAML whose items each name one kind', () => {
    expect(nlu.version).toBe('3.1');
    for (const item of nlu.nlu) {
      const kinds = (['intent', 'synonym', 'regex', 'lookup'] as const).filter((k) => k in item);
      expect(kinds).toHaveLength(1);
      expect(typeof item.examples).toBe('string');
    }
  });

  it('has at least 1,500 examples over exactly the shop intents', () => {
    expect(examples.length).toBeGreaterThanOrEqual(1500);
    expect([...new Set(examples.map((e) => e.intent))].sort()).toEqual([...INTENTS].sort());
  });

  it('gives every intent at least 30 examples and out_of_scope about a tenth', () => {
    const counts = countBy(examples, (e) => e.intent);
    for (const intent of INTENTS) expect(counts.get(intent), intent).toBeGreaterThanOrEqual(30);
    const oos = counts.get('out_of_scope') ?? 0;
    expect(oos).toBeGreaterThanOrEqual(150);
    expect(oos / examples.length).toBeGreaterThan(0.08);
  });

  it('annotates only declared entity types and uses at least eight of them', () => {
    const used = countBy(
      examples.flatMap((e) => e.entities),
      (e) => e.type,
    );
    for (const type of used.keys()) expect(entityTypes.has(type), type).toBe(true);
    expect(used.size).toBeGreaterThanOrEqual(8);
    for (const type of used.keys()) expect(used.get(type), type).toBeGreaterThanOrEqual(30);
  });

  it('keeps sentence punctuation and spaces out of entity values', () => {
    for (const e of examples.flatMap((x) => x.entities)) {
      expect(e.value, e.value).toBe(e.value.trim());
      expect(e.value, e.value).not.toMatch(/[.,!?;:)\u200b]$|^[(\u200b]/);
    }
  });

  it('leaves no order id, tracking number, email or url unannotated', () => {
    const leaks = [
      /(?<![\w#-])(?:[A-Za-z]-?\d{4}|#\d{5}|ORD-\d{4}-\d{4})(?![\w-])/i,
      /\b(?:1Z[0-9A-Z]{16}|JD\d{18}|TBA\d{12})\b/,
      /[^\s@]+@[^\s@]+\.[a-z]{2,}/i,
      /https?:\/\/|www\./i,
      /[$€£]\s?\d|\d\s?[$€£]/,
    ];
    for (const example of examples) {
      const literal = literalText(example);
      for (const leak of leaks) expect(literal, example.line).not.toMatch(leak);
    }
  });

  it('contains none of the field-case test sentences', () => {
    const held = new Set(CASE_SENTENCES.map(normalise));
    const found = examples.filter((e) => held.has(normalise(e.text)));
    expect(found.map((e) => e.text)).toEqual([]);
  });

  it('never gives the same text two labels or two rows', () => {
    const seen = new Map<string, string>();
    for (const example of examples) {
      const key = normalise(example.text);
      expect(seen.get(key), `"${example.text}" seen before`).toBeUndefined();
      seen.set(key, example.intent);
    }
  });

  it('keeps messages between 1 and 30 words, with long ones among them', () => {
    const lengths = examples.map((e) => words(e.text).length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(30);
    expect(lengths.filter((n) => n >= 15).length).toBeGreaterThanOrEqual(50);
  });

  it('has many sentence shapes per intent, not a handful of templates', () => {
    const shapes = new Map<string, Set<string>>();
    for (const example of examples) {
      const set = shapes.get(example.intent) ?? new Set<string>();
      set.add(skeleton(example));
      shapes.set(example.intent, set);
    }
    for (const intent of INTENTS) {
      const minimum = CHIT_CHAT.has(intent) ? 25 : 40;
      expect(shapes.get(intent)?.size, intent).toBeGreaterThanOrEqual(minimum);
    }
  });

  it('covers the noisy input of cases C01, C02, C04 and C05', () => {
    const has = (pattern: RegExp) => examples.filter((e) => pattern.test(e.text)).length;
    const glued = examples.filter((e) =>
      e.entities.some((a, i) => {
        const b = e.entities[i + 1];
        const pair = new Set([a.type, b?.type]);
        return b !== undefined && a.end === b.start && pair.has('amount') && pair.has('currency');
      }),
    );
    const punctuated = examples.filter((e) =>
      e.entities.some((x) => /^[?,.)!:]/.test(e.text.slice(x.end))),
    );
    const urlPeriod = examples.filter((e) =>
      e.entities.some((x) => x.type === 'url' && e.text[x.end] === '.'),
    );

    expect(has(/\p{Extended_Pictographic}/u)).toBeGreaterThanOrEqual(100);
    expect(has(/\u2019/)).toBeGreaterThanOrEqual(40);
    expect(has(/[\u200b\u00a0]/)).toBeGreaterThanOrEqual(5);
    expect(
      examples.filter((e) => /[A-Z]{3}/.test(e.text) && e.text === e.text.toUpperCase()).length,
    ).toBeGreaterThanOrEqual(20);
    expect(glued.length).toBeGreaterThanOrEqual(40);
    expect(punctuated.length).toBeGreaterThanOrEqual(100);
    expect(urlPeriod.length).toBeGreaterThanOrEqual(5);
  });

  it('matches every order id and tracking number with a regex item of its type', () => {
    const regexes = itemsOf('regex');
    for (const type of ['order_id', 'tracking_number']) {
      const patterns = (regexes.get(type) ?? []).map((p) => new RegExp(`^(?:${p})$`));
      expect(patterns.length, type).toBeGreaterThan(0);
      for (const e of examples.flatMap((x) => x.entities).filter((x) => x.type === type)) {
        expect(
          patterns.some((p) => p.test(e.value)),
          e.value,
        ).toBe(true);
      }
    }
  });

  it('lists every city, payment method and product mention in its lookup', () => {
    const lookups = itemsOf('lookup');
    for (const type of ['city', 'payment_method', 'product']) {
      const known = new Set((lookups.get(type) ?? []).map((v) => v.toLowerCase()));
      for (const e of examples.flatMap((x) => x.entities).filter((x) => x.type === type)) {
        expect(known.has(e.value.toLowerCase()), e.value).toBe(true);
      }
    }
  });

  it('declares a synonym item for every mapped value', () => {
    const synonyms = itemsOf('synonym');
    for (const e of examples.flatMap((x) => x.entities)) {
      if (e.canonical === undefined) continue;
      expect(synonyms.get(e.canonical) ?? [], `${e.value} -> ${e.canonical}`).toContain(
        e.value.toLowerCase(),
      );
    }
  });
});

describe('the annotation reader used above', () => {
  it('reads plain and mapped annotations with exact offsets', () => {
    const read = parseAnnotated(
      'pay [€](currency)[49,99](amount) via [amex]{"entity": "payment_method", "value": "American Express"}.',
    );
    expect(read.text).toBe('pay €49,99 via amex.');
    expect(
      read.entities.map((e) => [e.type, read.text.slice(e.start, e.end), e.canonical]),
    ).toEqual([
      ['currency', '€', undefined],
      ['amount', '49,99', undefined],
      ['payment_method', 'amex', 'American Express'],
    ]);
  });

  it('rejects the malformed annotations of case C11', () => {
    expect(() => parseAnnotated('refund order [B5678](order_id please')).toThrow(/unclosed/);
    expect(() => parseAnnotated('the charge of [30]{"entity": "amount")')).toThrow();
    expect(() => parseAnnotated('refund [C9012](order id)')).toThrow(/type/);
    expect(() => parseAnnotated('a stray ] here')).toThrow(/stray/);
  });
});

interface Requirement {
  entity: string;
  ask: string;
  also?: string[];
}

interface Domain {
  version: number;
  entities: string[];
  prompt: { text: string };
  fallback: { text: string };
  handoff: { intents: string[]; after_fallbacks: number; text: string };
  default_reply: { text: string };
  intents: Record<string, { text: string; required?: Requirement[] }>;
}

describe('shipped domain (models/default/domain.yml)', () => {
  const dataIntents = new Set(examples.map((e) => e.intent));

  it('has the fixed replies and hand-off settings', () => {
    expect(domain.version).toBe(1);
    expect(domain.prompt.text).toBe('How can I help?');
    for (const reply of [domain.fallback, domain.handoff, domain.default_reply]) {
      expect(reply.text.trim().length).toBeGreaterThan(10);
    }
    expect(Number.isInteger(domain.handoff.after_fallbacks)).toBe(true);
    expect(domain.handoff.after_fallbacks).toBeGreaterThanOrEqual(1);
    expect(domain.handoff.intents).toContain('human_handoff');
  });

  it('declares exactly the entity types of the training data', () => {
    const used = new Set(examples.flatMap((e) => e.entities.map((x) => x.type)));
    expect([...entityTypes].sort()).toEqual([...used].sort());
  });

  it('answers every intent of the data except out_of_scope, and nothing else', () => {
    const listed = [...Object.keys(domain.intents), ...domain.handoff.intents];
    for (const intent of listed) expect(dataIntents.has(intent), intent).toBe(true);
    const expected = [...dataIntents].filter((i) => i !== 'out_of_scope').sort();
    expect([...new Set(listed)].sort()).toEqual(expected);
  });

  it('fills placeholders only from required entities', () => {
    for (const [intent, entry] of Object.entries(domain.intents)) {
      const required = entry.required ?? [];
      for (const r of required) {
        expect(entityTypes.has(r.entity), `${intent}: ${r.entity}`).toBe(true);
        for (const alt of r.also ?? [])
          expect(entityTypes.has(alt), `${intent}: ${alt}`).toBe(true);
        expect(r.ask.trim().length, intent).toBeGreaterThan(5);
      }
      const names = new Set(required.map((r) => r.entity));
      const placeholders = [...entry.text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const name of placeholders) expect(names.has(name), `${intent}: {${name}}`).toBe(true);
    }
  });

  it('asks for the order number before order actions', () => {
    for (const intent of ['order_status', 'track_package', 'cancel_order', 'refund_request']) {
      const required = domain.intents[intent]?.required?.map((r) => r.entity);
      expect(required, intent).toContain('order_id');
    }
  });
});
