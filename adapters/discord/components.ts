import {
  ButtonStyle,
  ComponentType,
  TextInputStyle,
  escapeMarkdown,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIModalInteractionResponseCallbackData,
  type APISelectMenuOption,
} from 'discord.js';

/**
 * Message components for replies (feedback buttons), the "fix" picker and its modal. Limits are
 * Discord's, checked against the API v10 reference for discord.js 14.28: a custom_id holds 100
 * characters, a message 2000, an action row 5 buttons or 1 select, a message 5 rows, a select 25
 * options (labels and values of 100), a modal 5 top-level components and a 45-character title.
 */

export const CUSTOM_ID_LIMIT = 100;
export const MESSAGE_LIMIT = 2000;
const SELECT_OPTIONS = 25;
const INTENT_ROWS = 3;
export const MODAL_FIELDS = 5;
const QUOTE_LIMIT = 1000;

type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

/** What a component's custom_id says: `parley:<action>:<arg>[:<extra>]`. */
export type ComponentAction =
  'up' | 'down' | 'fix' | 'fix-intent' | 'fix-types' | 'fix-details' | 'fix-save' | 'fix-modal';

export function customId(action: ComponentAction, arg: string, extra?: string): string {
  return ['parley', action, arg, ...(extra === undefined ? [] : [extra])].join(':');
}

export function parseCustomId(
  id: string,
): { action: ComponentAction; arg: string; extra?: string } | undefined {
  const [prefix, action, arg, extra] = id.split(':');
  if (prefix !== 'parley' || !action || !arg) return undefined;
  return { action: action as ComponentAction, arg, extra };
}

/** Thumbs up, thumbs down and "fix" under a reply; undefined when the id does not fit. */
export function feedbackRow(messageId: string): Row | undefined {
  if (customId('down', messageId).length > CUSTOM_ID_LIMIT) return undefined;
  return {
    type: ComponentType.ActionRow,
    components: [
      button(customId('up', messageId), '👍', ButtonStyle.Secondary),
      button(customId('down', messageId), '👎', ButtonStyle.Secondary),
      button(customId('fix', messageId), 'Fix', ButtonStyle.Secondary),
    ],
  };
}

function button(
  id: string,
  label: string,
  style: ButtonStyle.Primary | ButtonStyle.Secondary,
  disabled = false,
): APIButtonComponent {
  return { type: ComponentType.Button, custom_id: id, label, style, disabled };
}

/** The state of one person's fix, as the picker shows it. */
export interface FixView {
  sessionId: string;
  /** The customer's text; undefined when Parley no longer has it (details cannot be marked). */
  text?: string;
  intent?: string;
  entities: { type: string; start: number; end: number }[];
  /** Entity types the details modal asks for (at most five). */
  types: string[];
  note?: string;
}

/** The ephemeral "fix" message: what was said, the intent select(s), details and save. */
export function fixPicker(
  view: FixView,
  intents: readonly string[],
  entityTypes: readonly string[],
): { content: string; components: Row[] } {
  const rows: Row[] = intentSelects(view, intents);
  if (view.text !== undefined && entityTypes.length > MODAL_FIELDS) {
    rows.push(typeSelect(view, entityTypes));
  }
  rows.push({
    type: ComponentType.ActionRow,
    components: [
      button(
        customId('fix-details', view.sessionId),
        'Mark details…',
        ButtonStyle.Secondary,
        view.text === undefined || view.types.length === 0,
      ),
      button(customId('fix-save', view.sessionId), 'Save', ButtonStyle.Primary, !view.intent),
    ],
  });
  return { content: pickerText(view), components: rows };
}

