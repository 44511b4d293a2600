import type { Logger } from "@/lib/log";

/**
 * A long-running service's periodic "still here" write (the job worker's and the inbound gateway's
 * heartbeat rows, which /api/health counts). A failing write is logged once, and its recovery once,
 * however many beats fail in between: a database restart must not flood the log.
 */
export interface Heartbeat {
  /** When the last beat succeeded (null until one has). */
  lastBeatAt(): Date | null;
  /** No more beats; resolves once a beat already under way has finished, so the row can be deleted after it. */
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  /** What the log lines call the service ("job worker", "inbound gateway"). */
  service: string;
  intervalMs: number;
  log: Logger;
  /** Writes the beat; a beat is skipped while `active()` is false (the service is stopping). */
  beat: (now: Date) => Promise<void>;
  active: () => boolean;
}

/** Beats once (awaited, so a service reports in as soon as it starts), then every `intervalMs`. */
export async function startHeartbeat({ service, intervalMs, log, beat, active }: HeartbeatOptions): Promise<Heartbeat> {
  let lastBeatAt: Date | null = null;
  let failing = false;
  let underWay: Promise<void> = Promise.resolve();
  async function once(): Promise<void> {
    if (!active()) return;
    const now = new Date();
    try {
      await beat(now);
      lastBeatAt = now;
      if (failing) log.info(`${service} reconnected to the database`);
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ err: error }, `${service} cannot reach the database; retrying`);
      failing = true;
    }
  }
  const beatOnce = () => (underWay = once());
  await beatOnce();
  const timer = setInterval(() => void beatOnce(), intervalMs);
  timer.unref();
  return {
    lastBeatAt: () => lastBeatAt,
    async stop() {
      clearInterval(timer);
      await underWay;
    },
  };
}
