/** A clock that moves only when the test says so: pass `clock.now` wherever a service takes `now`. */
export class ManualClock {
  constructor(private at = Date.UTC(2025, 0, 1)) {}

  readonly now = (): number => this.at;

  advance(ms: number): number {
    this.at += ms;
    return this.at;
  }

  set(at: number): void {
    this.at = at;
  }
}
