import { SEED_MAX } from '@mediagen/contract';

/** Resolve seed −1: a uniformly random seed in 0…SEED_MAX from the given 32-bit source. */
export function randomSeed(random32: () => number): number {
  return random32() % (SEED_MAX + 1);
}
