"use client";

import { Lightbulb } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import type { Scenario } from "@/lib/domains/types";
import { recommendScenario, SCENARIO_INFO, SCENARIO_ORDER, type ScenarioAnswers } from "@/lib/domains/scenarios";

const QUESTIONS: { key: keyof ScenarioAnswers; text: string; showIf?: (answers: ScenarioAnswers) => boolean }[] = [
  { key: "existingAddresses", text: "Do customers already write to email addresses of yours (such as support@yourcompany.com)?" },
  { key: "onSubdomain", text: "Are those addresses on a subdomain (such as support@help.yourcompany.com)?", showIf: (a) => a.existingAddresses === true },
  { key: "needCopies", text: "Do you need a copy of every incoming message on your own mail server?" },
  { key: "canEditDns", text: "Can you (or your IT team) add records to your domain's DNS?" },
];

function YesNo({ name, value, onChange, legend }: { name: string; value: boolean | null; onChange: (value: boolean) => void; legend: string }) {
  return (
    <fieldset className="flex flex-wrap items-center justify-between gap-3 py-2">
      <legend className="float-left max-w-xl text-sm text-slate-800">{legend}</legend>
      <div className="flex gap-2">
        {([true, false] as const).map((option) => (
          <label
            key={String(option)}
            className={cn(
              "flex cursor-pointer items-center gap-2 rounded-md border px-3 py-1.5 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-brand-600",
              value === option ? "border-brand-600 bg-brand-50 text-brand-700" : "border-slate-300 bg-white text-slate-700",
            )}
          >
            <input type="radio" name={name} className="sr-only" checked={value === option} onChange={() => onChange(option)} />
            {option ? "Yes" : "No"}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function ScenarioStep({
  answers,
  onAnswers,
  scenario,
  onScenario,
  platformDomain,
}: {
  answers: ScenarioAnswers;
  onAnswers: (answers: ScenarioAnswers) => void;
  scenario: Scenario | null;
  onScenario: (scenario: Scenario) => void;
  platformDomain: string;
}) {
  const recommendation = recommendScenario(answers);
  const described = (text: string) => text.replaceAll("<platform domain>", platformDomain);
  return (
    <div className="space-y-6">
      <section aria-labelledby="helper-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="helper-heading" className="flex items-center gap-2 text-base font-semibold text-slate-900">
          <Lightbulb className="size-4 text-amber-500" aria-hidden /> Not sure? Answer a few questions
        </h2>
        <div className="mt-2 divide-y divide-slate-100">
          {QUESTIONS.filter((question) => !question.showIf || question.showIf(answers)).map((question) => (
            <YesNo
              key={question.key}
              name={question.key}
              legend={question.text}
              value={answers[question.key]}
              onChange={(value) => onAnswers({ ...answers, [question.key]: value, ...(question.key === "existingAddresses" && !value ? { onSubdomain: null } : {}) })}
            />
          ))}
        </div>
        {recommendation ? (
          <p className="mt-3 rounded-md bg-brand-50 px-3 py-2 text-sm text-brand-700" role="status" data-testid="recommendation">
            <strong>We recommend scenario {SCENARIO_INFO[recommendation.scenario].number}: {SCENARIO_INFO[recommendation.scenario].title}.</strong>{" "}
            {recommendation.reason}
          </p>
        ) : null}
      </section>

      <fieldset>
        <legend className="mb-3 text-base font-semibold text-slate-900">Choose how customers reach you</legend>
        <div className="grid gap-4 md:grid-cols-2">
          {SCENARIO_ORDER.map((id) => {
            const info = SCENARIO_INFO[id];
            const selected = scenario === id;
            const recommended = recommendation?.scenario === id;
            return (
              <label
                key={id}
                className={cn(
                  "relative flex cursor-pointer flex-col gap-3 rounded-lg border bg-white p-5 shadow-sm transition-shadow has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-brand-600",
                  selected ? "border-brand-600 ring-2 ring-brand-600" : "border-slate-200 hover:shadow-md",
                )}
                data-scenario={id}
              >
                <input type="radio" name="scenario" value={id} checked={selected} onChange={() => onScenario(id)} className="sr-only" />
                <span className="flex flex-wrap items-center gap-2">
                  <span className="flex size-6 items-center justify-center rounded-full bg-slate-900 text-xs font-semibold text-white" aria-hidden>
                    {info.number}
                  </span>
                  <span className="font-semibold text-slate-900">{info.title}</span>
                  {info.advanced ? <Badge tone="neutral">Advanced</Badge> : null}
                  {recommended ? <Badge tone="info">Recommended</Badge> : null}
                  {selected ? <Badge tone="success">Selected</Badge> : null}
                </span>
                <span className="text-sm text-slate-700">{described(info.summary)}</span>
                <span className="text-sm">
                  <span className="block text-xs font-medium uppercase tracking-wide text-slate-500">Customers write to</span>
                  <span className="font-mono text-slate-800">{described(info.customersWriteTo)}</span>
                </span>
                <dl className="grid gap-1 text-sm text-slate-700">
                  <div><dt className="inline font-medium">Suits: </dt><dd className="inline">{info.suits}</dd></div>
                  <div><dt className="inline font-medium">DNS changes: </dt><dd className="inline">{info.dnsChanges}</dd></div>
                  <div><dt className="inline font-medium">Your mail server: </dt><dd className="inline">{info.mailServerChanges}</dd></div>
                </dl>
              </label>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}
