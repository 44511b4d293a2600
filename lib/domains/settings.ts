import type { AppConfig } from "@/lib/config/env";

/** What the platform asks every custom domain to publish; from configuration (lib/config/env.ts). */
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

export function platformSettings(config: AppConfig): PlatformSettings {
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
