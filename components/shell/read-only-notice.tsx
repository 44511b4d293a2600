import { Alert } from "@/components/ui/alert";
import { PERMISSION_LABELS } from "@/lib/auth/permissions";

export function ReadOnlyNotice() {
  return (
    <Alert tone="warning" title="You have view-only access" className="mb-6">
      You can see this organisation&apos;s email routing but not change it. To make changes, ask an administrator for the{" "}
      <strong>{PERMISSION_LABELS["routing:email:manage"]}</strong> permission.
    </Alert>
  );
}
