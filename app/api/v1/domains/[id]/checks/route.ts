// Thin adapter: lib/api/v1/resources/domains.ts
import { checkDomainEndpoint } from "@/lib/api/v1/resources/domains";

export const dynamic = "force-dynamic";

export const POST = checkDomainEndpoint;
