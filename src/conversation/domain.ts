import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ParleyError } from '../core/errors.js';

/**
 * The domain file: what Parley answers for each intent, what it must ask for first, and when it
 * hands a conversation to a person. The file format is documented at the top of
 * models/default/domain.yml; this module reads it, validates it, and checks it against the model
 * that will serve it.
 */

/** Built-in texts for keys the file leaves out (documented in docs/architecture.md). */
export const DOMAIN_DEFAULTS = {
  fallback: "Sorry, I didn't understand that. Could you say it another way?",
  handoffText: "I'm handing this conversation to a person from our team. They'll reply here.",
  prompt: 'How can I help?',
  defaultReply: 'Thanks, I have noted that. A person from our team can follow up if needed.',
  afterFallbacks: 2,
} as const;

const placeholderName = /^[\p{L}\p{N}_.-]+$/u;

const entityName = z.string().regex(placeholderName, 'expected an entity type name');

const requiredEntitySchema = z
  .object({
    entity: entityName,
    // Other entity types that satisfy the requirement (a tracking number for an order id).
    also: z.array(entityName).default([]),
    ask: z.string().min(1, 'expected the question to ask'),
  })
  .strict();

// A reply text, written either as a plain string or as `{ text: ... }` (the shipped file's form).
const replyText = z.union([
  z.string().min(1),
  z
    .object({ text: z.string().min(1) })
    .strict()
    .transform((reply) => reply.text),
]);

const intentSchema = z
  .object({
    text: z.string().min(1).optional(),
    required: z.array(requiredEntitySchema).default([]),
  })
  .strict();

const domainSchema = z
  .object({
    version: z.literal(1),
    // Entity types the training data may use; documentation for data checks.
    entities: z.array(entityName).optional(),
    fallback: replyText.optional(),
    handoff: z
      .object({
        intents: z.array(z.string().min(1)).default([]),
        text: z.string().min(1).optional(),
        after_fallbacks: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    prompt: replyText.optional(),
    default_reply: replyText.optional(),
    // An intent listed with no body (`greet:`) is allowed: it gets the default reply.
    intents: z.record(z.string().min(1), intentSchema.nullable()).default({}),
  })
  .strict();

export interface RequiredEntity {
  entity: string;
  /** Other entity types whose value satisfies this requirement (and fills its placeholder). */
  also: string[];
  ask: string;
}

export interface IntentReply {
  /** Template with `{entity_type}` placeholders; undefined means the default reply. */
  text?: string;
  required: RequiredEntity[];
}

export interface Domain {
  /** Where it was read from, for messages. */
  source: string;
  version: number;
  fallback: string;
  prompt: string;
  defaultReply: string;
  handoff: { intents: string[]; text: string; afterFallbacks?: number };
  intents: Record<string, IntentReply>;
}

/** Reads and validates a domain file; errors name the file and the key that is wrong. */
export function loadDomain(path: string): Domain {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ParleyError('NOT_FOUND', `Domain file ${path} cannot be read`, { cause: err });
  }
  return parseDomain(raw, path);
}

/** Validates domain YAML text; `source` names it in errors. */
export function parseDomain(yamlText: string, source: string): Domain {
  let data: unknown;
  try {
    data = parseYaml(yamlText);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ParleyError('DATA_INVALID', `Domain file ${source} is not valid YAML: ${detail}`, {
      cause: err,
    });
  }

  const parsed = domainSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${keyPath(issue.path)}: ${issue.message}`);
    throw new ParleyError(
      'DATA_INVALID',
      `Domain file ${source} is invalid:\n  ${lines.join('\n  ')}`,
    );
  }
  return toDomain(parsed.data, source);
}

function keyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index ? '.' : ''}${String(part)}`,
    )
    .join('');
}

function toDomain(data: z.infer<typeof domainSchema>, source: string): Domain {
  const intents: Record<string, IntentReply> = {};
  for (const [name, spec] of Object.entries(data.intents)) {
    intents[name] = { text: spec?.text, required: spec?.required ?? [] };
  }
  return {
    source,
    version: data.version,
    fallback: data.fallback ?? DOMAIN_DEFAULTS.fallback,
    prompt: data.prompt ?? DOMAIN_DEFAULTS.prompt,
    defaultReply: data.default_reply ?? DOMAIN_DEFAULTS.defaultReply,
    handoff: {
      intents: data.handoff?.intents ?? [],
      text: data.handoff?.text ?? DOMAIN_DEFAULTS.handoffText,
      afterFallbacks: data.handoff?.after_fallbacks,
    },
    intents,
  };
}

/** What the domain needs to know about the model it is served with. */
export interface ModelVocabulary {
  intents: readonly string[];
  entityTypes: readonly string[];
  outOfScopeIntent: string;
}

/**
 * Start-up check: every intent the domain names (replies and hand-off intents) and every entity
 * type it asks for must be known to the model. The model may know intents the domain does not
 * mention; those get the default reply.
 */
export function checkDomainAgainstModel(domain: Domain, model: ModelVocabulary): void {
  const knownIntents = new Set([...model.intents, model.outOfScopeIntent]);
  const knownEntities = new Set(model.entityTypes);
  const problems: string[] = [];

  for (const [name, spec] of Object.entries(domain.intents)) {
    if (!knownIntents.has(name))
      problems.push(`intents.${name}: the model has no intent "${name}"`);
    for (const entity of placeholders(spec.text ?? '')) {
      if (!knownEntities.has(entity)) {
        problems.push(`intents.${name}.text: the model has no entity type "${entity}"`);
      }
    }
    spec.required.forEach((required, index) => {
      for (const type of [required.entity, ...required.also]) {
        if (!knownEntities.has(type)) {
          problems.push(
            `intents.${name}.required[${index}]: the model has no entity type "${type}"`,
          );
        }
      }
    });
  }
  domain.handoff.intents.forEach((name, index) => {
    if (!knownIntents.has(name)) {
      problems.push(`handoff.intents[${index}]: the model has no intent "${name}"`);
    }
  });

  if (problems.length > 0) {
    throw new ParleyError(
      'DATA_INVALID',
      `Domain file ${domain.source} does not match the model:\n  ${problems.join('\n  ')}\n` +
        `  Known intents: ${[...knownIntents].join(', ')}`,
    );
  }
}

/** Entity types named as `{placeholder}` in a template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([^{}\s]+)\}/g)].map((match) => match[1]);
}
