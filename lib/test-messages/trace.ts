import type { DeliveryStatus, Hop } from "@/lib/mail/types";

import type {
  DiagnosisCode,
  MxExchangerRecord,
  MxRecord,
  SendFailure,
  SmtpAttempt,
  SmtpRecord,
  StageStatus,
  TestMessageTarget,
  TestMessageStatus,
  TestMessageTrace,
  TraceDiagnosis,
  TraceStage,
  TraceState,
} from "./types";

/**
 * A test message's trace, from what the console recorded while sending and what the gateway
 * stored (found by the message's token). Pure: the same evidence and clock give the same trace, so
 * every diagnosis is unit-tested (tests/unit/test-message-trace.test.ts).
 */
export interface TraceRow extends TestMessageTarget {
  createdAt: Date;
  createdByEmail: string;
  status: TestMessageStatus;
  sentAt: Date | null;
  mx: MxRecord | null;
  smtp: SmtpRecord | null;
  failure: SendFailure | null;
  failureDetail: string | null;
}

/** A message the gateway stored with this token, with its deliveries in the trace's organisation. */
export interface ArrivedMessage {
  id: string;
  receivedAt: Date;
  hops: Hop[];
  deliveries: { recipient: string; routeAddress: string; originalRecipient: string | null; queueName: string; status: DeliveryStatus }[];
}

/** A refusal the gateway logged for this message (its token, or its unique envelope sender). */
export interface GatewayRefusal {
  id: string;
  createdAt: Date;
  recipient: string | null;
  reply: string;
  reason: string;
  explanation: string;
}

export interface TraceEvidence {
  messages: ArrivedMessage[];
  refusals: GatewayRefusal[];
}

const LABELS: Record<TraceStage["key"], string> = {
  mx: "MX chosen",
  smtp: "SMTP reply",
  hops: "Hops",
  arrival: "Arrival at our gateway",
  route: "Route matched",
  queue: "Queue",
};

