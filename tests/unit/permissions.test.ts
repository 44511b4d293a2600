import { describe, expect, it } from "vitest";

import { can, decideAccess, QUALIFYING_LICENCES } from "@/lib/auth/permissions";

const manager = { licences: ["Genesys Cloud CX 3"], permissions: ["routing:email:manage"] };
const viewer = { licences: ["Genesys Cloud CX 2 Digital"], permissions: ["routing:email:view"] };

describe("the access decision", () => {
  it("sends visitors without a session to sign in", () => {
    expect(decideAccess(null, "view")).toEqual({ allowed: false, reason: "unauthenticated" });
  });

  it("accepts each qualifying licence and refuses CX 1", () => {
    for (const licence of QUALIFYING_LICENCES) expect(can({ licences: [licence], permissions: ["routing:email:manage"] }, "manage")).toBe(true);
    expect(decideAccess({ licences: ["Genesys Cloud CX 1"], permissions: ["routing:email:manage"] }, "view")).toMatchObject({
      allowed: false,
      reason: "licence_required",
      qualifyingLicences: QUALIFYING_LICENCES,
    });
  });

  it("lets manage imply view, and view only read", () => {
    expect(can(manager, "view")).toBe(true);
    expect(can(viewer, "view")).toBe(true);
    expect(decideAccess(viewer, "manage")).toEqual({
      allowed: false,
      reason: "permission_required",
      permission: "routing:email:manage",
      label: "Routing > Email > Manage",
    });
  });

  it("names the view permission for a user with neither", () => {
    expect(decideAccess({ licences: ["Genesys Cloud CX 3"], permissions: [] }, "view")).toMatchObject({ permission: "routing:email:view", label: "Routing > Email > View" });
  });

  it("checks the licence before the permission", () => {
    expect(decideAccess({ licences: [], permissions: [] }, "manage")).toMatchObject({ reason: "licence_required" });
  });
});
