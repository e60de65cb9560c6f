/** Waiters woken together (a lock or a slot freed, here or on another node), each after at most its own timeout. */
export class Wakeup {
  private waiting: Array<() => void> = [];

  wake(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }

  /** Resolves at the next wake(), or after `ms`. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(t);
        self.waiting = self.waiting.filter((f) => f !== done);
        resolve();
      }
      this.waiting.push(done);
    });
  }
}
