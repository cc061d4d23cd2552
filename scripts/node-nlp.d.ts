// Minimal types for the parts of node-nlp (4.27) that scripts/bench-nlu.ts uses; the package
// ships none.
declare module 'node-nlp' {
  export class NlpManager {
    constructor(settings?: Record<string, unknown>);
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<void>;
    process(locale: string, utterance: string): Promise<{ intent: string; score: number }>;
  }
}
