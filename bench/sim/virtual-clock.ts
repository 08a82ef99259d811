// Simulated time for the org-scale bench: @sinonjs/fake-timers replaces the global setTimeout/setInterval and Date,
// which is what the AWS SDK's retry backoff (setTimeout), its adaptive rate limiter (Date.now, setTimeout) and
// SigV4 dates read, and what the simulated services' latency is made of. Time jumps from one timer to the next
// once the process has nothing else to do, so 15 simulated minutes pass in seconds of real time.
// Not faked: setImmediate, process.nextTick, queueMicrotask (the driver yields through them, and promise chains
// must run as they do) and performance.now (the bench's own real-time clock).
import { install } from "@sinonjs/fake-timers";

/** Real time the driver waits for real I/O when no timer is pending, before it calls the run stuck. */
const IDLE_LIMIT_MS = 10_000;

export interface VirtualClock {
  /** Simulated milliseconds since the clock was installed. */
  elapsedMs(): number;
  /**
   * Resolves with `work`'s result once it settles, firing timers in time order whenever the process is otherwise
   * idle. Rejects if `work` rejects, or if simulated time passes `limitMs` (a run that never ends).
   */
  run<T>(work: Promise<T>, limitMs?: number): Promise<T>;
  /** Puts the real timers and Date back. */
  uninstall(): void;
}

export function installVirtualClock(startAt = Date.now()): VirtualClock {
  const clock = install({
    now: startAt,
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
    // The driver below fires one timer at a time, so this only bounds runAll-style calls nobody makes.
    loopLimit: 10_000_000,
  });
  // Node runs a timer of less than 1 ms after 1 ms; fake-timers truncates the delay and runs it at once, without
  // time moving. The SDK's adaptive rate limiter waits fractions of a millisecond for its next token in a loop that
  // only ends when time moves: with fake-timers' rule it would spin forever at one instant. Node's rule is kept.
  const fakeSetTimeout = globalThis.setTimeout;
  const fakeSetInterval = globalThis.setInterval;
  globalThis.setTimeout = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) =>
    fakeSetTimeout(handler, nodeDelay(delay), ...args)) as typeof setTimeout;
  globalThis.setInterval = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) =>
    fakeSetInterval(handler, nodeDelay(delay), ...args)) as typeof setInterval;
  return {
    elapsedMs: () => clock.now - startAt,
    async run<T>(work: Promise<T>, limitMs = 24 * 3_600_000): Promise<T> {
      let settled = false;
      const outcome = work.finally(() => {
        settled = true;
      });
      // Keep the rejection observed while the loop runs; it is re-raised by the await below.
      outcome.catch(() => {});
      while (!settled) {
        if (clock.now - startAt > limitMs)
          throw new Error(`simulated time passed ${limitMs} ms before the run ended`);
        // nextAsync yields to the real event loop (setImmediate) before and after firing the earliest timer, so
        // every promise chain a timer resumes has run before time moves again.
        if (clock.countTimers() === 0) {
          // Nothing scheduled: real I/O (a module imported on first use) is under way. Wait for it in real time.
          const waitingSince = performance.now();
          while (!settled && clock.countTimers() === 0) {
            if (performance.now() - waitingSince > IDLE_LIMIT_MS)
              throw new Error(
                "the simulated run waits on nothing: no timer left and the work has not settled",
              );
            await new Promise((resolve) => setImmediate(resolve));
          }
          continue;
        }
        await clock.nextAsync();
      }
      return outcome;
    },
    uninstall: () => clock.uninstall(),
  };
}

/** The delay Node actually waits: below 1 ms (or not a number), 1 ms. */
export function nodeDelay(delay: number | undefined): number {
  const ms = Number(delay);
  return ms >= 1 ? ms : 1;
}
