import { readFile } from "node:fs/promises";

import { get_dmmf } from "@prisma/prisma-schema-wasm";
import { describe, expect, it } from "vitest";

import { getDb } from "@/lib/db/client";

/**
 * The migrated database must be exactly what prisma/schema.prisma describes: the Prisma client is
 * generated from the schema, the database from the SQL migrations, and nothing else ties them.
 */

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string | null;
  fields: { name: string }[];
}

const schema = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: await readFile("prisma/schema.prisma", "utf8") }))) as {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
    indexes: DmmfIndex[];
  };
};
const models = schema.datamodel.models;
const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
const columnOf = (model: DmmfModel, fieldName: string) => {
  const field = model.fields.find((candidate) => candidate.name === fieldName);
  return field?.dbName ?? fieldName;
};

/** Prisma types that always become the same column type, whatever their native type attribute. */
const SINGLE_COLUMN_TYPES: Record<string, string> = { BigInt: "bigint", Boolean: "boolean", Float: "double precision", Decimal: "numeric", Bytes: "bytea" };

/** How PostgreSQL's information_schema describes the column Prisma would create for a field. */
function expectedColumnType(field: DmmfField): { dataType: string; length?: number; precision?: number; udt?: string } {
  const [native, args] = field.nativeType ?? [undefined, []];
  const arg = args[0] !== undefined ? Number(args[0]) : undefined;
  if (field.kind === "enum") {
    const enumeration = schema.datamodel.enums.find((candidate) => candidate.name === field.type);
    return { dataType: "USER-DEFINED", udt: enumeration?.dbName ?? field.type };
  }
  switch (field.type) {
    case "String":
      if (native === "VarChar") return { dataType: "character varying", length: arg };
      if (native === "Uuid") return { dataType: "uuid" };
      if (native === "Char") return { dataType: "character", length: arg };
      if (native === "Inet") return { dataType: "inet" };
      return { dataType: "text" };
    case "Int":
      return { dataType: native === "SmallInt" ? "smallint" : "integer" };
    case "Json":
      return { dataType: native === "Json" ? "json" : "jsonb" };
    case "DateTime":
      if (native === "Timestamptz") return { dataType: "timestamp with time zone", precision: arg ?? 6 };
      if (native === "Date") return { dataType: "date" };
      return { dataType: "timestamp without time zone", precision: arg ?? 3 };
    default: {
      const dataType = SINGLE_COLUMN_TYPES[field.type];
      if (!dataType) throw new Error(`schema-drift test does not know Prisma type ${field.type}`);
      return { dataType };
    }
  }
}

const LIST_UDT: Record<string, string> = { text: "_text", "character varying": "_varchar", integer: "_int4", uuid: "_uuid", bigint: "_int8" };

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: "YES" | "NO";
  character_maximum_length: number | null;
  datetime_precision: number | null;
  element_type: string | null;
}
interface IndexRow {
  table_name: string;
  index_name: string;
  is_unique: boolean;
  is_primary: boolean;
  columns: string[];
}

async function readDatabase() {
  const db = getDb();
  const columns = await db.$queryRaw<ColumnRow[]>`
    SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable,
           c.character_maximum_length, c.datetime_precision, e.data_type AS element_type
      FROM information_schema.columns c
      LEFT JOIN information_schema.element_types e
        ON e.object_schema = c.table_schema AND e.object_name = c.table_name
       AND e.object_type = 'TABLE' AND e.collection_type_identifier = c.dtd_identifier
     WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'`;
  const indexes = await db.$queryRaw<IndexRow[]>`
    SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
           array_agg(a.attname ORDER BY k.ordinality)::text[] AS columns
      FROM pg_index ix
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ordinality) ON true
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
     GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary`;
  return { columns, indexes };
}

const { columns, indexes } = await readDatabase();
const enumLabels = await getDb().$queryRaw<{ name: string; labels: string[] }[]>`
  SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
    JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE n.nspname = 'public' GROUP BY t.typname`;

describe("the migrated database matches prisma/schema.prisma", () => {
  it("has exactly the schema's tables", () => {
    const tables = [...new Set(columns.map((column) => column.table_name))].sort();
    expect(tables).toEqual(models.map(tableOf).sort());
  });

  it("has exactly the schema's enums, with their values in order", () => {
    const expected = schema.datamodel.enums
      .map((enumeration) => ({
        name: enumeration.dbName ?? enumeration.name,
        labels: enumeration.values.map((value) => value.dbName ?? value.name),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect([...enumLabels].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected);
  });

  describe.each(models.map((model) => [model.name, model] as const))("%s", (_name, model) => {
    const table = tableOf(model);
    const scalarFields = model.fields.filter((field) => field.kind === "scalar" || field.kind === "enum");
    const tableColumns = columns.filter((column) => column.table_name === table);

    it("has exactly the schema's columns", () => {
      expect(tableColumns.map((column) => column.column_name).sort()).toEqual(scalarFields.map((field) => field.dbName ?? field.name).sort());
    });

    it.each(scalarFields.map((field) => [field.name, field] as const))("column for %s has the schema's type and nullability", (_field, field) => {
      const column = tableColumns.find((candidate) => candidate.column_name === (field.dbName ?? field.name));
      expect(column, `column ${field.dbName ?? field.name}`).toBeDefined();
      if (!column) return;
      const expected = expectedColumnType(field);
      if (field.isList) {
        expect(column.data_type).toBe("ARRAY");
        expect(column.udt_name).toBe(LIST_UDT[expected.dataType] ?? `_${expected.dataType}`);
        // Prisma creates list columns without NOT NULL.
        expect(column.is_nullable).toBe("YES");
        return;
      }
      expect(column.data_type).toBe(expected.dataType);
      if (expected.udt) expect(column.udt_name).toBe(expected.udt);
      if (expected.length !== undefined) expect(column.character_maximum_length).toBe(expected.length);
      if (expected.precision !== undefined) expect(column.datetime_precision).toBe(expected.precision);
      expect(column.is_nullable).toBe(field.isRequired ? "NO" : "YES");
    });

    it("has the schema's primary key, unique constraints and indexes (with Prisma's names)", () => {
      const expected = schema.datamodel.indexes
        .filter((index) => index.model === model.name && index.type !== "fulltext")
        .map((index) => {
          const cols = index.fields.map((field) => columnOf(model, field.name));
          const suffix = index.type === "id" ? "pkey" : index.type === "unique" ? "key" : "idx";
          const name = index.dbName ?? (index.type === "id" ? `${table}_pkey` : `${table}_${cols.join("_")}_${suffix}`);
          return { name, kind: index.type, columns: cols };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
      const actual = indexes
        .filter((index) => index.table_name === table)
        .map((index) => ({
          name: index.index_name,
          kind: index.is_primary ? "id" : index.is_unique ? "unique" : "normal",
          columns: index.columns,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      expect(actual).toEqual(expected);
    });
  });
});
