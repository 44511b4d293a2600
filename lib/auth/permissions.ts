/**
 * Who may do what. Pure data and functions, shared by server checks (pages, server actions,
 * route handlers) and the UI that mirrors them — one `can()` answers both.
 */

export const PERMISSIONS = ["routing:email:manage", "routing:email:view"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const PERMISSION_LABELS: Record<Permission, string> = {
  "routing:email:manage": "Routing > Email > Manage",
  "routing:email:view": "Routing > Email > View",
};

/** Licences that include ACD email routing. Others (e.g. "Genesys Cloud CX 1") do not qualify. */
export const QUALIFYING_LICENCES = [
  "Genesys Cloud CX 2",
  "Genesys Cloud CX 2 Digital",
  "Genesys Cloud CX 3",
  "Genesys Cloud CX 3 Digital",
  "Genesys Cloud CX 1 Digital Add-on II",
] as const;

/** Every licence name the console recognises (qualifying or not), for operator input validation. */
export const KNOWN_LICENCES = [
  "Genesys Cloud CX 1",
  "Genesys Cloud CX 1 Digital",
  ...QUALIFYING_LICENCES,
] as const;

/** What a request wants to do: read anything in the email routing area, or change it. */
export type Ability = "view" | "manage";

/** The permission that grants an ability; manage implies view. */
export const REQUIRED_PERMISSION: Record<Ability, Permission> = {
  view: "routing:email:view",
  manage: "routing:email:manage",
};

export interface AccessSubject {
  licences: readonly string[];
  permissions: readonly string[];
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

export function hasQualifyingLicence(licences: readonly string[]): boolean {
  return licences.some((licence) => (QUALIFYING_LICENCES as readonly string[]).includes(licence));
}

export function hasPermission(permissions: readonly string[], ability: Ability): boolean {
  if (permissions.includes(REQUIRED_PERMISSION.manage)) return true;
  return ability === "view" && permissions.includes(REQUIRED_PERMISSION.view);
}

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; reason: "unauthenticated" }
  | { allowed: false; reason: "licence_required"; qualifyingLicences: readonly string[] }
  | { allowed: false; reason: "permission_required"; permission: Permission; label: string };

/** Why access was refused, when it was. */
export type AccessRefusal = Exclude<AccessDecision, { allowed: true }>;

/**
 * What a refused admin is told, in the same words by server actions, route handlers and the UI.
 * `nothingChanged` adds the reassurance a refused change owes ("nothing was changed").
 */
export function refusalMessage(refusal: AccessRefusal, options: { nothingChanged?: boolean } = {}): string {
  const sentence =
    refusal.reason === "unauthenticated"
      ? "Your session has ended. Sign in again to continue"
      : refusal.reason === "licence_required"
        ? "Your organisation's licence does not include email routing"
        : `You need the ${refusal.label} permission (${refusal.permission}) to do this`;
  return options.nothingChanged ? `${sentence}; nothing was changed.` : `${sentence}.`;
}

/** The single answer to "may this user do X in this organisation". */
export function decideAccess(subject: AccessSubject | null, ability: Ability): AccessDecision {
  if (!subject) return { allowed: false, reason: "unauthenticated" };
  if (!hasQualifyingLicence(subject.licences)) {
    return { allowed: false, reason: "licence_required", qualifyingLicences: QUALIFYING_LICENCES };
  }
  if (!hasPermission(subject.permissions, ability)) {
    const permission = REQUIRED_PERMISSION[ability];
    return { allowed: false, reason: "permission_required", permission, label: PERMISSION_LABELS[permission] };
  }
  return { allowed: true };
}

export function can(subject: AccessSubject | null, ability: Ability): boolean {
  return decideAccess(subject, ability).allowed;
}
