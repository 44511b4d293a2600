/**
 * Shapes the routes pages exchange with the server (API responses, action results). Types only, so
 * client components can use them without pulling in server modules.
 */
export type { RoutePage } from "./route-list";
export type { RouteRow, StaleRoute } from "./routes";
export type { AddressTestResult, RedirectAdvice, RedirectTarget, TestedRoute, TestOutcome } from "./route-tester";
export type { ImportIssue, ImportReport } from "./route-import";
