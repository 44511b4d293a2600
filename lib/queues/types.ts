/**
 * Queues, skills and languages (the Queues page) as the console shows them. Types only: client
 * components use them without pulling in server modules. The server side is lib/queues/queries.ts
 * and lib/queues/commands.ts.
 */
import type { CatalogueKind } from "./schemas";

export type { CatalogueKind } from "./schemas";

export interface CatalogueEntry {
  id: string;
  name: string;
  /** Queues only; "" for skills and languages. */
  description: string;
  version: number;
}

export interface CatalogueItem extends CatalogueEntry {
  /** Routes that use it (as queue or spam queue, skill, or language). */
  routeCount: number;
}

/** A row of the Queues page's tables. */
export interface CatalogueRow extends CatalogueItem {
  /** Queues: messages delivered into it in the last days (absent when none). */
  recentMessages?: number;
}

/** Up to a limit of addresses of the routes using an entry, and how many there are in all. */
export interface CatalogueUsage {
  addresses: string[];
  total: number;
}

/** The three catalogues, by kind. */
export type Catalogues<T> = Record<CatalogueKind, T>;

/** A refused save of an older version: the entry as it is now and the fields both admins changed. */
export interface StaleCatalogueEntry {
  entry: CatalogueEntry;
  conflicts: ("name" | "description")[];
}
