import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Logger } from '../core/log.js';
import type { NluEngine, Prediction } from '../nlu/types.js';
import { DOMAIN_DEFAULTS, type Domain } from './domain.js';
import { scopeString, type StoreGateway } from './gateway.js';
import {
  decide,
  EMPTY_STATE,
  promptReply,
  type DialogueState,
  type HandoffReason,
  type PolicyDecision,
} from './policy.js';
import { redactText } from './redact.js';
import type { ConversationScope, TurnRecord } from './store-port.js';
import type {
  ConversationHandler,
  EscalationNotifier,
  HandleResult,
  IncomingMessage,
  MessageKey,
  Reply,
} from './types.js';
import { errorSummary } from './write-queue.js';

/**
 * The platform-neutral path of one message: dedupe, scope, understand, decide, reply, store.
 * The reply never waits on the database: reads are bounded and writes are queued (gateway.ts).
 */

export interface ConversationServiceOptions {
  store: StoreGateway;
  /** The engine to use now; read once per message, so a hot swap never splits a turn. */
  nlu: () => NluEngine;
  domain: Domain;
  config: Pick<Config, 'PARLEY_HANDOFF_AFTER_FALLBACKS' | 'PARLEY_ESCALATION_TARGET'>;
  logger: Logger;
  /** Where hand-off notices go; a function when it is known only later (an adapter's). */
  notifier?: EscalationNotifier | (() => EscalationNotifier | undefined);
}

export interface ConversationService extends ConversationHandler {
  /** Waits for messages in flight and the store writes they queued, up to `timeoutMs`. */
  drain(timeoutMs: number): Promise<{ drained: boolean }>;
}

// Whitespace (\s covers NBSP and U+FEFF), zero-width space / joiners, word joiner, soft hyphen.
const INVISIBLE = /[\s\u200b-\u200d\u2060\u00ad]/gu;

/** True for text with nothing visible in it (case C06). */
export function isBlank(text: string): boolean {
  return text.replace(INVISIBLE, '').length === 0;
}

/**
 * Where a message's conversation lives (case C18). A thread is one conversation; a top-level
 * channel message starts a thread of its own (Parley answers in it); a direct message outside a
 * thread belongs to the one conversation of that DM channel.
 */
export function conversationScope(message: IncomingMessage): {
  scope: ConversationScope;
  replyThreadId?: string;
} {
  const thread = message.threadId ?? (message.isDirect ? undefined : message.platformMessageId);
  const scope = {
    platform: message.platform,
    workspaceId: message.workspaceId,
    channelId: message.channelId,
    scopeKey: thread === undefined ? 'dm' : `thread:${thread}`,
  };
  return { scope, replyThreadId: thread };
}

export function messageKey(message: IncomingMessage): MessageKey {
  const { platform, workspaceId, channelId, platformMessageId } = message;
  return { platform, workspaceId, channelId, platformMessageId };
}

