import type { z } from "zod";

/** One line per invalid flag, named the way the operator typed it. */
export function formatIssues(error: z.ZodError, flags: Record<string, string>): string {
  return error.issues
    .map((issue) => {
      const field = String(issue.path[0] ?? "");
      return `${flags[field] ?? field}: ${issue.message}`;
    })
    .join("\n");
}
