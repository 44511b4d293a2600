// Thin adapter: lib/api/v1/resources/domains.ts
import { listDomainsEndpoint, registerDomainEndpoint } from "@/lib/api/v1/resources/domains";

export const dynamic = "force-dynamic";

export const GET = listDomainsEndpoint;
export const POST = registerDomainEndpoint;
