import { createRng } from '../src/train/rng.js';
const rng = createRng(1);
const n = 480 * 128 * 5;
let t = performance.now();
const m = new Float32Array(n);
for (let i = 0; i < n; i++) m[i] = rng.next() < 0.1 ? 0 : 1.1111;
console.log('mask ms', performance.now() - t);
