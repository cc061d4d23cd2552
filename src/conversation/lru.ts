/**
 * A small least-recently-used map: a Map keeps insertion order, so re-inserting on access moves a
 * key to the end and the first key is the oldest. Bounds the in-memory caches of the pipeline.
 */
export class Lru<K, V> {
  private readonly items = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.items.get(key);
    if (value === undefined) return undefined;
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  set(key: K, value: V): void {
    this.items.delete(key);
    this.items.set(key, value);
    if (this.items.size > this.capacity) {
      const oldest = this.items.keys().next();
      if (!oldest.done) this.items.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.items.delete(key);
  }

  get size(): number {
    return this.items.size;
  }
}