export function createConversationService(
  options: ConversationServiceOptions,
): ConversationService {
  const { store: gateway, domain } = options;
  const notifierNow = () =>
    typeof options.notifier === 'function' ? options.notifier() : options.notifier;
  const log = options.logger;
  const handoffAfterFallbacks =
    options.config.PARLEY_HANDOFF_AFTER_FALLBACKS ??
    domain.handoff.afterFallbacks ??
    DOMAIN_DEFAULTS.afterFallbacks;
  const inFlight = new Set<Promise<unknown>>();
  const scopeLocks = new Map<string, Promise<unknown>>();

  async function handle(message: IncomingMessage): Promise<HandleResult> {
    const started = performance.now();
    const context = {
      platform: message.platform,
      channel: message.channelId,
      user: message.userId,
    };

    // Case C06: nothing visible and no mention: no reply, no model call, nothing stored.
    if (isBlank(message.text) && !message.mentionsBot) {
      log.debug({ ...context, attachments: message.attachmentCount }, 'blank message ignored');
      return { status: 'ignored', reason: 'blank message' };
    }

    const claim = await gateway.claim(messageKey(message));
    if (!claim.fresh) {
      log.info(
        { ...context, platformMessageId: message.platformMessageId },
        'duplicate delivery dropped',
      );
      return { status: 'duplicate', messageId: claim.messageId ?? '' };
    }

    const { scope } = conversationScope(message);
    const work = withScopeLock(scopeString(scope), () => turn(message, claim.messageId, started));
    return track(work);
  }

  async function turn(
    message: IncomingMessage,
    messageId: string,
    started: number,
  ): Promise<HandleResult> {
    const { scope, replyThreadId } = conversationScope(message);
    const engine = options.nlu();

    // Understand and load the conversation at once; neither waits for the other.
    const [prediction, stored] = await Promise.all([
      isBlank(message.text) ? undefined : predict(engine, message),
      gateway.loadConversation(scope),
    ]);
    const conversationId = stored?.id ?? randomUUID();
    const state = stored?.state ?? EMPTY_STATE;

    const decision = prediction
      ? decide(domain, understood(prediction, engine), state, {
          outOfScopeIntent: engine.outOfScopeIntent,
          handoffAfterFallbacks,
        })
      : noModelDecision(message, state);
    const reply: Reply = { ...decision.reply, threadId: replyThreadId };

    if (decision.handoff)
      escalate(decision.handoff, message, conversationId, messageId, replyThreadId);
    record({ message, messageId, conversationId, scope, prediction, decision });

    log.debug(
      {
        platform: message.platform,
        channel: message.channelId,
        messageId,
        intent: prediction?.intent.name,
        confidence: prediction?.intent.confidence,
        kind: reply.kind,
        ms: Math.round(performance.now() - started),
      },
      'turn answered',
    );
    return { status: 'replied', messageId, conversationId, reply, prediction };
  }

  /** A mention with no text gets the prompt; an NLU failure gets the fallback text. */
  function noModelDecision(message: IncomingMessage, state: DialogueState): PolicyDecision {
    if (isBlank(message.text)) return promptReply(domain, state);
    return { reply: { text: domain.fallback, kind: 'fallback' }, state, intent: '' };
  }

  async function predict(
    engine: NluEngine,
    message: IncomingMessage,
  ): Promise<Prediction | undefined> {
    try {
      return await engine.predict(message.text);
    } catch (err) {
      log.error(
        { platform: message.platform, channel: message.channelId, err: errorSummary(err) },
        'NLU failed; answering with the fallback',
      );
      return undefined;
    }
  }

  function record(turn: {
    message: IncomingMessage;
    messageId: string;
    conversationId: string;
    scope: ConversationScope;
    prediction?: Prediction;
    decision: PolicyDecision;
  }): void {
    const { message, prediction, decision } = turn;
    const storedText = redactText(message.text);
    const row: TurnRecord = {
      conversation: { ...turn.scope, id: turn.conversationId, state: redactState(decision.state) },
      incoming: {
        id: turn.messageId,
        platformMessageId: message.platformMessageId,
        userId: message.userId,
        text: storedText,
        receivedAt: message.receivedAt,
      },
      prediction: prediction && {
        id: randomUUID(),
        intent: prediction.intent.name,
        confidence: prediction.intent.confidence,
        // Offsets survive redaction (same length); values are re-read from the stored text.
        entities: prediction.entities.map((e) => ({
          ...e,
          value: storedText.slice(e.start, e.end),
        })),
        ranking: prediction.ranking,
        modelVersion: prediction.modelVersion,
      },
      outgoing: {
        id: randomUUID(),
        text: redactText(decision.reply.text),
        kind: decision.reply.kind,
        at: new Date(),
      },
    };
    const queued = gateway.saveTurn(row, decision.state);
    if (!queued.accepted)
      log.error({ messageId: turn.messageId }, 'turn not stored: write queue full');
  }

  function escalate(
    reason: HandoffReason,
    message: IncomingMessage,
    conversationId: string,
    messageId: string,
    threadId: string | undefined,
  ): void {
    const notice = {
      reason,
      target: options.config.PARLEY_ESCALATION_TARGET,
      platform: message.platform,
      workspaceId: message.workspaceId,
      channelId: message.channelId,
      threadId,
      userId: message.userId,
      conversationId,
      messageId,
    };
    const notifier = notifierNow();
    if (!notifier) {
      log.warn(
        notice,
        'hand-off to a person: no escalation notifier configured, notice logged only',
      );
      return;
    }
    log.info(notice, 'hand-off to a person: notifying the escalation target');
    void track(
      notifier.notify(notice).catch((err: unknown) => {
        log.error({ ...notice, err: errorSummary(err) }, 'escalation notice failed');
      }),
    );
  }

  /** Turns on one conversation run one after another, so each sees the state the last left. */
  function withScopeLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = scopeLocks.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    scopeLocks.set(key, tail);
    void tail.then(() => {
      if (scopeLocks.get(key) === tail) scopeLocks.delete(key);
    });
    return run;
  }

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  async function forget(key: MessageKey): Promise<void> {
    gateway.forget(key);
    log.info(
      { platform: key.platform, channel: key.channelId },
      'deleted message: stored text redacted',
    );
  }

  async function drain(timeoutMs: number): Promise<{ drained: boolean }> {
    const deadline = Date.now() + timeoutMs;
    while (inFlight.size > 0 && Date.now() < deadline) {
      const left = deadline - Date.now();
      await Promise.race([Promise.allSettled([...inFlight]), sleep(left)]);
    }
    const flushed = await gateway.queue.flush(Math.max(0, deadline - Date.now()));
    return { drained: inFlight.size === 0 && flushed };
  }

  return { handle, forget, drain };
}

/** Below the model's own threshold is out of scope, whatever the engine labelled it. */
function understood(prediction: Prediction, engine: NluEngine): Prediction {
  const { intent } = prediction;
  if (intent.name === engine.outOfScopeIntent || intent.confidence >= engine.threshold)
    return prediction;
  return {
    ...prediction,
    intent: { name: engine.outOfScopeIntent, confidence: intent.confidence },
  };
}

/** Slot values are customer text too: the stored state holds their redacted form. */
function redactState(state: DialogueState): DialogueState {
  const slots = Object.fromEntries(
    Object.entries(state.slots).map(([type, value]) => [type, redactText(value)]),
  );
  return { ...state, slots };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
