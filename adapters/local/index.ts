import type { AdapterContext, AdapterPlugin, RunningAdapter } from '../../src/app.js';
import { registerAdminRoutes } from './admin.js';
import { registerLocalRoutes } from './receiver.js';

/**
 * The local adapter, Parley's embedded default: a web chat page at `/`, a JSON API under
 * `/api/`, and (through that API) `parley chat` in the terminal. Always on; it needs no account
 * anywhere. Files as in every adapter: receiver.ts (HTTP routes), to-message.ts (request bodies
 * to IncomingMessage / FeedbackInput), reply.ts (HandleResult and errors to JSON).
 */

export { MAX_BODY_BYTES, MAX_TEXT_LENGTH, DEFAULT_USER_ID } from './to-message.js';
export { FEEDBACK_QUEUED_MESSAGE, type MessageResponse } from './reply.js';

export function createLocalAdapter(ctx: AdapterContext): RunningAdapter {
  registerLocalRoutes(ctx.http, {
    conversation: ctx.conversation,
    feedback: ctx.feedback,
    logger: ctx.logger.child({ adapter: 'local' }),
    modelVersion: ctx.modelVersion,
    stats: ctx.stats,
  });
  registerAdminRoutes(ctx.http, {
    admin: () => ctx.admin,
    runs: () => ctx.runs,
    adminUsers: ctx.config.PARLEY_ADMIN_USERS,
    logger: ctx.logger.child({ adapter: 'local', page: 'admin' }),
  });
  // Requests arrive through the app's HTTP server, which the app starts and stops.
  return { name: 'local', start: async () => undefined, stop: async () => undefined };
}

export const localAdapter: AdapterPlugin = {
  name: 'local',
  enabled: () => true,
  create: createLocalAdapter,
};
