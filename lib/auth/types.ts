import type { Permission } from "./permissions";

/** The signed-in administrator, as every permission check and domain function sees them. */
export interface Actor {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  organizationId: string;
  organizationName: string;
  organizationSlug: string;
  licences: string[];
  /** Only permissions the console knows; anything else stored on the user grants nothing. */
  permissions: Permission[];
}
