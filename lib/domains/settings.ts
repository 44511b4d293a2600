/**
 * What the platform asks every custom domain to publish, and what registering one needs. Domain
 * functions take these as arguments; whoever calls them (a server action, the worker, a script)
 * reads configuration (lib/config/env.ts) and passes them in, so lib/domains never imports it.
 */
export interface PlatformSettings {
  platformDomain: string;
  inboundHosts: { exchange: string; preference: number }[];
  spfInclude: string;
  dkimSelector: string;
  dmarcReportAddress: string;
  maxDomainsPerOrganization: number;
  /** Platform labels no organisation may take (normalised). */
  reservedPlatformLabels: readonly string[];
}

/** The label of the ownership TXT record under each custom domain. */
export const OWNERSHIP_LABEL = "_email-routing";
export const OWNERSHIP_VALUE_PREFIX = "email-routing-verification=";

/** The configuration entries the platform settings come from (lib/config/env.ts's AppConfig has them). */
export interface PlatformConfig {
  PLATFORM_DOMAIN: string;
  INBOUND_MX_HOSTS: { exchange: string; preference: number }[];
  SPF_INCLUDE: string;
  DKIM_SELECTOR: string;
  DMARC_REPORT_ADDRESS: string;
  MAX_DOMAINS_PER_ORGANIZATION: number;
  RESERVED_PLATFORM_LABELS: readonly string[];
  SECRETS_KEY?: string | undefined;
}

export function platformSettings(config: PlatformConfig): PlatformSettings {
  return {
    platformDomain: config.PLATFORM_DOMAIN,
    inboundHosts: config.INBOUND_MX_HOSTS,
    spfInclude: config.SPF_INCLUDE,
    dkimSelector: config.DKIM_SELECTOR,
    dmarcReportAddress: config.DMARC_REPORT_ADDRESS,
    maxDomainsPerOrganization: config.MAX_DOMAINS_PER_ORGANIZATION,
    reservedPlatformLabels: config.RESERVED_PLATFORM_LABELS,
  };
}

/** What registering a domain needs: the platform's settings and the key that seals its DKIM key. */
export interface DomainDependencies {
  settings: PlatformSettings;
  secretsKey: string;
  now?: Date;
}

export function domainDependencies(config: PlatformConfig): DomainDependencies {
  if (!config.SECRETS_KEY) {
    throw new Error("SECRETS_KEY is not set: DKIM keys cannot be stored. Start the console with `npm start`, or set SECRETS_KEY.");
  }
  return { settings: platformSettings(config), secretsKey: config.SECRETS_KEY };
}
