import type { AdminHandler } from './types.js';

const NO_ADMIN: AdminHandler = {
  execute: async () => ({
    ok: false,
    text: 'Admin commands are not available on this Parley server yet.',
  }),
};

/**
 * An admin handler that asks its source for the current handler at each command. Adapters are
 * created before the learning loop that provides admin commands may be up (a database that is
 * down at start), so they must not capture the handler once.
 */
export function lazyAdmin(source: { readonly admin?: AdminHandler }): AdminHandler {
  return { execute: (ctx, line) => (source.admin ?? NO_ADMIN).execute(ctx, line) };
}
