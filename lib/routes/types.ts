/**
 * Routes as the console shows and exchanges them (pages, GET /api/routes, action results, the
 * import report, the route tester). Types only: client components use them without pulling in
 * server modules. The server side is lib/routes/queries.ts and lib/routes/commands/.
 */
import type { Scenario } from "@/lib/domains/types";
import type { Actor } from "@/lib/auth/sessions";

import type { HistoryInclusion, RouteFormField, RouteStatus } from "./schemas";
import type { DomainStatusName } from "./status";

export type { DomainStatusName } from "./status";
export type { HistoryInclusion, RouteStatus } from "./schemas";

/** Who is changing something: the audit entry names them. */
export type ChangeActor = Pick<Actor, "organizationId" | "userId" | "email">;

export interface RouteLimits {
  maxRoutesPerDomain: number;
}

/** A route as the console shows and edits it (safe to send to a browser). */
export interface RouteRow {
  id: string;
  version: number;
  domainId: string;
  /** The domain as admins read it (Unicode for internationalised names). */
  domainName: string;
  domainStatus: DomainStatusName;
  status: RouteStatus;
  pattern: string;
  /** pattern@domain, for display. */
  address: string;
  queueId: string;
  queueName: string;
  priority: number;
  skillIds: string[];
  skillNames: string[];
  languageId: string | null;
  languageName: string | null;
  fromName: string;
  fromEmail: string | null;
  replyRouteId: string | null;
  replyAddress: string | null;
  autoBcc: string[];
  historyInclusion: HistoryInclusion;
  allowMultipleActions: boolean;
  spamQueueId: string | null;
  spamQueueName: string | null;
  updatedAt: string;
}

/** What a refused stale save sends back, so the admin sees what changed and by whom. */
export interface StaleRoute {
  route: RouteRow;
  changedBy: string | null;
  /**
   * The fields both admins changed to different values (the rest merged on the server). Empty when
   * the save sent no base to merge from (it is then refused as a whole).
   */
  conflicts: RouteFormField[];
}

/** One page of the routes list. */
export interface RoutePage {
  rows: RouteRow[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

/** A page of routes as GET /api/routes sends it: with each route's messages of the last 7 days (absent when none). */
export type RouteListPage = RoutePage & { recentMessages?: Record<string, number> };

/** A page of the list without its total: what is read before the count is in. */
export type RouteRowsPage = Omit<RouteListPage, "total" | "pageCount">;

/**
 * A page of the list as the routes workspace holds it: from GET /api/routes, or the page the server
 * rendered, whose total the server streams after the rows (a promise until the count is in).
 */
export type RoutesViewPage = RouteRowsPage & { total: number | Promise<number> };

/** A name and id from a catalogue, for pickers and filters. */
export interface Option {
  id: string;
  name: string;
}
export interface DomainOption extends Option {
  status: DomainStatusName;
}
/** What the route form and the filters choose from. */
export interface RouteLookups {
  domains: DomainOption[];
  queues: Option[];
  skills: Option[];
  languages: Option[];
}

/** A route as export writes it (JSON; CSV has the same columns). */
export interface ExportedRoute {
  id: string;
  address: string;
  domain: string;
  pattern: string;
  queue: string;
  priority: number;
  skills: string[];
  language: string | null;
  fromName: string;
  fromEmail: string | null;
  replyEmailAddress: string | null;
  autoBcc: string[];
  historyInclusion: string;
  allowMultipleActions: boolean;
  spamQueue: string | null;
  status: string;
  version: number;
  updatedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Import.

export type CsvColumn =
  | "domain"
  | "pattern"
  | "queue"
  | "priority"
  | "skills"
  | "language"
  | "fromName"
  | "fromEmail"
  | "replyEmailAddress"
  | "autoBcc"
  | "historyInclusion"
  | "allowMultipleActions"
  | "spamQueue";

export interface ImportIssue {
  line: number;
  column: CsvColumn | null;
  message: string;
}

export interface ImportReport {
  rowCount: number;
  validCount: number;
  /** Lines with at least one problem. */
  errorLineCount: number;
  issues: ImportIssue[];
  /** More problems were found than are listed. */
  issuesTruncated: boolean;
  fileErrors: string[];
  ignoredColumns: string[];
  /** Routes the file would add, per domain. */
  domains: { name: string; count: number }[];
  /** Set by an apply: how many routes were created (0 when anything was wrong). */
  created: number;
  applied: boolean;
}

// ---------------------------------------------------------------------------------------------
// The route tester.

/**
 * Where mail to an address goes (lib/routes/address-resolution.ts): routed, or why not.
 */
export type AddressOutcome = "routed" | "invalid_address" | "unknown_domain" | "domain_not_verified" | "domain_error" | "no_route";
export type TestOutcome = AddressOutcome;


export interface TestedRoute {
  id: string;
  address: string;
  queueName: string;
  spamQueueName: string | null;
  priority: number;
  skills: string[];
  language: string | null;
  status: RouteStatus;
}

export interface RedirectAdvice {
  /** The address customers write to, at the admin's own mail system; null when we cannot know it. */
  from: string | null;
  /** How to describe `from` when it is unknown, e.g. "support@<your own domain>". */
  fromPlaceholder: string;
  /** The registered address the rule must pass each message on to (while keeping the original delivery). */
  to: string;
  scenario: "own_domain_with_copies" | "platform_domain_with_copies";
}

export interface TestedDomain {
  id: string;
  name: string;
  status: DomainStatusName;
  scenario: Scenario;
}

/** For an address on the admin's own mail system: a registered address its redirect could reach. */
export interface RedirectTarget {
  to: string;
  domain: TestedDomain;
  route: TestedRoute | null;
}

export interface AddressTestResult {
  input: string;
  address: string | null;
  outcome: TestOutcome;
  /** One sentence an admin reads first. */
  summary: string;
  domain: TestedDomain | null;
  route: TestedRoute | null;
  /** Near misses on the same domain ("did you mean"). */
  suggestions: string[];
  redirect: RedirectAdvice | null;
  redirectTargets: RedirectTarget[];
}
