"use client";

import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, Info, Loader2, XCircle } from "lucide-react";
import { useState, type FormEvent } from "react";

import { checkDomainAvailabilityAction, checkPlatformLabelAvailabilityAction, registerDomainAction } from "@/app/(console)/domains/actions";
import { bringErrorsIntoView, formOf } from "@/components/forms/apply-action-errors";
import { useLeaveWarning } from "@/components/forms/discard-guard";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldA11y } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { WrappableName } from "@/components/ui/wrappable-name";
import { useDebouncedValue } from "@/components/ui/use-debounced-value";
import { asActionResult, type ActionFailure } from "@/lib/actions/result";
import { scenarioUsesOwnDomain, type Scenario } from "@/lib/domains/types";
import { checkHostname, checkPlatformLabel } from "@/lib/domains/hostname";
import type { DomainView } from "@/lib/domains/types";

type Availability =
  | { state: "idle" }
  | { state: "checking" }
  /** `normalized`: what was typed is not how the name is written (case, fullwidth forms…). */
  | { state: "available"; ascii: string; unicode: string; normalized: boolean; dnsHint?: { title: string; message: string } }
  | { state: "taken"; reason: string; yours?: boolean };

/** Validates as the admin types (instantly in the browser, then availability on the server). */
function useAvailability(kind: "custom" | "platform", value: string, localError: string | null, check: (value: string) => Promise<Availability>): Availability {
  const debounced = useDebouncedValue(value.trim(), 400);
  const enabled = Boolean(debounced) && !localError;
  const query = useQuery({
    queryKey: ["availability", kind, debounced],
    queryFn: () => check(debounced),
    enabled,
    staleTime: 5_000,
    retry: false,
  });
  if (!value.trim() || localError) return { state: "idle" };
  if (debounced !== value.trim() || query.isFetching || !query.data) return query.isError ? { state: "idle" } : { state: "checking" };
  return query.data;
}

/** A check that never got an answer says nothing about the name: no verdict, and registering stays possible. */
function unanswered(failure: ActionFailure): Availability | null {
  return failure.code === "unreachable" ? { state: "idle" } : null;
}

async function customAvailability(value: string): Promise<Availability> {
  const result = await asActionResult(checkDomainAvailabilityAction({ domain: value }));
  if (!result.ok) return unanswered(result) ?? { state: "taken", reason: result.error };
  if (!result.data.available) return { state: "taken", reason: result.data.reason, yours: result.data.yours };
  return { state: "available", ascii: result.data.ascii, unicode: result.data.unicode, normalized: result.data.unicode !== value, dnsHint: result.data.dnsHint };
}

async function labelAvailability(value: string): Promise<Availability> {
  const result = await asActionResult(checkPlatformLabelAvailabilityAction({ label: value }));
  if (!result.ok) return unanswered(result) ?? { state: "taken", reason: result.error };
  if (!result.data.available) return { state: "taken", reason: result.data.reason, yours: result.data.yours };
  return { state: "available", ascii: result.data.ascii, unicode: result.data.unicode, normalized: result.data.label !== value };
}

function AvailabilityNote({ availability, id }: { availability: Availability; id: string }) {
  if (availability.state === "checking") {
    return (
      <p id={id} className="flex items-center gap-1.5 text-xs text-slate-600" aria-live="polite">
        <Loader2 className="size-3.5 animate-spin" aria-hidden /> Checking availability…
      </p>
    );
  }
  if (availability.state === "available") {
    const naming =
      availability.unicode !== availability.ascii ? (
        <>
          shown as <strong>{availability.unicode}</strong>, stored and published in DNS as <span className="font-mono">{availability.ascii}</span>
        </>
      ) : availability.normalized ? (
        <>
          registered as <span className="font-mono">{availability.ascii}</span>
        </>
      ) : null;
    if (availability.dnsHint) {
      // Nobody else has it, but DNS could not be asked about it: registering works, publishing may not yet.
      return (
        <div id={id} className="space-y-1 text-xs" aria-live="polite" data-testid="dns-hint">
          <p className="flex items-center gap-1.5 font-medium text-amber-800">
            <AlertTriangle className="size-3.5 shrink-0" aria-hidden /> {availability.dnsHint.title}
          </p>
          {naming ? <p className="text-slate-600">It is {naming}.</p> : null}
          <p className="text-slate-600">{availability.dnsHint.message}</p>
        </div>
      );
    }
    return (
      <p id={id} className="flex items-center gap-1.5 text-xs font-medium text-emerald-700" aria-live="polite">
        <CheckCircle2 className="size-3.5" aria-hidden /> Available
        {naming ? <span className="font-normal text-slate-600"> · {naming}</span> : null}
      </p>
    );
  }
  if (availability.state === "taken" && availability.yours) {
    return (
      <p id={id} className="flex items-center gap-1.5 text-xs font-medium text-brand-700" aria-live="polite" data-testid="already-yours">
        <Info className="size-3.5" aria-hidden /> {availability.reason}
      </p>
    );
  }
  if (availability.state === "taken") {
    return (
      <p id={id} role="alert" className="flex items-center gap-1.5 text-xs font-medium text-red-700">
        <XCircle className="size-3.5" aria-hidden /> {availability.reason}
      </p>
    );
  }
  return null;
}

