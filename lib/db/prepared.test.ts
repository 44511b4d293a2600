import { describe, expect, it } from "vitest";

import { PREPARED, preparedStatementName, statementName } from "./prepared";

describe("statement names", () => {
  it("names a text the same way every time, and two texts differently", () => {
    const a = statementName("SELECT $1::int");
    expect(a).toMatch(/^erc_[0-9a-f]{24}$/);
    expect(statementName("SELECT $1::int")).toBe(a);
    expect(statementName("SELECT $1::bigint")).not.toBe(a);
  });

  it("names only the Prisma statements marked PREPARED", () => {
    expect(preparedStatementName({ sql: `${PREPARED} SELECT 1` })).toBe(statementName(`${PREPARED} SELECT 1`));
    expect(preparedStatementName({ sql: "SELECT 1" })).toBeUndefined();
  });

  it("stops naming new texts past its bound, and keeps the names it gave", () => {
    const first = statementName("SELECT 'bound-0'");
    const names = Array.from({ length: 150 }, (_, i) => statementName(`SELECT 'bound-${i}'`));
    expect(names.filter((name) => name === undefined).length).toBeGreaterThan(0);
    expect(names.filter((name) => name !== undefined).length).toBeLessThanOrEqual(100);
    expect(statementName("SELECT 'bound-0'")).toBe(first);
  });
});