function pickerText(view: FixView): string {
  const lines = ["**Fix Parley's answer**"];
  if (view.text === undefined) {
    lines.push('Parley no longer has the text of this message, so only the intent can be fixed.');
  } else {
    const quoted =
      view.text.length > QUOTE_LIMIT ? `${view.text.slice(0, QUOTE_LIMIT)}…` : view.text;
    lines.push(
      ...escapeMarkdown(quoted || '(no text)')
        .split('\n')
        .map((line) => `> ${line}`),
    );
  }
  lines.push(`Intent: ${view.intent ? `\`${view.intent}\`` : '(pick one)'}`);
  if (view.text !== undefined) lines.push(`Details: ${describeEntities(view)}`);
  lines.push('Pick the right intent, mark the details if they are wrong, then press Save.');
  if (view.note) lines.push('', view.note);
  return lines.join('\n').slice(0, MESSAGE_LIMIT);
}

function describeEntities(view: FixView): string {
  if (view.entities.length === 0) return 'none';
  const text = view.text ?? '';
  return view.entities
    .map((e) => `${e.type} \`${escapeCode(text.slice(e.start, e.end))}\``)
    .join(', ');
}

function escapeCode(value: string): string {
  return value.replace(/`/g, 'ˋ');
}

/** Intents in selects of 25; more than 75 intents do not fit and the rest is left out. */
function intentSelects(view: FixView, intents: readonly string[]): Row[] {
  const shown = intents.slice(0, SELECT_OPTIONS * INTENT_ROWS);
  const rows: Row[] = [];
  for (let start = 0; start < shown.length; start += SELECT_OPTIONS) {
    const chunk = shown.slice(start, start + SELECT_OPTIONS);
    const index = start / SELECT_OPTIONS;
    const range = shown.length > SELECT_OPTIONS ? ` (${start + 1}-${start + chunk.length})` : '';
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: customId('fix-intent', view.sessionId, String(index)),
          placeholder: `What was the customer asking for?${range}`,
          min_values: 1,
          max_values: 1,
          options: chunk.map((intent) => option(intent, intent === view.intent)),
        },
      ],
    });
  }
  return rows;
}

function typeSelect(view: FixView, entityTypes: readonly string[]): Row {
  const shown = entityTypes.slice(0, SELECT_OPTIONS);
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.StringSelect,
        custom_id: customId('fix-types', view.sessionId),
        placeholder: `Which details are in the message? (up to ${MODAL_FIELDS})`,
        min_values: 0,
        max_values: Math.min(MODAL_FIELDS, shown.length),
        options: shown.map((type) => option(type, view.types.includes(type))),
      },
    ],
  };
}

function option(value: string, selected: boolean): APISelectMenuOption {
  return { label: value.slice(0, 100), value, default: selected };
}

/**
 * The details modal: one paragraph box per entity type, pre-filled with the values found now.
 * A person types each value as it appears in the message, one per line; Parley finds them in the
 * text to compute offsets.
 */
export function detailsModal(view: FixView): APIModalInteractionResponseCallbackData {
  const text = view.text ?? '';
  const fields = view.types.slice(0, MODAL_FIELDS).map((type) => {
    const values = view.entities
      .filter((e) => e.type === type)
      .map((e) => text.slice(e.start, e.end));
    return {
      type: ComponentType.Label as const,
      label: type.slice(0, 45),
      description: 'Exactly as in the message, one per line; empty when there is none.',
      component: {
        type: ComponentType.TextInput as const,
        custom_id: entityFieldId(type),
        style: TextInputStyle.Paragraph,
        required: false,
        max_length: 4000,
        ...(values.length > 0 ? { value: values.join('\n').slice(0, 4000) } : {}),
      },
    };
  });
  return {
    custom_id: customId('fix-modal', view.sessionId),
    title: 'Mark the details',
    components: fields,
  };
}

const ENTITY_FIELD_PREFIX = 'entity:';

export function entityFieldId(type: string): string {
  return `${ENTITY_FIELD_PREFIX}${type}`.slice(0, CUSTOM_ID_LIMIT);
}

/** The entity type a modal field stands for. */
export function entityTypeOfField(fieldId: string, types: readonly string[]): string | undefined {
  return types.find((type) => entityFieldId(type) === fieldId);
}

/** Splits text into messages of at most 2000 characters, at a line break where one is near. */
export function splitMessage(text: string, limit = MESSAGE_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = rest.lastIndexOf('\n', limit);
    let at = cut > limit / 2 ? cut : limit;
    // Never cut between the two halves of a surrogate pair (an emoji).
    if (at === limit && isHighSurrogate(rest.charCodeAt(at - 1))) at -= 1;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  parts.push(rest);
  return parts;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
