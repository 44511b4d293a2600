"use client";

import { RedirectInstructions } from "@/components/domains/redirect-instructions";
import { TextField } from "@/components/forms/fields";
import { Alert } from "@/components/ui/alert";
import { checkHostname } from "@/lib/domains/hostname";
import { redirectWarnings, type RedirectContext, type WizardRoute } from "@/lib/setup/types";

export function RedirectsStep({
  routes,
  originalDomain,
  onOriginalDomain,
  context,
}: {
  routes: WizardRoute[];
  originalDomain: string;
  onOriginalDomain: (value: string) => void;
  /** The organisation's routes and other redirects these rules are checked against. */
  context: RedirectContext;
}) {
  const checked = checkHostname(originalDomain);
  const error = originalDomain.trim() && !checked.ok ? checked.error : undefined;
  const domain = checked.ok ? checked.unicode : null;
  const rules = domain ? routes.map((route) => ({ from: `${route.pattern}@${domain}`, to: route.address })) : [];
  const warnings = redirectWarnings(rules, context);
  return (
    <div className="space-y-6">
      <TextField
        id="original-domain"
        label="The domain customers write to today"
        hint="The domain of your existing addresses, on your own mail system (for example acme.com)."
        error={error}
        className="max-w-md"
        value={originalDomain}
        onChange={(event) => onOriginalDomain(event.target.value)}
        placeholder="acme.com"
        spellCheck={false}
      />
      {warnings.length > 0 ? (
        <Alert tone="warning" title={warnings.length === 1 ? "Check this redirect before you create it" : `Check these ${warnings.length} redirects before you create them`}>
          <ul className="list-disc space-y-1 pl-5">
            {warnings.map((warning) => (
              <li key={`${warning.kind}:${warning.address}`} data-testid="redirect-warning" data-kind={warning.kind}>
                {warning.message}
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {routes.length === 0 ? (
        <p className="text-sm text-slate-600">Map at least one address in the previous step: each needs its own redirect.</p>
      ) : domain ? (
        <RedirectInstructions rules={rules} />
      ) : (
        <p className="text-sm text-slate-600">Enter your domain to see the exact rules to create.</p>
      )}
    </div>
  );
}