const minutes = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} minute${ms === 60_000 ? "" : "s"}` : `${Math.round(ms / 1000)} seconds`);

function stage(key: TraceStage["key"], status: StageStatus, summary: string, extra: Partial<Pick<TraceStage, "at" | "details">> = {}): TraceStage {
  return { key, label: LABELS[key], status, summary, at: extra.at ?? null, details: extra.details ?? [] };
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1);
}

/** The exchanger the last SMTP attempt went to, else the best one. */
function chosenExchanger(mx: MxRecord, smtp: SmtpRecord | null): MxExchangerRecord | null {
  const last = smtp?.attempts.at(-1);
  return mx.exchangers.find((exchanger) => exchanger.exchange === last?.exchange) ?? mx.exchangers[0] ?? null;
}

function mxStage(row: TraceRow, expired: boolean): TraceStage {
  const mx = row.mx;
  const domain = domainOf(row.targetAddress);
  if (!mx) {
    if (row.status === "queued") return stage("mx", expired ? "failed" : "waiting", expired ? "No job worker picked the message up." : "Waiting for the job worker to pick the message up.");
    if (row.status === "failed") return stage("mx", "failed", row.failureDetail ?? "The MX lookup did not finish.");
    return stage("mx", "running", `Looking up the MX records of ${domain}…`);
  }
  if (mx.outcome === "no_mx") return stage("mx", "failed", `${domain} has no MX record.`, { at: mx.at, details: mx.answeredBy ? [`Answered by ${mx.answeredBy}.`] : [] });
  if (mx.outcome === "null_mx") return stage("mx", "failed", `${domain} publishes a "null MX": it accepts no mail.`, { at: mx.at });
  if (mx.outcome === "error") return stage("mx", "failed", `The MX records of ${domain} could not be looked up.`, { at: mx.at, details: mx.message ? [mx.message] : [] });
  const chosen = chosenExchanger(mx, row.smtp);
  const details = [
    `Answered by ${mx.answeredBy ?? "the domain's nameserver"}, authoritatively.`,
    ...mx.exchangers.map(
      (exchanger) =>
        `${exchanger.preference} ${exchanger.exchange}: ${exchanger.addresses.join(", ") || exchanger.error || "no address"}${exchanger.ours ? " (our inbound host)" : ""}` +
        (exchanger.refused.length > 0 ? ` — not contacted: ${exchanger.refused.map((entry) => entry.reason).join("; ")}` : ""),
    ),
  ];
  const refusedAll = row.failure === "mx_address_refused" || row.failure === "mx_no_address";
  const address = row.smtp?.attempts.at(-1)?.address ?? chosen?.addresses[0];
  const whose = chosen?.ours ? "our inbound host" : row.viaRedirect ? "your mail server" : "not one of our inbound hosts";
  const summary = chosen ? `${chosen.exchange}${address && !refusedAll ? ` (${address})` : ""}, preference ${chosen.preference}: ${whose}.` : "No exchanger.";
  return stage("mx", refusedAll ? "failed" : chosen && !chosen.ours && !row.viaRedirect ? "warning" : "done", summary, { at: mx.at, details });
}

function attemptLine(attempt: SmtpAttempt): string {
  const where = `${attempt.exchange} (${attempt.address} port ${attempt.port})`;
  if (attempt.reply) return `${where}${attempt.command ? ` after ${attempt.command}` : ""}: ${attempt.reply}${attempt.tls ? " (over TLS)" : ""}`;
  return attempt.error ?? `${where}: no answer`;
}

function smtpStage(row: TraceRow, mx: TraceStage): TraceStage {
  const attempts = row.smtp?.attempts ?? [];
  const last = attempts.at(-1);
  if (!last) {
    if (mx.status === "failed") return stage("smtp", "skipped", "Not attempted.");
    if (row.status === "failed") return stage("smtp", "failed", row.failureDetail ?? "Sending stopped.");
    return stage("smtp", mx.status === "done" || mx.status === "warning" ? "running" : "waiting", mx.status === "waiting" ? "Not yet." : "Connecting…");
  }
  const details = attempts.length > 1 ? attempts.map(attemptLine) : last.tls ? ["Sent over TLS (STARTTLS)."] : [];
  if (last.outcome === "accepted") return stage("smtp", "done", `${last.exchange} accepted it: ${last.reply ?? "250"}`, { at: last.at, details });
  if (row.status === "sending") return stage("smtp", "running", `${attemptLine(last)} — trying the next server…`, { at: last.at, details });
  return stage("smtp", "failed", attemptLine(last), { at: last.at, details });
}

/** `postfix.test (Postfix)` → `postfix.test`: the host name without the comment a server adds. */
function hostOf(value: string | null): string | null {
  return value?.trim().split(/\s+/)[0] || null;
}

function hopLine(hop: Hop): string {
  const from = hop.from ? `from ${hop.from}` : "";
  const by = hop.by ? `${hop.by}` : "a server";
  const delay = hop.delaySeconds !== null && hop.delaySeconds > 0 ? ` (+${hop.delaySeconds} s)` : "";
  return `${by} received it ${from}${hop.for ? ` for ${hop.for}` : ""}${hop.at ? ` at ${hop.at}` : ""}${delay}`.replace(/\s+/g, " ").trim();
}

function failureDiagnosis(row: TraceRow): TraceDiagnosis {
  const domain = domainOf(row.targetAddress);
  const detail = row.failureDetail ?? "";
  const mk = (code: DiagnosisCode, title: string, message: string): TraceDiagnosis => ({ code, title, message, redirectRule: null });
  const mxHost = row.mx?.exchangers[0]?.exchange ?? domain;
  switch (row.failure) {
    case "no_mx":
      return mk("no_mx", "No MX record", `${detail}. Senders cannot find where to deliver mail for ${domain}: publish the MX record${row.viaRedirect ? " of your mail server" : "s the console lists for the domain"}.`);
    case "null_mx":
      return mk("null_mx", "The domain refuses all mail", `${detail}. Remove the null MX record and publish the MX record${row.viaRedirect ? " of your mail server" : "s the console lists"}.`);
    case "dns_failed":
      return mk("dns_failed", "MX lookup failed", `The MX records of ${domain} could not be looked up at its nameservers: ${detail}. Check that the domain's nameservers answer.`);
    case "mx_address_refused":
      return mk(
        "mx_address_refused",
        "MX address refused by policy",
        `The MX of ${domain} points at an address the console does not send mail to (${detail}). Test messages go only to public addresses, unless the operator allows private mail servers (TEST_MESSAGE_ALLOW_PRIVATE_TARGETS).`,
      );
    case "mx_no_address":
      return mk("mx_no_address", "MX host has no address", `${detail}. Publish an A record for the MX host ${mxHost}.`);
    case "connection_refused":
      return mk("connection_refused", "Connection refused", `${detail} Senders cannot deliver to ${domain} until its mail server accepts connections on port 25.`);
    case "connection_timed_out":
      return mk("connection_timed_out", "Connection timed out", `${detail} A firewall may be dropping connections to port 25, or the server is down.`);
    case "connection_failed":
      return mk("connection_failed", "Could not deliver", detail);
    case "smtp_refused":
      return mk("smtp_refused", "Refused by the mail server", `${mxHost} refused the message: ${detail}`);
    case "smtp_deferred":
      return mk("smtp_deferred", "Deferred by the mail server", `${mxHost} answered with a temporary failure: ${detail}. Real senders would retry for days; the test stops here.`);
    case "invalid_target":
      return mk("invalid_target", "Not sent", detail);
    default:
      return mk("internal", "Not sent", "An unexpected error stopped the delivery. Try again; if it keeps happening, the console's log has the details.");
  }
}

