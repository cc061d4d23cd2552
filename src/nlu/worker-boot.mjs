// Entry point of a prediction worker thread (worker-pool.ts). Worker threads do not inherit the
// main thread's module loader, so this plain-JavaScript file registers tsx first, the way
// bin/parley.js does for the command line, and then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker-thread.ts');
