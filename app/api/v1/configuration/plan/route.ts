// Thin adapter: lib/api/v1/resources/configuration.ts
import { planConfigurationEndpoint } from "@/lib/api/v1/resources/configuration";

export const dynamic = "force-dynamic";

export const POST = planConfigurationEndpoint;
