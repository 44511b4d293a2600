// Thin adapter: lib/api/v1/resources/configuration.ts
import { exportConfigurationEndpoint } from "@/lib/api/v1/resources/configuration";

export const dynamic = "force-dynamic";

export const GET = exportConfigurationEndpoint;
