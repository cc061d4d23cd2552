import {
  MessageFlags,
  type ButtonInteraction,
  type Message,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js';
import { Lru } from '../../src/conversation/lru.js';
import type { FeedbackHandler, FeedbackInput } from '../../src/conversation/types.js';
import { feedbackFailureText } from '../../src/conversation/feedback.js';
import type { Logger } from '../../src/core/log.js';
import {
  detailsModal,
  entityTypeOfField,
  fixPicker,
  MODAL_FIELDS,
  type FixView,
} from './components.js';
import {
  locateValues,
  typedValues,
  type AnsweredMemory,
  type FixSession,
  type FixSessions,
  type Span,
} from './fix.js';
import { describeDiscordError } from './reply.js';
import { plainText, viewOf } from './to-message.js';

export interface FeedbackDeps {
  feedback: FeedbackHandler;
  answered: AnsweredMemory;
  sessions: FixSessions;
  botUserId: () => string;
  log: Logger;
}

const EPHEMERAL = MessageFlags.Ephemeral;
const EXPIRED = 'This fix has expired. Press **Fix** under the answer again.';

/**
 * Thumbs up, thumbs down and the "fix" flow. Every handler answers its interaction once, at
 * once: with the final content when nothing slow is needed, otherwise with a deferral (Discord's
 * 3 seconds) followed by an edit of the deferred response.
 */
export function createFeedbackHandlers(deps: FeedbackDeps) {
  const recordOnce = createRecorder(deps);

  async function onThumb(interaction: ButtonInteraction, kind: 'up' | 'down', messageId: string) {
    await interaction.deferReply({ flags: EPHEMERAL });
    const input: FeedbackInput = { messageId, userId: interaction.user.id, kind };
    const note = await recordOnce(input);
    await interaction.editReply({ content: note });
  }

  async function onFix(interaction: ButtonInteraction, messageId: string) {
    const userId = interaction.user.id;
    const known = deps.answered.recall(messageId);
    if (known) {
      const session = deps.sessions.open({
        messageId,
        userId,
        text: known.text,
        intent: known.intent,
        entities: known.entities,
        types: initialTypes(known.entities, deps.feedback.entityTypes()),
      });
      await interaction.reply({ flags: EPHEMERAL, ...picker(session) });
      return;
    }

    // Not answered by this process (it restarted): read the text from the customer's message.
    await interaction.deferReply({ flags: EPHEMERAL });
    const text = await customerText(interaction.message, deps);
    const session = deps.sessions.open({
      messageId,
      userId,
      text,
      entities: [],
      types: initialTypes([], deps.feedback.entityTypes()),
    });
    await interaction.editReply(picker(session));
  }

  async function onIntent(interaction: StringSelectMenuInteraction, sessionId: string) {
    const session = deps.sessions.get(sessionId, interaction.user.id);
    if (!session) return expired(interaction);
    session.intent = interaction.values[0];
    await interaction.update(picker(session));
  }

  async function onTypes(interaction: StringSelectMenuInteraction, sessionId: string) {
    const session = deps.sessions.get(sessionId, interaction.user.id);
    if (!session) return expired(interaction);
    session.types = interaction.values.slice(0, MODAL_FIELDS);
    await interaction.update(picker(session));
  }

  async function onDetails(interaction: ButtonInteraction, sessionId: string) {
    const session = deps.sessions.get(sessionId, interaction.user.id);
    if (!session) return expired(interaction);
    if (session.text === undefined || session.types.length === 0) {
      await interaction.update(picker(session, 'Pick which details are in the message first.'));
      return;
    }
    await interaction.showModal(detailsModal(viewOfSession(session)));
  }

  async function onDetailsSubmit(interaction: ModalSubmitInteraction, sessionId: string) {
    const session = deps.sessions.get(sessionId, interaction.user.id);
    if (!session || !interaction.isFromMessage()) {
      await interaction.reply({ flags: EPHEMERAL, content: EXPIRED });
      return;
    }

    const typed = [...interaction.fields.fields.values()].flatMap((field) => {
      const type = entityTypeOfField(field.customId, session.types);
      const box = 'value' in field && typeof field.value === 'string' ? field.value : '';
      return type ? typedValues(type, box) : [];
    });
    const located = locateValues(session.text ?? '', typed);
    if (!located.ok) {
      await interaction.update(picker(session, `⚠️ ${located.problems.join('\n⚠️ ')}`));
      return;
    }

    // The modal asked only for `types`; details of other types stay as they were.
    const kept = session.entities.filter((e) => !session.types.includes(e.type));
    session.entities = [...kept, ...located.entities].sort((a, b) => a.start - b.start);
    if (!session.intent) {
      await interaction.update(picker(session, 'Details marked. Pick the intent, then Save.'));
      return;
    }
    await interaction.deferUpdate();
    await interaction.editReply(picker(session, await save(session)));
  }

  async function onSave(interaction: ButtonInteraction, sessionId: string) {
    const session = deps.sessions.get(sessionId, interaction.user.id);
    if (!session) return expired(interaction);
    if (!session.intent) {
      await interaction.update(picker(session, 'Pick the intent first.'));
      return;
    }
    await interaction.deferUpdate();
    await interaction.editReply(picker(session, await save(session)));
  }

  function save(session: FixSession): Promise<string> {
    return recordOnce({
      messageId: session.messageId,
      userId: session.userId,
      kind: 'correction',
      intent: session.intent,
      // Without the text nothing was shown to mark: the correction names the intent only.
      ...(session.text === undefined ? {} : { entities: session.entities }),
    });
  }

  function picker(session: FixSession, note?: string) {
    return fixPicker(
      { ...viewOfSession(session), note },
      deps.feedback.intents(),
      deps.feedback.entityTypes(),
    );
  }

  return { onThumb, onFix, onIntent, onTypes, onDetails, onDetailsSubmit, onSave };
}

export type FeedbackHandlers = ReturnType<typeof createFeedbackHandlers>;

function viewOfSession(session: FixSession): FixView {
  return {
    sessionId: session.id,
    text: session.text,
    intent: session.intent,
    entities: session.entities,
    types: session.types,
  };
}

/** With five entity types or fewer the modal asks for all; otherwise for the predicted ones. */
function initialTypes(entities: readonly Span[], entityTypes: readonly string[]): string[] {
  if (entityTypes.length <= MODAL_FIELDS) return [...entityTypes];
  const predicted = [...new Set(entities.map((e) => e.type))];
  return predicted.filter((type) => entityTypes.includes(type)).slice(0, MODAL_FIELDS);
}

async function expired(interaction: ButtonInteraction | StringSelectMenuInteraction) {
  await interaction.update({ content: EXPIRED, components: [] });
}

/** The customer's text, through the reference Parley's answer carries to it. */
async function customerText(answer: Message, deps: FeedbackDeps): Promise<string | undefined> {
  if (!answer.reference?.messageId) return undefined;
  try {
    const original = await answer.fetchReference();
    return plainText(original.content, deps.botUserId(), viewOf(original).names);
  } catch (err) {
    deps.log.info({ err: describeDiscordError(err) }, 'discord fix: customer message not readable');
    return undefined;
  }
}

/**
 * Records feedback and says how it went, in words for the person. The same feedback from the
 * same person on the same message is sent to the handler once (a double click gives one call, and
 * the handler keeps one row per message and person anyway); a different one replaces it, in the
 * order they were given.
 */
function createRecorder(deps: FeedbackDeps) {
  const latest = new Lru<string, { signature: string; note: Promise<string> }>(5_000);

  return (input: FeedbackInput): Promise<string> => {
    const key = `${input.messageId}\u001f${input.userId}`;
    const signature = JSON.stringify(input);
    const previous = latest.get(key);
    if (previous?.signature === signature) return previous.note;

    const note = (previous?.note ?? Promise.resolve('')).then(() => record(input, deps));
    const entry = { signature, note };
    latest.set(key, entry);
    // A failure is not remembered: pressing again tries again.
    void note.then((text) => {
      if (text.startsWith('⚠️') && latest.get(key) === entry) latest.delete(key);
    });
    return note;
  };
}

async function record(input: FeedbackInput, deps: FeedbackDeps): Promise<string> {
  const log = deps.log.child({ storedId: input.messageId, kind: input.kind });
  try {
    const { saved } = await deps.feedback.record(input);
    log.info({ saved }, 'discord feedback recorded');
    const what = { up: 'your 👍', down: 'your 👎', correction: 'your fix' }[input.kind];
    return saved
      ? `✅ Thank you, ${what} is recorded.`
      : `✅ Thank you, ${what} is kept and will be saved when Parley's database is back.`;
  } catch (err) {
    log.warn({ err: describeDiscordError(err) }, 'discord feedback not recorded');
    return `⚠️ ${feedbackFailureText(err)}`;
  }
}
