import { Link } from "@/components/ui/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Error 404</p>
      <h1 className="text-2xl font-semibold text-slate-900">Page not found</h1>
      <p className="text-sm text-slate-600">The page does not exist, or it belongs to another organisation.</p>
      <Link href="/" className="text-sm font-medium text-brand-700 hover:underline">
        Back to the overview
      </Link>
    </main>
  );
}
