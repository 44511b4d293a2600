import { Mail } from "lucide-react";
import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { SignInForm } from "@/components/auth/sign-in-form";
import { getActor } from "@/lib/auth/gate";
import { getConfig, publicUrl } from "@/lib/config/env";
import { safeCallbackPath } from "@/lib/http/safe-redirect";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const actor = await getActor(); // first: reading the session marks the page per-request
  const callbackPath = safeCallbackPath(params.callbackUrl, publicUrl(getConfig()));
  if (actor) redirect(callbackPath);
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center text-center">
          <div className="mb-3 rounded-full bg-brand-600 p-3 text-white">
            <Mail className="size-6" aria-hidden />
          </div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Email Routing Console</h1>
          <p className="mt-1 text-sm text-slate-600">Sign in to manage inbound email routing.</p>
        </div>
        <SignInForm callbackPath={callbackPath} />
      </div>
    </main>
  );
}
