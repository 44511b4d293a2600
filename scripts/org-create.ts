/**
 * `npm run org:create -- --name "Initech" --slug initech --licence "Genesys Cloud CX 3"`
 * Creates an organisation. --licence may be repeated.
 */
import { createOrganization } from "@/lib/accounts/accounts";
import { organizationInputSchema } from "@/lib/accounts/schemas";
import { hasQualifyingLicence } from "@/lib/auth/permissions";

import { parseCliArgs, runCli, UsageError, withCommandDb } from "./cli";
import { formatIssues } from "./format-issues";

const USAGE = `Usage: npm run org:create -- --name <name> --slug <slug> [--licence <licence>]...

  --name      Display name, e.g. "Initech"
  --slug      Identifier: lower-case letters, digits and hyphens, e.g. initech
  --licence   A licence the organisation holds (repeat for several), e.g. "Genesys Cloud CX 3"`;

runCli(async () => {
  const { values } = parseCliArgs(
    { name: { type: "string" }, slug: { type: "string" }, licence: { type: "string", multiple: true } },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const parsed = organizationInputSchema.safeParse({ name: values.name ?? "", slug: values.slug ?? "", licences: values.licence ?? [] });
  if (!parsed.success) throw new UsageError(formatIssues(parsed.error, { licences: "--licence", name: "--name", slug: "--slug" }), USAGE);

  const organization = await withCommandDb((db) => createOrganization(db, parsed.data));
  console.log(`Created organisation ${organization.name} (${organization.slug}).`);
  if (!hasQualifyingLicence(organization.licences)) {
    console.log("Note: none of its licences includes email routing; its users will see the licence page.");
  }
});
