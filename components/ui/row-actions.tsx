import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";

import { Button } from "./button";
import { RowIcon } from "./row-icons";

const LABEL_CLASSES = { sm: "hidden sm:inline", xl: "hidden xl:inline" } as const;

/**
 * The edit and delete buttons at the end of a table row. Disabled, with the reason on hover, for
 * admins who may only view; the visible labels give way to icons on narrow screens.
 */
export function RowActions({
  subject,
  editLabel = "Edit",
  onEdit,
  onDelete,
  canManage,
  labelsFrom = "sm",
}: {
  /** What the row is, for the buttons' accessible names ("Delete support@…"). */
  subject: string;
  editLabel?: string;
  onEdit: () => void;
  onDelete: () => void;
  canManage: boolean;
  labelsFrom?: keyof typeof LABEL_CLASSES;
}) {
  const hint = canManage ? undefined : MANAGE_REQUIRED_HINT;
  return (
    <div className="flex justify-end gap-1">
      <Button variant="ghost" size="sm" onClick={onEdit} disabled={!canManage} title={hint} aria-label={`${editLabel} ${subject}`}>
        <RowIcon name="edit" /> <span className={LABEL_CLASSES[labelsFrom]}>{editLabel}</span>
      </Button>
      <Button variant="ghost" size="sm" onClick={onDelete} disabled={!canManage} title={hint} aria-label={`Delete ${subject}`}>
        <RowIcon name="delete" /> <span className={LABEL_CLASSES[labelsFrom]}>Delete</span>
      </Button>
    </div>
  );
}
