import { PERMISSION_LABELS } from "@/lib/auth/permissions";

/** Tooltip on controls a view-only admin sees disabled. */
export const MANAGE_REQUIRED_HINT = `Requires the ${PERMISSION_LABELS["routing:email:manage"]} permission`;
