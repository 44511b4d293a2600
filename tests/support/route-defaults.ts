/**
 * What a route holds when the form sends only domain, pattern, queue and from name: the defaults
 * the wizard relies on. Written out here, not read from lib/routes, so a changed default fails a test.
 */
export const DOCUMENTED_ROUTE_DEFAULTS = {
  priority: 5,
  skillIds: [],
  languageId: null,
  fromEmail: null,
  replyRouteId: null,
  autoBcc: [],
  historyInclusion: "Optional",
  allowMultipleActions: false,
  spamQueueId: null,
} as const;
