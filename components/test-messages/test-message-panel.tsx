"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Send } from "lucide-react";
import { useState, useTransition } from "react";

import { sendTestMessageAction } from "@/app/(console)/test-messages/actions";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field, fieldA11y } from "@/components/ui/field";
import { EmailField } from "@/components/forms/fields";
import { Select } from "@/components/ui/input";
import { LocalTime } from "@/components/ui/local-time";
import { asActionResult } from "@/lib/actions/result";
import type { TestMessageSummary, TestMessageTrace, TestTarget, TraceState } from "@/lib/test-messages/types";

import { fetchTrace, TestMessageTraceView, testMessageQueryKey } from "./test-message-trace";

const OTHER = "__other__";

const STATE_TONE: Record<TraceState, { tone: "success" | "danger" | "warning" | "info"; text: string }> = {
  in_progress: { tone: "info", text: "In progress" },
  delivered: { tone: "success", text: "Delivered" },
  failed: { tone: "danger", text: "Stopped" },
  timed_out: { tone: "warning", text: "Gave up" },
};

/** A past trace's state: what the list was given, or newer, once its trace was opened and polled. */
function StateBadge({ item }: { item: TestMessageSummary }) {
  const { data } = useQuery({ queryKey: testMessageQueryKey(item.id), queryFn: () => fetchTrace(item.id), enabled: false });
  const look = STATE_TONE[data?.state ?? item.state];
  return <Badge tone={look.tone}>{look.text}</Badge>;
}

/**
 * Sends a traced test message and follows it. The address is picked from the routed addresses (for
 * the "keep copies" scenarios, the original address first: the path customers' mail takes) or typed;
 * the server accepts only the organisation's own routed addresses and redirect originals.
 */
export function TestMessageSender({
  targets,
  canManage,
  defaultAddress,
  onSent,
}: {
  targets: TestTarget[];
  canManage: boolean;
  defaultAddress?: string;
  onSent: (trace: TestMessageTrace) => void;
}) {
  const queryClient = useQueryClient();
  const initial = defaultAddress ?? targets[0]?.address ?? "";
  const listed = targets.some((target) => target.address === initial);
  const [choice, setChoice] = useState(listed || !initial ? initial || OTHER : OTHER);
  const [typed, setTyped] = useState(listed ? "" : initial);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | null>(null);
  const [pending, startSending] = useTransition();
  const viaRedirect = targets.filter((target) => target.viaRedirect);
  const direct = targets.filter((target) => !target.viaRedirect);
  const address = choice === OTHER ? typed : choice;

  const send = () =>
    startSending(async () => {
      const result = await asActionResult(sendTestMessageAction({ address }));
      if (!result.ok) {
        setFieldError(result.fieldErrors?.address?.[0]);
        setFailure(result.fieldErrors?.address ? null : result.error);
        return;
      }
      setFieldError(undefined);
      setFailure(null);
      queryClient.setQueryData(testMessageQueryKey(result.data.id), result.data);
      onSent(result.data);
    });

  return (
    <form
      aria-label="Send a test message"
      className="flex flex-wrap items-start gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <Field id="test-message-address" label="Send to" error={choice === OTHER ? undefined : fieldError} className="min-w-0 flex-1 basis-64">
        <Select
          {...fieldA11y("test-message-address", choice === OTHER ? undefined : fieldError)}
          value={choice}
          onChange={(event) => setChoice(event.target.value)}
          disabled={!canManage}
        >
          {viaRedirect.length > 0 ? (
            <optgroup label="Through your own mail server (its redirect rule)">
              {viaRedirect.map((target) => (
                <option key={`r-${target.address}`} value={target.address}>
                  {target.address} → {target.routeAddress}
                </option>
              ))}
            </optgroup>
          ) : null}
          {direct.length > 0 ? (
            <optgroup label={viaRedirect.length > 0 ? "Straight to the registered address" : "Routed addresses"}>
              {direct.map((target) => (
                <option key={`d-${target.address}`} value={target.address}>
                  {target.address} ({target.queueName})
                </option>
              ))}
            </optgroup>
          ) : null}
          <option value={OTHER}>Another address…</option>
        </Select>
      </Field>
      {choice === OTHER ? (
        <EmailField
          id="test-message-typed"
          label="Address"
          error={fieldError}
          className="min-w-0 flex-1 basis-64"
          placeholder="support@example.com"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          disabled={!canManage}
        />
      ) : null}
      <Button type="submit" pending={pending} disabled={!canManage || address.trim() === ""} title={canManage ? undefined : MANAGE_REQUIRED_HINT} className="sm:mt-7">
        <Send aria-hidden /> Send a test message
      </Button>
      {failure ? (
        <p role="alert" className="w-full text-sm text-red-700">
          {failure}
        </p>
      ) : null}
    </form>
  );
}

