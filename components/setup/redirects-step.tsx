"use client";

import { RedirectInstructions } from "@/components/domains/redirect-instructions";
import { Field, fieldA11y } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { checkHostname } from "@/lib/domains/hostname";
import type { WizardRoute } from "@/lib/setup/types";


export function RedirectsStep({
  routes,
  originalDomain,
  onOriginalDomain,
}: {
  routes: WizardRoute[];
  originalDomain: string;
  onOriginalDomain: (value: string) => void;
}) {
  const checked = checkHostname(originalDomain);
  const error = originalDomain.trim() && !checked.ok ? checked.error : undefined;
  const domain = checked.ok ? checked.unicode : null;
  return (
    <div className="space-y-6">
      <Field
        id="original-domain"
        label="The domain customers write to today"
        hint="The domain of your existing addresses, on your own mail system (for example acme.com)."
        error={error}
      >
        <Input
          {...fieldA11y("original-domain", error, true)}
          className="max-w-md"
          value={originalDomain}
          onChange={(event) => onOriginalDomain(event.target.value)}
          placeholder="acme.com"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      {routes.length === 0 ? (
        <p className="text-sm text-slate-600">Map at least one address in the previous step: each needs its own redirect.</p>
      ) : domain ? (
        <RedirectInstructions rules={routes.map((route) => ({ from: `${route.pattern}@${domain}`, to: route.address }))} />
      ) : (
        <p className="text-sm text-slate-600">Enter your domain to see the exact rules to create.</p>
      )}
    </div>
  );
}