function refusalDiagnosis(refusal: GatewayRefusal, row: TraceRow): TraceDiagnosis {
  const where = row.viaRedirect ? "Your mail server passed the message on, but our gateway refused it" : "Our gateway refused the message";
  if (refusal.reason === "no_route") {
    return { code: "refused_no_route", title: "No route at our gateway", message: `${where}: ${refusal.explanation} (reply: ${refusal.reply})`, redirectRule: null };
  }
  if (refusal.reason === "domain_not_verified") {
    return { code: "refused_not_verified", title: "Domain not verified", message: `${where}: ${refusal.explanation} (reply: ${refusal.reply})`, redirectRule: null };
  }
  return { code: "refused_other", title: "Refused by our gateway", message: `${where}: ${refusal.explanation} (reply: ${refusal.reply})`, redirectRule: null };
}

export function buildTrace(row: TraceRow, evidence: TraceEvidence, context: { now: Date; timeoutMs: number }): TestMessageTrace {
  const deadline = new Date((row.sentAt ?? row.createdAt).getTime() + context.timeoutMs);
  const expired = context.now.getTime() > deadline.getTime();
  const arrived = evidence.messages.find((message) => message.deliveries.length > 0) ?? null;
  const delivery = arrived ? (arrived.deliveries.find((entry) => entry.routeAddress === row.routeAddress) ?? arrived.deliveries[0]!) : null;
  const refusal = arrived ? null : (evidence.refusals[0] ?? null);

  const mx = mxStage(row, expired);
  const smtp = smtpStage(row, mx);
  const sent = row.status === "sent";
  const waitingAtGateway: StageStatus = sent || refusal ? (expired ? "failed" : "running") : row.status === "failed" ? "skipped" : "waiting";

  let hops: TraceStage;
  let arrival: TraceStage;
  let routeStage: TraceStage;
  let queue: TraceStage;
  const notYet = "Not yet.";
  if (arrived && delivery) {
    const hopDetails = arrived.hops.map(hopLine);
    hops = stage(
      "hops",
      "done",
      arrived.hops.length === 0
        ? "Straight to our gateway: no other server in between."
        : `Through ${arrived.hops.map((hop) => hostOf(hop.by) ?? "a server").join(" → ")} before our gateway.`,
      // A Received time has whole seconds; with no hop in between, the path ended at our gateway.
      { at: arrived.hops.at(-1)?.at ?? arrived.receivedAt.toISOString(), details: hopDetails },
    );
    arrival = stage("arrival", "done", `Received by our gateway and stored as message ${arrived.id}.`, { at: arrived.receivedAt.toISOString() });
    const original = delivery.originalRecipient ? [`Originally sent to ${delivery.originalRecipient}.`] : [];
    routeStage = stage("route", "done", `${delivery.routeAddress}`, { at: arrived.receivedAt.toISOString(), details: [`Envelope recipient ${delivery.recipient}.`, ...original] });
    queue = stage(
      "queue",
      delivery.status === "queued" ? "done" : "warning",
      delivery.status === "queued"
        ? `Queued in ${delivery.queueName}.`
        : delivery.status === "spam"
          ? `Filed in the spam queue ${delivery.queueName}: the sender's DMARC check failed.`
          : `Queued in ${delivery.queueName}, flagged as spam: the sender's DMARC check failed.`,
      { at: arrived.receivedAt.toISOString() },
    );
  } else if (refusal) {
    hops = stage("hops", row.viaRedirect ? "done" : "skipped", row.viaRedirect ? "Your mail server passed it on to our gateway." : "Straight to our gateway.");
    arrival = stage("arrival", "failed", refusal.reply, { at: refusal.createdAt.toISOString(), details: [refusal.explanation] });
    routeStage = stage("route", "failed", refusal.reason === "no_route" ? `No route for ${refusal.recipient ?? row.routeAddress}.` : "Not reached.");
    queue = stage("queue", "skipped", "Not reached.");
  } else {
    const running = waitingAtGateway === "running";
    const waitSummary = running ? (row.viaRedirect ? "Waiting for your mail server to pass it on…" : "Waiting for the message to reach our gateway…") : notYet;
    hops = stage("hops", waitingAtGateway, expired && sent ? "Never seen at our gateway." : waitSummary);
    arrival = stage("arrival", waitingAtGateway === "running" ? "waiting" : waitingAtGateway, expired && sent ? `Not received within ${minutes(context.timeoutMs)}.` : notYet);
    if (arrival.status === "failed") hops = { ...hops, status: "skipped", summary: "Not seen." };
    routeStage = stage("route", row.status === "failed" || (expired && sent) ? "skipped" : "waiting", row.status === "failed" ? "Not reached." : notYet);
    queue = stage("queue", routeStage.status, routeStage.summary);
  }

  let state: TraceState;
  let diagnosis: TraceDiagnosis | null = null;
  // Our gateway stores a message before it answers 250, so a direct delivery is seen arriving a
  // moment before the console has its reply: the trace ends once the reply is recorded too (or, if
  // the sender never recorded it, at the deadline).
  if (arrived && delivery && row.status === "sending" && !expired) {
    state = "in_progress";
  } else if (arrived && delivery) {
    state = "delivered";
    diagnosis =
      delivery.status === "queued"
        ? {
            code: "delivered",
            title: `Delivered to ${delivery.queueName}`,
            message: `The test message reached ${delivery.routeAddress} and was queued in ${delivery.queueName}${row.viaRedirect ? `, redirected by your mail server from ${row.targetAddress}` : ""}.`,
            redirectRule: null,
          }
        : {
            code: "delivered_spam",
            title: `Delivered to ${delivery.queueName}, as spam`,
            message: row.viaRedirect
              ? `Your redirect works: the message reached ${delivery.routeAddress} through it. Our gateway treated it as spam because the DMARC check of the console's own sending domain failed: ` +
                "a redirect passes the message on from your mail server's address, which that domain's SPF record does not list, and no valid DKIM signature of that domain made up for it. " +
                "Nothing needs changing on your side; your customers' mail passes DMARC through the redirect when their domains sign it."
              : `The message reached ${delivery.routeAddress}, but our gateway treated it as spam because the DMARC check of the console's sending domain failed: its SPF record must allow the console's servers.`,
            redirectRule: null,
          };
  } else if (refusal) {
    state = "failed";
    diagnosis = refusalDiagnosis(refusal, row);
  } else if (row.status === "failed") {
    state = "failed";
    diagnosis = failureDiagnosis(row);
  } else if (expired) {
    state = "timed_out";
    diagnosis = timeoutDiagnosis(row, context.timeoutMs);
  } else {
    state = "in_progress";
  }

  const stages = [mx, smtp, hops, arrival, routeStage, queue];
  // Once the trace has ended, nothing is still under way: what was running stopped there.
  const ended = state === "failed" || state === "timed_out";
  const settled = ended
    ? stages.map((entry) => (entry.status === "running" ? { ...entry, status: "failed" as const } : entry.status === "waiting" ? { ...entry, status: "skipped" as const } : entry))
    : stages;

  return {
    id: row.id,
    targetAddress: row.targetAddress,
    routeAddress: row.routeAddress,
    viaRedirect: row.viaRedirect,
    scenario: row.scenario,
    domainId: row.domainId,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdByEmail,
    status: row.status,
    state,
    deadline: deadline.toISOString(),
    stages: settled,
    logPath: arrived && delivery ? `/messages/${arrived.id}` : refusal ? `/messages/refusals/${refusal.id}` : null,
    hops: (arrived?.hops ?? []).map((hop) => ({ from: hop.from, by: hop.by, with: hop.with, for: hop.for, ip: hop.ip, at: hop.at, delaySeconds: hop.delaySeconds })),
    diagnosis,
  };
}