/** The domain page's panel: send, follow the trace live, and look back at the last few. */
export function TestMessagePanel({
  targets,
  recent,
  latest,
  canManage,
  unavailable,
}: {
  targets: TestTarget[];
  recent: TestMessageSummary[];
  latest: TestMessageTrace | null;
  canManage: boolean;
  /** Why no test message can be sent from here yet (the domain is not verified). */
  unavailable?: string;
}) {
  const [current, setCurrent] = useState<{ id: string; initial?: TestMessageTrace } | null>(latest ? { id: latest.id, initial: latest } : null);
  const [history, setHistory] = useState(recent);
  return (
    <Card className="mt-6" data-testid="test-message-panel">
      <CardHeader
        title="Send a test message"
        description="The console delivers a message to the address's mail server, as any sender would, and follows it to the queue."
      />
      <CardBody className="space-y-4">
        {unavailable ? (
          <p className="text-sm text-slate-600">{unavailable}</p>
        ) : (
          <TestMessageSender
            targets={targets}
            canManage={canManage}
            onSent={(trace) => {
              setCurrent({ id: trace.id, initial: trace });
              setHistory((items) => [
                { id: trace.id, targetAddress: trace.targetAddress, createdAt: trace.createdAt, createdBy: trace.createdBy, state: trace.state },
                ...items.filter((item) => item.id !== trace.id),
              ].slice(0, 5));
            }}
          />
        )}
        {current ? <TestMessageTraceView key={current.id} id={current.id} initial={current.initial} /> : null}
        {history.length > 1 ? (
          <div>
            <h3 className="text-sm font-medium text-slate-900">Recent test messages</h3>
            <ul className="mt-1 divide-y divide-slate-100 text-sm">
              {history.map((item) => (
                <li key={item.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                  <button
                    type="button"
                    className="min-w-0 break-all text-left font-mono text-brand-700 underline-offset-2 hover:underline disabled:text-slate-900 disabled:no-underline"
                    disabled={current?.id === item.id}
                    onClick={() => setCurrent({ id: item.id })}
                  >
                    {item.targetAddress}
                  </button>
                  <span className="flex items-center gap-2 text-xs text-slate-500">
                    <LocalTime value={item.createdAt} />
                    <StateBadge item={item} />
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}

/** The route tester's shortcut: send a test message to the address just tested and follow it there. */
export function SendTestMessageButton({ address, canManage }: { address: string; canManage: boolean }) {
  const queryClient = useQueryClient();
  const [trace, setTrace] = useState<TestMessageTrace | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [pending, startSending] = useTransition();
  return (
    <div className="mt-4 space-y-3">
      <Button
        type="button"
        variant="secondary"
        pending={pending}
        disabled={!canManage}
        title={canManage ? undefined : MANAGE_REQUIRED_HINT}
        onClick={() =>
          startSending(async () => {
            const result = await asActionResult(sendTestMessageAction({ address }));
            if (!result.ok) {
              setFailure(result.fieldErrors?.address?.[0] ?? result.error);
              return;
            }
            setFailure(null);
            queryClient.setQueryData(testMessageQueryKey(result.data.id), result.data);
            setTrace(result.data);
          })
        }
      >
        <Send aria-hidden /> Send a test message to {address}
      </Button>
      {failure ? (
        <p role="alert" className="text-sm text-red-700">
          {failure}
        </p>
      ) : null}
      {trace ? (
        <div className="rounded-md border border-slate-200 bg-white p-4 text-slate-900">
          <TestMessageTraceView key={trace.id} id={trace.id} initial={trace} />
        </div>
      ) : null}
    </div>
  );
}
