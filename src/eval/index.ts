/** Evaluation, gate, reports and charts: the parts a retraining run needs after training. */
export * from './metrics.js';
export * from './diff.js';
export * from './gate.js';
export * from './report.js';
export * from './chart.js';
