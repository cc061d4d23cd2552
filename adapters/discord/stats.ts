/**
 * Counters of what the adapter did, for monitoring (`stats()` on the adapter). `emptyContent`
 * going up means guild messages arrive without their text: the Message Content intent is missing
 * in the code or in the Developer Portal (case C19).
 */
export interface DiscordStats {
  /** MESSAGE_CREATE events seen. */
  received: number;
  /** Replies posted (a reply split over several Discord messages counts once). */
  answered: number;
  /** Messages not for Parley: bots, webhooks, itself, other channels, blank text. */
  ignored: number;
  /** Guild messages with no content, attachments or embeds where Parley answers (C19). */
  emptyContent: number;
  /** Deliveries of a message that was answered already. */
  duplicates: number;
  /** MESSAGE_UPDATE events (edits and embed updates); none is answered. */
  edits: number;
  /** MESSAGE_DELETE: stored text forgotten. */
  forgotten: number;
  /** INTERACTION_CREATE events (buttons, selects, modals, `/parley`). */
  interactions: number;
  /** Events whose handling failed (logged at error). */
  failures: number;
}

export function createStats(): DiscordStats {
  return {
    received: 0,
    answered: 0,
    ignored: 0,
    emptyContent: 0,
    duplicates: 0,
    edits: 0,
    forgotten: 0,
    interactions: 0,
    failures: 0,
  };
}