export function DomainStep({
  runId,
  scenario,
  platformDomain,
  registered,
  onRegistered,
  onUseAnother,
  onContinue,
}: {
  /** The run this set-up saves into, once the saves already on their way have settled (the first one creates it). */
  runId: () => Promise<string | null>;
  scenario: Scenario;
  platformDomain: string;
  registered: DomainView | null;
  onRegistered: (view: DomainView) => void;
  onUseAnother: () => void;
  onContinue: () => void;
}) {
  const own = scenarioUsesOwnDomain(scenario);
  const [value, setValue] = useState("");
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const local = own ? checkHostname(value) : checkPlatformLabel(value);
  const localError = !value.trim() ? null : local.ok ? null : local.error;
  const exampleLabel = local.ok && "label" in local ? local.label : "acme";
  const availability = useAvailability(own ? "custom" : "platform", value, localError, own ? customAvailability : labelAvailability);
  const paused = useDebouncedValue(value, 600) === value;
  const shownError = serverError ?? (touched || paused || value.length > 3 ? localError : null);
  useLeaveWarning(value.trim() !== "" && !registered);

  if (registered && (registered.kind === "custom") === own) {
    return (
      <div className="space-y-4">
        <Alert tone="success" title={`${registered.displayName} is registered`}>
          {registered.kind === "custom"
            ? "Next, publish its DNS records."
            : "It is ours to run: no DNS records are needed. Next, map addresses to queues."}
        </Alert>
        <div className="flex flex-wrap gap-2">
          <Button onClick={onContinue}>Continue</Button>
          <Button variant="secondary" onClick={onUseAnother}>
            Use a different domain
          </Button>
        </div>
      </div>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!value.trim() || localError) return;
    setPending(true);
    setServerError(null);
    const setupRunId = (await runId()) ?? undefined;
    const result = own
      ? await asActionResult(registerDomainAction({ kind: "custom", scenario: scenario as "own_domain" | "own_domain_with_copies", domain: value, fromWizard: true, setupRunId }))
      : await asActionResult(registerDomainAction({ kind: "platform", scenario: scenario as "platform_domain" | "platform_domain_with_copies", label: value, fromWizard: true, setupRunId }));
    setPending(false);
    if (result.ok) {
      onRegistered(result.data);
      return;
    }
    setServerError(result.fieldErrors?.domain?.[0] ?? result.fieldErrors?.label?.[0] ?? result.error);
    const form = formOf(event);
    if (form) bringErrorsIntoView(form);
  }

  const id = own ? "domain-name" : "platform-label";
  const input = (
    <Input
      {...fieldA11y(id, shownError ?? undefined, true)}
      aria-describedby={shownError ? `${id}-error` : `${id}-hint ${id}-availability`}
      value={value}
      onChange={(event) => {
        setValue(event.target.value);
        setServerError(null);
      }}
      onBlur={() => setTouched(true)}
      placeholder={own ? "help.acme.com" : "acme"}
      autoComplete="off"
      spellCheck={false}
      autoFocus
      className={own ? undefined : "max-w-48"}
    />
  );
  return (
    <form onSubmit={submit} noValidate className="max-w-xl space-y-4">
      <Field
        id={id}
        label={own ? "Your domain or subdomain" : "Your name under the platform domain"}
        hint={
          own
            ? "A subdomain used only for support mail is best, e.g. help.acme.com. Internationalised names (bücher.de) are fine."
            : (
                <>
                  Customers will write to addresses such as{" "}
                  {/* A 63-character label alone is wider than a phone: it may break inside, as a last resort. */}
                  <span className="[overflow-wrap:anywhere]">
                    <WrappableName value={`support@${exampleLabel}.${platformDomain}`} />
                  </span>
                </>
              )
        }
        error={shownError ?? undefined}
      >
        {own ? (
          input
        ) : (
          <div className="flex items-center gap-2">
            {input}
            <span className="font-mono text-sm text-slate-600">.{platformDomain}</span>
          </div>
        )}
      </Field>
      {shownError ? null : <AvailabilityNote availability={availability} id={`${id}-availability`} />}
      <Button type="submit" pending={pending} disabled={availability.state === "taken"}>
        {own ? "Register domain" : "Register name"}
      </Button>
    </form>
  );
}
