import { defineConfig } from 'drizzle-kit';

/**
 * drizzle-kit reads the TypeScript schema and writes SQL migrations into migrations/. Generating
 * needs no database: `npx drizzle-kit generate`. Parley applies the files itself at start
 * (src/store/migrate.ts), on PGlite and on a real server alike.
 */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './migrations',
  strict: true,
});
