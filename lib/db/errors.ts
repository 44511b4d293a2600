/**
 * Turns the ways a database connection fails into one sentence an operator can act on, so start-up
 * and CLI commands never print a driver stack trace. Returns null for errors that are not about
 * reaching the database (those are bugs and are reported as such).
 */
export function describeConnectionError(error: unknown, connectionString?: string): string | null {
  const target = connectionString ? describeTarget(connectionString) : "the database";
  const code = errorCode(error);
  switch (code) {
    case "ECONNREFUSED":
      return `Cannot reach ${target}: nothing is accepting connections there. Is PostgreSQL running, and is DATABASE_URL right?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot reach ${target}: the host name does not resolve. Check the host in DATABASE_URL.`;
    case "ETIMEDOUT":
    case "ECONNRESET":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `Cannot reach ${target}: the connection timed out or was cut. Check the network path and DATABASE_URL.`;
    case "28P01":
    case "28000":
      return `${capitalise(target)} refused the user name or password in DATABASE_URL.`;
    case "3D000":
      return `${capitalise(target)} has no such database. Create it first (CREATE DATABASE …) or fix the name in DATABASE_URL.`;
    case "57P03":
      return `${capitalise(target)} is still starting up. Try again in a few seconds.`;
    default:
      break;
  }
  const message = error instanceof Error ? error.message : "";
  if (/timeout expired|Connection terminated due to connection timeout/i.test(message)) {
    return `Cannot reach ${target}: the connection timed out. Check the network path and DATABASE_URL.`;
  }
  return null;
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const direct = (error as { code?: unknown }).code;
  if (typeof direct === "string") return direct;
  // node-postgres reports "connect ECONNREFUSED" on every address as an AggregateError.
  const nested = (error as { errors?: unknown[] }).errors;
  if (Array.isArray(nested)) {
    for (const inner of nested) {
      const code = errorCode(inner);
      if (code) return code;
    }
  }
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? errorCode(cause) : undefined;
}

/** "PostgreSQL at db.example.com:5432 (database app)", never the password. */
export function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const database = url.pathname.replace(/^\//, "") || "postgres";
    return `PostgreSQL at ${url.hostname}:${url.port || "5432"} (database ${database})`;
  } catch {
    return "the database";
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
