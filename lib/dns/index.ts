/**
 * DNS verification engine: proves that a domain publishes the records an administrator
 * was asked to add, and explains precisely what is wrong when it does not. Plain Node
 * library (node built-ins, dns-packet, tr46 for UTS #46 names); see docs/dns-engine.md. Its address
 * classification (./addresses) is also the webhook sender's, so the two policies share one table.
 */
export type { ExpectedKind, ExpectedRecord, VerificationInput } from "./expected";
export { parseExpectedRecords } from "./expected";
export type { VerifyOptions } from "./verify";
export type { CachedZoneCut, DnsCacheOptions, DnsCacheStats } from "./cache";
export { DnsCache } from "./cache";
export { verifyDomainRecords } from "./verify";
export type {
  Diagnosis,
  DiagnosisCode,
  JsonValue,
  NameserverReport,
  RecordCheck,
  ServerCheck,
  Severity,
  Verdict,
  VerificationReport,
  VerificationSummary,
} from "./report";
export { describeExpected, formatReportTable, groupVerdict, reportExitCode } from "./report";
export type { AddressClass, AddressInfo, AddressRefusal, NameserverAddressPolicy } from "./addresses";
export { ADDRESS_CLASS_DESCRIPTIONS, classifyAddress, describeAddress, nameserverAddressRefusal } from "./addresses";
export type { ParseResult, ServerAddress } from "./servers";
export { formatServerAddress, parseResolvConf, parseServerList, readSystemResolvers } from "./servers";
export type { DomainNameKind, DomainNameResult, MappedText } from "./idna";
export { domainNameToAscii, findInvisibleCharacter, mapDomainText } from "./idna";
export type { NameResult } from "./names";
export { InvalidNameError, isIpLiteral, isSubdomainOf, nameAndAncestors, normalizeName, relativeName, sameName, toAsciiName, tryAsciiName } from "./names";
export type { CnameLink, DnsRecord, LookupOutcome, OutcomeKind, QueryType } from "./types";
export { isErrorOutcome } from "./types";
export type { LookupOptions } from "./lookup";
export { DEFAULT_MAX_CNAME_DEPTH, lookup, QuerySession } from "./lookup";
export type { ExchangeOptions, ExchangeResult } from "./transport";
export { exchange } from "./transport";
export type { ParsedReply, ReplyMatch } from "./wire";
export { EDNS_UDP_PAYLOAD, encodeQuery, matchReply } from "./wire";
export type { TxtValue } from "./txt";
export { dkimPublicKey, findConcatenation, hasLiteralQuotes, joinTxtStrings, parseTagList, stripLiteralQuotes, toTxtValue } from "./txt";
export type {
  SpfContributor,
  SpfEvaluatedTerm,
  SpfEvaluation,
  SpfFetcher,
  SpfFetchResult,
  SpfIncludePlacement,
  SpfLookupCount,
  SpfRecord,
  SpfTerm,
} from "./spf";
export {
  countSpfLookups,
  isSpfRecord,
  locateSpfInclude,
  mergeSpfRecords,
  parseSpf,
  SPF_LOOKUP_LIMIT,
  spfEvaluationOrder,
  spfIncludes,
  spfWithIncludeFirst,
} from "./spf";
export type { NodeResolverOptions, NodeStyleResolver } from "./node-resolver";
export { createNodeStyleResolver, DnsResolveError, ResolverCache, withResolverDeadline } from "./node-resolver";
export type { MailExchanger, MxLookup } from "./mx";
export { findMailExchangers } from "./mx";
