/**
 * `npm run user:create -- --org acme --email jo@acme.example --name "Jo Bloggs" --permission routing:email:manage`
 * Creates a user. The password comes from --password, or the ERC_NEW_USER_PASSWORD variable (which
 * keeps it out of the shell history). --permission may be repeated.
 */
import { createUser } from "@/lib/accounts/accounts";
import { userInputSchema } from "@/lib/accounts/schemas";

import { parseCliArgs, runCli, UsageError, withCommandDb } from "./cli";
import { formatIssues } from "./format-issues";

const USAGE = `Usage: npm run user:create -- --org <slug> --email <email> --name <name> [--password <password>] [--permission <permission>]...

  --org         The organisation's slug
  --email       Sign-in email address
  --name        Display name
  --password    At least 12 characters (or set ERC_NEW_USER_PASSWORD instead)
  --permission  routing:email:manage or routing:email:view (repeat for several; none = no access)`;

runCli(async () => {
  const { values } = parseCliArgs(
    {
      org: { type: "string" },
      email: { type: "string" },
      name: { type: "string" },
      password: { type: "string" },
      permission: { type: "string", multiple: true },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const parsed = userInputSchema.safeParse({
    organizationSlug: values.org ?? "",
    email: values.email ?? "",
    name: values.name ?? "",
    password: values.password ?? process.env.ERC_NEW_USER_PASSWORD ?? "",
    permissions: values.permission ?? [],
  });
  if (!parsed.success) {
    throw new UsageError(
      formatIssues(parsed.error, { organizationSlug: "--org", email: "--email", name: "--name", password: "--password", permissions: "--permission" }),
      USAGE,
    );
  }
  const user = await withCommandDb((db) => createUser(db, parsed.data));
  const access = user.permissions.length > 0 ? user.permissions.join(", ") : "no email routing permission";
  console.log(`Created user ${user.email} (${access}).`);
});
