import { Loader2 } from "lucide-react";

/**
 * Shown while a console section renders (each section's loading.tsx). Deliberately not one
 * loading.tsx for the whole console: a loading boundary starts the response as 200 before the page
 * runs, so a page below it that calls notFound() (a domain of another organisation) could no longer
 * answer 404. Pages that call notFound() have no loading.tsx above them (a unit test checks).
 */
export default function PageLoading() {
  return (
    <div className="flex items-center gap-2 py-16 text-sm text-slate-600" role="status">
      <Loader2 className="size-4 animate-spin" aria-hidden /> Loading…
    </div>
  );
}
