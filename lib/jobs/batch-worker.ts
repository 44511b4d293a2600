import "server-only";

import type PgBoss from "pg-boss";

/**
 * Runs one queue's jobs, up to `concurrency` at once, fetching them several at a time and marking
 * them completed several at a time.
 *
 * pg-boss's own `work()` gives each slot its own poller: one fetch statement per job, one complete
 * statement per job, and every idle slot polling on its own. At 16 slots and 10,000 domains due,
 * that was a third of a re-check's statements (bench/recheck.ts, docs/decisions/029-recheck-batches.md).
 * Here one loop per queue fetches as many jobs as there are free slots (once a quarter of the slots
 * are free, so each fetch brings several), and the jobs that finished within COMPLETE_DELAY_MS are
 * completed in one statement. Each job still runs on its own: a slow check does not hold up the others.
 *
 * The queue's rules are pg-boss's and PostgreSQL's as before: the fetch is pg-boss's (FOR UPDATE
 * SKIP LOCKED, and a stately queue's unique index keeps two jobs of one key from being active at
 * once), a job that throws is failed into pg-boss's retry with back-off, a job that outlives its
 * expiry is failed too (its slot is freed; pg-boss's maintenance would expire it anyway), and a
 * job still running when the server stops is handed back (failed into retry) for another worker.
 */
export interface BatchWorkerOptions<T> {
  queue: string;
  /** Jobs of this queue run at once. */
  concurrency: number;
  /** How long to wait before asking again when the queue had no more jobs due. */
  pollingIntervalMs: number;
  run(job: PgBoss.Job<T>): Promise<unknown>;
  /** A fetch or a completion failed (the database away): logged by the caller; the loop goes on. */
  onError(error: unknown): void;
}

export interface BatchWorker {
  readonly queue: string;
  /** Jobs running now. */
  running(): number;
  /**
   * Stops fetching, waits up to `timeoutMs` for the running jobs, completes the finished ones and
   * hands back (fails into retry) those still running.
   */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * The batch workers of this process, by queue, so that a job queued here to run now (a test message
 * an admin just sent) is fetched at once rather than at the worker's next poll. On globalThis:
 * Next.js loads instrumentation.ts (which starts the in-process worker) and the route handlers that
 * queue jobs as separate bundles, which need not share module instances.
 */
const WAKERS = Symbol.for("erc.batchWorkerWakers");

function wakers(): Map<string, Set<() => void>> {
  const holder = globalThis as { [WAKERS]?: Map<string, Set<() => void>> };
  return (holder[WAKERS] ??= new Map());
}

/** Tells this process's workers of `queue` that a job is due now. Other processes find it at their next poll. */
export function wakeLocalWorkers(queue: string): void {
  for (const wake of wakers().get(queue) ?? []) wake();
}

/** Finished jobs wait this long to be completed together (their checks are stored already). */
const COMPLETE_DELAY_MS = 50;

export function startBatchWorker<T extends object>(boss: PgBoss, options: BatchWorkerOptions<T>): BatchWorker {
  const { queue, concurrency, pollingIntervalMs } = options;
  // Fetch once this many slots are free, so that a fetch brings several jobs rather than one.
  const fetchAt = Math.max(1, Math.floor(concurrency / 4));
  const running = new Map<string, PgBoss.Job<T>>();
  let finished: string[] = [];
  let completeTimer: NodeJS.Timeout | null = null;
  let completing: Promise<void> = Promise.resolve();
  let stopping = false;
  /** Ends the loop's current wait; `slotWakes`: a freed slot ends it too (not while polling an empty queue). */
  let waiting: { resume: () => void; slotWakes: boolean } | null = null;
  const wakeUp = (reason: "slot" | "poll" | "stop") => {
    if (!waiting || (reason === "slot" && !waiting.slotWakes)) return;
    const { resume } = waiting;
    waiting = null;
    resume();
  };
  const wait = (pollMs: number | null) =>
    new Promise<void>((resolve) => {
      const timer = pollMs === null ? null : setTimeout(() => wakeUp("poll"), pollMs);
      waiting = {
        slotWakes: pollMs === null,
        resume: () => {
          if (timer) clearTimeout(timer);
          resolve();
        },
      };
    });

  const complete = (): Promise<void> => {
    if (completeTimer) clearTimeout(completeTimer);
    completeTimer = null;
    const ids = finished;
    finished = [];
    if (ids.length === 0) return completing;
    completing = completing.then(() =>
      boss.complete(queue, ids).then(
        () => undefined,
        (error: unknown) => options.onError(error),
      ),
    );
    return completing;
  };

  const finish = (job: PgBoss.Job<T>, outcome: { error?: unknown }) => {
    if (running.get(job.id) !== job) return; // expired and failed already, or handed back at stop
    running.delete(job.id);
    if ("error" in outcome) {
      void boss.fail(queue, job.id, outcome.error as object).catch((error: unknown) => options.onError(error));
    } else {
      finished.push(job.id);
      if (finished.length >= fetchAt) void complete();
      else completeTimer ??= setTimeout(() => void complete(), COMPLETE_DELAY_MS);
    }
    wakeUp("slot");
  };

  const start = (job: PgBoss.Job<T>) => {
    running.set(job.id, job);
    // pg-boss reads it with EXTRACT(epoch …): a numeric, which arrives as a string.
    const expiresIn = Math.max(1, Number(job.expireInSeconds) || 0) * 1000;
    const expiry = setTimeout(() => finish(job, { error: new Error(`handler execution exceeded ${expiresIn}ms`) }), expiresIn);
    options.run(job).then(
      () => finish(job, {}),
      (error: unknown) => finish(job, { error }),
    ).finally(() => clearTimeout(expiry));
  };

  /** Jobs this worker will not finish go back to the queue (into retry) for another worker. */
  const handBack = (ids: string[]) =>
    Promise.all(ids.map((id) => boss.fail(queue, id, { message: "the worker stopped while the job was running" }).catch((error: unknown) => options.onError(error))));

  const wakeForNewJob = () => wakeUp("poll");
  const local = wakers().get(queue) ?? new Set<() => void>();
  wakers().set(queue, local.add(wakeForNewJob));

  const loop = (async () => {
    // The last fetch found fewer jobs than it asked for: the queue has nothing more due for now.
    let drained = false;
    while (!stopping) {
      const free = concurrency - running.size;
      if (free < (drained ? 1 : fetchAt)) {
        await wait(null);
        continue;
      }
      let jobs: PgBoss.Job<T>[] = [];
      try {
        jobs = await boss.fetch<T>(queue, { batchSize: free });
      } catch (error) {
        options.onError(error);
      }
      if (stopping) {
        // Fetched as the server stopped: hand them straight back.
        await handBack(jobs.map((job) => job.id));
        break;
      }
      for (const job of jobs) start(job);
      drained = jobs.length < free;
      if (drained) await wait(pollingIntervalMs);
    }
  })();

  let stopped: Promise<void> | null = null;
  return {
    queue,
    running: () => running.size,
    stop(timeoutMs) {
      stopped ??= (async () => {
        stopping = true;
        local.delete(wakeForNewJob);
        wakeUp("stop");
        await loop;
        const deadline = Date.now() + timeoutMs;
        while (running.size > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now()))));
        }
        await complete();
        const left = [...running.keys()];
        running.clear();
        await handBack(left);
      })();
      return stopped;
    },
  };
}
