"use client";

import { ArrowLeft, ArrowRight, RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { toast } from "sonner";

import { discardSetupRunAction, saveWizardAction } from "@/app/(console)/setup/actions";
import { DnsRecords } from "@/components/domains/dns-records";
import { VerificationPanel } from "@/components/domains/verification-panel";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { useHydrated } from "@/components/ui/use-hydrated";
import { asActionResult } from "@/lib/actions/result";
import { scenarioUsesOwnDomain, type Scenario } from "@/lib/domains/types";
import { defaultOriginalDomain } from "@/lib/domains/redirects";
import { recommendScenario, SCENARIO_INFO } from "@/lib/domains/scenarios";
import type { DomainView } from "@/lib/domains/types";
import type { WizardData } from "@/lib/setup/schemas";
import { STEP_LABELS, stepsFor, type RedirectContext, type SetupRunSummary, type WizardRoute, type WizardStep } from "@/lib/setup/types";

import { AddressesStep } from "./addresses-step";
import { DomainStep } from "./domain-step";
import { FinishStep } from "./finish-step";
import { OpenRuns } from "./open-runs";
import { RedirectsStep } from "./redirects-step";
import { ScenarioStep } from "./scenario-step";
import { Stepper } from "./stepper";

const DESCRIPTIONS: Record<WizardStep, string> = {
  scenario: "How will customers reach you? Pick the scenario that fits; you can come back and change it.",
  domain: "The domain customers will write to.",
  dns: "Publish these records at your DNS host. Copy each name and value exactly.",
  verify: "We ask your domain's own DNS servers directly, so a record you just added is seen at once.",
  addresses: "Map the addresses customers write to onto the queues that handle them.",
  redirects: "On your own mail server, redirect each existing address to its new one, keeping a copy.",
  finish: "Here is what is set up, and what is still to do.",
};

export interface SetupWizardProps {
  /** The run shown; null for a new set-up, saved when the admin leaves the scenario step. */
  runId: string | null;
  /** The run the address named was finished or is gone. */
  runGone: boolean;
  openRuns: SetupRunSummary[];
  redirects: RedirectContext;
  initialStep: WizardStep;
  initialScenario: Scenario | null;
  initialDomain: DomainView | null;
  initialData: WizardData;
  routes: WizardRoute[];
  queues: { id: string; name: string }[];
  platformDomain: string;
  defaultFromName: string;
  canManage: boolean;
}

/**
 * The wizard's saves, one after the other, each with the run the one before created: a new run is
 * created once, however fast the admin clicks on.
 */
class RunSaves {
  private last: Promise<string | null>;
  constructor(runId: string | null) {
    this.last = Promise.resolve(runId);
  }
  enqueue(save: (runId: string | null) => Promise<string | null>): void {
    // A save that failed (network) leaves the run as it was for the next one.
    this.last = this.last.then((runId) => save(runId).catch(() => runId));
  }
  settled(): Promise<string | null> {
    return this.last;
  }
}

/**
 * The wizard for the run the admin opened. Opening another run (Resume, Add a domain, Start over)
 * gives a fresh wizard; the run this wizard created itself, which its first save writes into the
 * address, is the same wizard carried on, so a refresh after that save keeps what is on screen.
 */
export function SetupWizard(props: SetupWizardProps) {
  const [created] = useState(() => new Set<string>());
  const [shown, setShown] = useState({ runId: props.runId, generation: 0 });
  if (props.runId !== shown.runId) {
    const sameWizard = props.runId !== null && created.has(props.runId);
    setShown({ runId: props.runId, generation: sameWizard ? shown.generation : shown.generation + 1 });
  }
  const onRunCreated = useCallback((runId: string) => created.add(runId), [created]);
  return <WizardRun key={shown.generation} {...props} onRunCreated={onRunCreated} />;
}

function WizardRun(props: SetupWizardProps & { onRunCreated: (runId: string) => void }) {
  const { canManage, onRunCreated } = props;
  const router = useRouter();
  // Until the wizard hydrates its controls do nothing, so they are shown disabled.
  const interactive = useHydrated() && canManage;
  const [step, setStep] = useState<WizardStep>(props.initialStep);
  const [scenario, setScenario] = useState<Scenario | null>(props.initialScenario);
  // A scenario the admin clicked is theirs; until then the recommendation is preselected.
  const [scenarioChosen, setScenarioChosen] = useState(props.initialScenario !== null);
  const [domain, setDomain] = useState<DomainView | null>(props.initialDomain);
  const [data, setData] = useState<WizardData>(props.initialData);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [confirmStartOver, setConfirmStartOver] = useState(false);
  const [runId, setRunId] = useState<string | null>(props.runId);
  const [saves] = useState(() => new RunSaves(props.runId));
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  const steps = stepsFor(scenario);

  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    heading.current?.focus(); // keyboard and screen-reader users land on the new step
  }, [step]);

  const save = useCallback(
    (change: { step: WizardStep; scenario?: Scenario | null; domainId?: string | null; data?: WizardData }) => {
      if (!canManage) return;
      saves.enqueue(async (current) => {
        const result = await asActionResult(saveWizardAction({ runId: current, ...change }));
        setSaveError(result.ok ? null : result.error);
        if (!result.ok || current === result.data.runId) return current;
        setRunId(result.data.runId);
        onRunCreated(result.data.runId);
        // The address names the run from now on, so reloading or sharing it resumes it.
        window.history.replaceState(null, "", `/setup?run=${result.data.runId}`);
        return result.data.runId;
      });
    },
    [canManage, onRunCreated, saves],
  );

  const go = (next: WizardStep, change: { scenario?: Scenario | null; domainId?: string | null; data?: WizardData } = {}) => {
    setStep(next);
    window.scrollTo({ top: 0 });
    save({ step: next, ...change });
  };

  const index = steps.indexOf(step);
  const previous = index > 0 ? steps[index - 1] : undefined;
  const following = steps[index + 1];
  const domainMatchesScenario = domain && scenario && (domain.kind === "custom") === scenarioUsesOwnDomain(scenario);

  const onDomainChange = useCallback((view: DomainView) => setDomain(view), []);

  /** Forgets this run (what it registered stays) and opens a new set-up at the first step. */
  const startOver = async () => {
    const current = await saves.settled();
    if (current) {
      const result = await asActionResult(discardSetupRunAction({ runId: current }));
      if (!result.ok && result.code !== "not_found") {
        toast.error(result.error);
        return;
      }
    }
    setConfirmStartOver(false);
    router.push("/setup");
    router.refresh();
  };

  let body: React.ReactNode;
  let next: { label: string; onClick: () => void; disabled?: boolean } | null = null;
  switch (step) {
    case "scenario":
      body = (
        <ScenarioStep
          answers={data.answers}
          onAnswers={(answers) => {
            setData({ ...data, answers });
            const recommended = recommendScenario(answers);
            if (recommended && !scenarioChosen) setScenario(recommended.scenario);
          }}
          scenario={scenario}
          onScenario={(chosen) => {
            setScenario(chosen);
            setScenarioChosen(true);
          }}
          platformDomain={props.platformDomain}
        />
      );
      next = {
        label: "Continue",
        disabled: !scenario,
        onClick: () => {
          if (!scenario) return;
          const keepDomain = domain && (domain.kind === "custom") === scenarioUsesOwnDomain(scenario);
          if (!keepDomain) setDomain(null);
          go("domain", { scenario, data, domainId: keepDomain ? domain.id : null });
        },
      };
      break;
    case "domain":
      body = scenario ? (
        <DomainStep
          runId={() => saves.settled()}
          scenario={scenario}
          platformDomain={props.platformDomain}
          registered={domainMatchesScenario ? domain : null}
          onRegistered={(view) => {
            setDomain(view);
            setStep(view.kind === "custom" ? "dns" : "addresses"); // the server saved this step with the domain
            router.refresh();
          }}
          onUseAnother={() => {
            setDomain(null);
            void save({ step: "domain", domainId: null });
          }}
          onContinue={() => go(domain?.kind === "custom" ? "dns" : "addresses")}
        />
      ) : null;
      break;
    case "dns":
      body = domain ? <DnsRecords domain={domain} /> : null;
      next = { label: "I have published them: verify", onClick: () => go("verify") };
      break;
    case "verify":
      body = domain ? <VerificationPanel initial={domain} canManage={props.canManage} onChange={onDomainChange} checkOnArrival /> : null;
      next = {
        label: domain?.status === "verified" ? "Continue" : "Continue while we keep checking",
        onClick: () => go("addresses"),
      };
      break;
    case "addresses":
      body = domain ? <AddressesStep domain={domain} routes={props.routes} queues={props.queues} defaultFromName={props.defaultFromName} /> : null;
      next = following
        ? {
            label: "Continue",
            onClick: () => {
              // Scenario 2 suggests the registered subdomain's parent as the domain customers write to today.
              const suggested =
                following === "redirects" && !data.originalDomain && domain && scenario === "own_domain_with_copies"
                  ? { ...data, originalDomain: defaultOriginalDomain(domain.name, domain.zoneConfirmed ? domain.zone : null) }
                  : data;
              setData(suggested);
              go(following, { data: suggested });
            },
          }
        : null;
      break;
    case "redirects":
      body = (
        <RedirectsStep
          routes={props.routes}
          originalDomain={data.originalDomain}
          onOriginalDomain={(originalDomain) => setData({ ...data, originalDomain })}
          context={props.redirects}
        />
      );
      next = { label: "Continue", onClick: () => go("finish", { data }) };
      break;
    case "finish":
      body =
        domain && scenario ? (
          <FinishStep
            scenario={scenario}
            domain={domain}
            routes={props.routes}
            redirectsFrom={SCENARIO_INFO[scenario].advanced ? data.originalDomain || null : null}
            onStartOver={() => {
              router.push("/setup");
              router.refresh();
            }}
          />
        ) : null;
      break;
  }

  // Steps after "domain" need a registered domain; a resumed wizard whose domain was deleted goes back there.
  const needsDomain = step !== "scenario" && step !== "domain" && !domain;

  return (
    <div>
      {props.runGone ? (
        <Alert tone="info" className="mb-4" title="That set-up is closed">
          It was finished, discarded, or its domain was deleted. Its domain and addresses, if any, are on the Domains and Routes pages. Start a new set-up below.
        </Alert>
      ) : null}
      {runId === null && step === "scenario" ? <OpenRuns runs={props.openRuns} canManage={props.canManage} /> : null}
      <div className="flex flex-wrap items-start justify-between gap-2">
        <Stepper steps={steps} current={step} onSelect={(target) => go(target)} />
        {step !== "scenario" && step !== "finish" && props.canManage ? (
          <Button variant="ghost" size="sm" onClick={() => setConfirmStartOver(true)} title="Start a new set-up; what you registered stays">
            <RotateCcw aria-hidden /> Start over
          </Button>
        ) : null}
      </div>
      <Dialog open={confirmStartOver} onOpenChange={setConfirmStartOver}>
        {confirmStartOver ? (
          <DialogContent
            title="Start over?"
            description={
              domain
                ? `This set-up's progress is forgotten. ${domain.displayName} and its addresses stay registered: find them on the Domains and Routes pages.`
                : "This set-up's progress and answers are forgotten."
            }
          >
            <div className="flex flex-wrap justify-end gap-2">
              <Button variant="secondary" onClick={() => setConfirmStartOver(false)}>
                Keep going
              </Button>
              <Button variant="danger" onClick={() => void startOver()}>
                Start over
              </Button>
            </div>
          </DialogContent>
        ) : null}
      </Dialog>
      <div className="mb-5">
        <h2 ref={heading} tabIndex={-1} className="text-xl font-semibold text-slate-900 outline-none">
          {STEP_LABELS[step]}
        </h2>
        <p className="mt-1 text-sm text-slate-600">{DESCRIPTIONS[step]}</p>
      </div>
      {saveError ? (
        <Alert tone="warning" className="mb-4" title="Your progress was not saved">
          {saveError}
        </Alert>
      ) : null}
      <fieldset disabled={!interactive} className="min-w-0">
        {needsDomain ? (
          <Alert tone="warning" title="No domain yet">
            This step needs a registered domain.{" "}
            <button type="button" className="font-medium underline" onClick={() => go("domain")}>
              Go to the Domain step
            </button>
          </Alert>
        ) : (
          body
        )}
      </fieldset>
      <div className="mt-8 flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-5">
        {previous ? (
          <Button variant="secondary" onClick={() => go(previous)} disabled={!interactive}>
            <ArrowLeft aria-hidden /> Back
          </Button>
        ) : (
          <span />
        )}
        {next && !needsDomain ? (
          <Button onClick={next.onClick} disabled={next.disabled || !interactive}>
            {next.label} <ArrowRight aria-hidden />
          </Button>
        ) : null}
      </div>
    </div>
  );
}
