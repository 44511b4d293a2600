import { describe, expect, it } from "vitest";

import { asActionResult, NO_ANSWER_MESSAGE, UNREACHABLE_MESSAGE, type ActionResult } from "@/lib/actions/result";

describe("asActionResult", () => {
  it("passes an answer through, success or failure", async () => {
    const ok: ActionResult<number> = { ok: true, data: 1 };
    const refused: ActionResult<number> = { ok: false, code: "validation", error: "Some fields need attention; nothing was saved." };
    expect(await asActionResult(Promise.resolve(ok))).toBe(ok);
    expect(await asActionResult(Promise.resolve(refused))).toBe(refused);
  });

  it("turns a call that could not reach the console into a failure the form can show", async () => {
    expect(await asActionResult<number>(Promise.reject(new TypeError("Failed to fetch")))).toEqual({
      ok: false,
      code: "unreachable",
      error: UNREACHABLE_MESSAGE,
    });
  });

  it("does not claim nothing was saved when the request may have arrived", async () => {
    expect(await asActionResult<number>(Promise.reject(new Error("An unexpected response was received from the server.")))).toEqual({
      ok: false,
      code: "unreachable",
      error: NO_ANSWER_MESSAGE,
    });
  });
});
