// Thin adapter: lib/api/v1/resources/domains.ts
import { deleteDomainEndpoint, getDomainEndpoint } from "@/lib/api/v1/resources/domains";

export const dynamic = "force-dynamic";

export const GET = getDomainEndpoint;
export const DELETE = deleteDomainEndpoint;
