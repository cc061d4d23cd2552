#!/usr/bin/env node
// Thin launcher: runs the TypeScript command line through tsx so `npx parley` works right
// after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
