import { KeyRound, ShieldAlert } from "lucide-react";

import { SignOutButton } from "@/components/auth/sign-out-button";
import { Card, CardBody } from "@/components/ui/card";
import { Link } from "@/components/ui/link";
import { getActor, getRefusal } from "@/lib/auth/gate";
import { decideAccess, QUALIFYING_LICENCES } from "@/lib/auth/permissions";

/** The 403 page: either the organisation's licence does not qualify, or the user lacks a permission. */
export default async function Forbidden() {
  const actor = await getActor();
  const decision = getRefusal() ?? decideAccess(actor, "view");
  const licence = decision.allowed === false && decision.reason === "licence_required";
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <Card className="w-full max-w-xl">
        <CardBody className="space-y-4 py-8">
          <div className="flex items-center gap-3">
            <div className="rounded-full bg-amber-50 p-2.5 text-amber-700 ring-1 ring-amber-200">
              {licence ? <KeyRound className="size-5" aria-hidden /> : <ShieldAlert className="size-5" aria-hidden />}
            </div>
            <div>
              <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Error 403</p>
              <h1 className="text-xl font-semibold text-slate-900">{licence ? "Licence required" : "Permission required"}</h1>
            </div>
          </div>
          {licence ? (
            <>
              <p className="text-sm text-slate-700">
                {actor ? <strong>{actor.organizationName}</strong> : "Your organisation"}&apos;s licence does not include email
                routing. It is available with any of these licences:
              </p>
              <ul className="list-disc space-y-1 pl-6 text-sm text-slate-800" aria-label="Qualifying licences">
                {QUALIFYING_LICENCES.map((name) => (
                  <li key={name}>{name}</li>
                ))}
              </ul>
              <p className="text-sm text-slate-600">Ask your account owner to add one of them to your organisation.</p>
            </>
          ) : decision.allowed === false && decision.reason === "permission_required" ? (
            <p className="text-sm text-slate-700">
              You need the <strong>{decision.label}</strong> permission (<code className="rounded bg-slate-100 px-1">{decision.permission}</code>)
              to use this page. Ask an administrator of your organisation to grant it.
            </p>
          ) : (
            <p className="text-sm text-slate-700">You do not have access to this page.</p>
          )}
          <div className="flex flex-wrap items-center gap-3 pt-2">
            {actor ? (
              <p className="text-xs text-slate-500">
                Signed in as {actor.email}. <SignOutButton />
              </p>
            ) : (
              <Link href="/signin" className="text-sm font-medium text-brand-700 hover:underline">
                Sign in
              </Link>
            )}
          </div>
        </CardBody>
      </Card>
    </main>
  );
}
