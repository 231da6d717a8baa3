/**
 * Hits per key per fixed window, counted across every gateway on one database (rate limits hold for all of them
 * together). One gateway counts in memory and needs none of this.
 */
export interface SharedWindowCounter {
  /** one more hit of `key` in the window that starts at `windowStart` (epoch ms): the window's total so far */
  hit(key: string, windowStart: number): Promise<number>;
}