function timeoutDiagnosis(row: TraceRow, timeoutMs: number): TraceDiagnosis {
  const wait = minutes(timeoutMs);
  if (row.status !== "sent") {
    return {
      code: "not_sent",
      title: "Not sent",
      message: `The console did not finish sending the test message within ${wait}: no background worker took it (check /api/health: a worker must run, in the web instance or as \`npm run worker\`).`,
      redirectRule: null,
    };
  }
  const accepted = row.smtp?.attempts.at(-1);
  const server = accepted ? `${accepted.exchange} (${accepted.address})` : "the recipient's mail server";
  if (row.viaRedirect) {
    return {
      code: "redirect_missing",
      title: "Never reached our gateway: the redirect rule is probably missing",
      message: `Your mail server ${server} accepted the message for ${row.targetAddress}, but it did not reach our gateway within ${wait}. Your mail server must keep its copy and pass the same message on to ${row.routeAddress}; this is the rule it needs.`,
      redirectRule: { from: row.targetAddress, to: row.routeAddress },
    };
  }
  const ours = row.mx?.exchangers.find((exchanger) => exchanger.exchange === accepted?.exchange)?.ours ?? false;
  return {
    code: "not_arrived",
    title: "Never reached our gateway",
    message: ours
      ? `${server} accepted the message, but no message with its token was stored within ${wait}.`
      : `${server} accepted the message, but it is not one of our inbound hosts and did not pass the message on within ${wait}: the MX records of ${domainOf(row.targetAddress)} must point at our inbound hosts.`,
    redirectRule: null,
  };
}
