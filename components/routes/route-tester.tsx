"use client";

import { CheckCircle2, Clock, FlaskConical, HelpCircle, XCircle } from "lucide-react";
import { useState, useTransition } from "react";

import { testAddressAction } from "@/app/(console)/routes/actions";
import { RedirectInstructions } from "@/components/domains/redirect-instructions";
import { SendTestMessageButton } from "@/components/test-messages/test-message-panel";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmailField } from "@/components/forms/fields";
import { asActionResult } from "@/lib/actions/result";
import type { AddressTestResult, RedirectAdvice, TestedRoute } from "@/lib/routes/types";

import { RouteStatusBadge } from "./route-status-badge";

const OUTCOME_LOOK: Record<AddressTestResult["outcome"], { Icon: typeof CheckCircle2; title: string; classes: string }> = {
  routed: { Icon: CheckCircle2, title: "Routed", classes: "border-emerald-200 bg-emerald-50 text-emerald-950" },
  domain_not_verified: { Icon: Clock, title: "Domain not verified yet", classes: "border-amber-200 bg-amber-50 text-amber-950" },
  domain_error: { Icon: XCircle, title: "Domain has a problem", classes: "border-red-200 bg-red-50 text-red-950" },
  no_route: { Icon: XCircle, title: "No route for this address", classes: "border-red-200 bg-red-50 text-red-950" },
  unknown_domain: { Icon: HelpCircle, title: "Unknown domain", classes: "border-slate-200 bg-slate-50 text-slate-900" },
  invalid_address: { Icon: XCircle, title: "Not an email address", classes: "border-red-200 bg-red-50 text-red-950" },
};

function RouteFacts({ route }: { route: TestedRoute }) {
  const facts: [string, string][] = [
    ["Route", route.address],
    ["Queue", route.queueName],
    ["Priority", String(route.priority)],
    ["Skills", route.skills.join(", ") || "None"],
    ["Language", route.language ?? "None"],
    ["Spam goes to", route.spamQueueName ?? "The same queue"],
  ];
  return (
    <dl className="mt-3 grid gap-x-6 gap-y-1.5 text-sm sm:grid-cols-[auto_1fr]">
      {facts.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="font-medium text-slate-600">{term}</dt>
          <dd className="break-words text-slate-900">{value}</dd>
        </div>
      ))}
      <dt className="font-medium text-slate-600">Status</dt>
      <dd>
        <RouteStatusBadge status={route.status} />
      </dd>
    </dl>
  );
}

/** The rule the admin's own mail system needs in the two "keep copies" scenarios. */
function RedirectRule({ redirect }: { redirect: RedirectAdvice }) {
  const from = redirect.from ?? redirect.fromPlaceholder;
  return (
    <section aria-label="Redirect needed on your mail system" className="mt-4 rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-800">
      <h3 className="font-semibold text-slate-900">Redirect needed on your mail system</h3>
      <p className="mb-3 mt-1">
        {redirect.scenario === "own_domain_with_copies"
          ? "This domain keeps copies on your own mail server: customers write to your existing address, and your mail system passes each message on here while keeping its own copy."
          : "This platform domain keeps copies on your own mail server: customers write to your own address, and your mail system passes each message on here while keeping its own copy."}
        {redirect.from ? null : " Replace the part in angle brackets with the domain your customers write to."}
      </p>
      <RedirectInstructions rules={[{ from, to: redirect.to }]} />
    </section>
  );
}

export function RouteTester({ canManage }: { canManage: boolean }) {
  const [address, setAddress] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [result, setResult] = useState<AddressTestResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [pending, startTest] = useTransition();

  const look = result ? OUTCOME_LOOK[result.outcome] : null;
  return (
    <Card className="mb-6">
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            <FlaskConical className="size-4 text-brand-600" aria-hidden /> Route tester
          </span>
        }
        description="Type any address to see which route and queue its mail reaches, or why it reaches none."
      />
      <CardBody>
        <form
          role="search"
          aria-label="Test an address"
          className="flex flex-wrap items-start gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            startTest(async () => {
              const response = await asActionResult(testAddressAction({ address }));
              if (response.ok) {
                setResult(response.data);
                setFieldError(undefined);
                setFailure(null);
              } else {
                setResult(null);
                setFieldError(response.fieldErrors?.address?.[0]);
                setFailure(response.fieldErrors?.address ? null : response.error);
              }
            });
          }}
        >
          <EmailField
            id="tester-address"
            label="Address to test"
            error={fieldError}
            className="min-w-0 flex-1 basis-64"
            placeholder="support@help.example.com"
            value={address}
            onChange={(event) => setAddress(event.target.value)}
          />
          <Button type="submit" variant="secondary" pending={pending} className="sm:mt-7">
            Test address
          </Button>
        </form>
        {failure ? <p role="alert" className="mt-3 text-sm text-red-700">{failure}</p> : null}
        {result && look ? (
          <div className={`mt-4 rounded-md border p-4 ${look.classes}`} data-testid="tester-result" aria-live="polite">
            <p className="flex items-center gap-2 font-semibold">
              <look.Icon className="size-4 shrink-0" aria-hidden /> {look.title}
            </p>
            <p className="mt-1 text-sm">{result.summary}</p>
            {result.route ? <RouteFacts route={result.route} /> : null}
            {result.suggestions.length > 0 ? (
              <p className="mt-2 text-sm">
                Similar addresses with a route:{" "}
                {result.suggestions.map((suggestion, index) => (
                  <span key={suggestion}>
                    {index > 0 ? ", " : ""}
                    <button type="button" className="font-mono underline underline-offset-2" onClick={() => setAddress(suggestion)}>
                      {suggestion}
                    </button>
                  </span>
                ))}
              </p>
            ) : null}
            {result.outcome === "routed" && result.address ? <SendTestMessageButton key={result.address} address={result.address} canManage={canManage} /> : null}
            {result.redirect ? <RedirectRule redirect={result.redirect} /> : null}
            {result.redirectTargets.map((target) => (
              <div key={target.to} className="mt-4">
                <RedirectRule
                  redirect={{
                    from: result.address,
                    fromPlaceholder: result.address ?? "",
                    to: target.to,
                    scenario: target.domain.scenario === "platform_domain_with_copies" ? "platform_domain_with_copies" : "own_domain_with_copies",
                  }}
                />
                <p className="mt-2 text-sm">
                  {target.route
                    ? `With that redirect, mail reaches the ${target.route.queueName} queue${target.route.status === "active" ? "." : ` once ${target.domain.name} is verified.`}`
                    : `${target.domain.name} has no route for this address yet; create one so the redirected mail has a queue.`}
                </p>
                {target.route?.status === "active" && result.address ? (
                  <SendTestMessageButton key={`${result.address}>${target.to}`} address={result.address} canManage={canManage} />
                ) : null}
              </div>
            ))}
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
