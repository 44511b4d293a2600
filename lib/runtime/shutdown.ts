/**
 * Shutdown hooks shared between scripts/serve.ts (plain Node) and code running inside Next's server
 * bundle (instrumentation.ts): the two load separate copies of this module, so the hooks live on
 * globalThis. No server-only import here — serve.ts runs without React's server conditions.
 *
 * Phases: "drain" hooks run while the HTTP server finishes its in-flight requests (stop taking new
 * jobs, let running ones finish); "close" hooks run after both (close database pools).
 */
export type ShutdownPhase = "drain" | "close";
type Hook = () => Promise<void>;

const key = Symbol.for("email-routing-console.shutdown-hooks");
const registry = globalThis as unknown as { [key]?: Record<ShutdownPhase, Map<string, Hook>> };

function hooks(): Record<ShutdownPhase, Map<string, Hook>> {
  registry[key] ??= { drain: new Map(), close: new Map() };
  return registry[key];
}

/** Registers (or replaces, by name) a hook. */
export function onShutdown(name: string, phase: ShutdownPhase, hook: Hook): void {
  hooks()[phase].set(name, hook);
}

/** Runs a phase's hooks concurrently; a failing hook is reported and does not stop the others. */
export async function runShutdownHooks(phase: ShutdownPhase, report: (name: string, error: unknown) => void = () => undefined): Promise<void> {
  const entries = [...hooks()[phase].entries()];
  hooks()[phase].clear();
  await Promise.all(entries.map(([name, hook]) => hook().catch((error: unknown) => report(name, error))));
}
