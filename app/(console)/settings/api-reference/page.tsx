import type { Metadata } from "next";

import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CodeText } from "@/components/ui/code-text";
import { Link } from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { readApiReference } from "@/lib/api/v1/reference";
import { requirePageAccess } from "@/lib/auth/gate";

export const metadata: Metadata = { title: "API reference" };

const METHOD_TONES = { GET: "info", POST: "success", PATCH: "warning", PUT: "warning", DELETE: "danger" } as const;

export default async function ApiReferencePage() {
  await requirePageAccess("view");
  const reference = readApiReference();
  return (
    <>
      <PageHeader
        title="API reference"
        description={
          <>
            {reference.title} {reference.version}: every endpoint under <code className="text-xs">/api/v1</code>, described from the same OpenAPI 3.1
            document it serves at{" "}
            <a className="text-brand-700 underline" href="/api/v1/openapi.json">
              /api/v1/openapi.json
            </a>
            . Requests carry <code className="text-xs">Authorization: Bearer &lt;key&gt;</code>; create a key on{" "}
            <Link className="text-brand-700 underline" href="/settings/api-keys">
              API keys
            </Link>
            .
          </>
        }
      />
      <nav aria-label="Sections" className="mb-6 flex flex-wrap gap-2">
        {reference.sections.map((section) => (
          <a key={section.tag} href={`#${section.tag.toLowerCase().replace(/\W+/g, "-")}`} className="rounded-full bg-slate-100 px-3 py-1 text-sm text-slate-700 hover:bg-slate-200">
            {section.tag}
          </a>
        ))}
      </nav>
      <div className="space-y-6">
        {reference.sections.map((section) => (
          <section key={section.tag} id={section.tag.toLowerCase().replace(/\W+/g, "-")} aria-label={section.tag}>
            <Card>
              <CardHeader title={section.tag} description={section.description ? <CodeText text={section.description} /> : undefined} />
              <CardBody className="divide-y divide-slate-200 p-0">
                {section.operations.map((operation) => (
                  <article key={operation.id} className="space-y-3 px-4 py-4" aria-label={`${operation.method} ${operation.path}`}>
                    <h3 className="flex min-w-0 flex-wrap items-center gap-2 text-sm font-semibold text-slate-900">
                      <Badge tone={METHOD_TONES[operation.method as keyof typeof METHOD_TONES] ?? "neutral"}>{operation.method}</Badge>
                      <code className="break-all">{operation.path}</code>
                    </h3>
                    {operation.summary ? (
                      <p className="text-sm text-slate-800">
                        <CodeText text={operation.summary} />
                      </p>
                    ) : null}
                    {operation.description ? (
                      <p className="text-sm text-slate-600">
                        <CodeText text={operation.description} />
                      </p>
                    ) : null}
                    {operation.fields.length > 0 ? (
                      <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[minmax(10rem,auto)_1fr]">
                        {operation.fields.map((field) => (
                          <div key={`${field.where}-${field.name}`} className="contents">
                            <dt className="min-w-0 break-all font-mono text-xs text-slate-900">
                              {field.name}
                              <span className="ml-1 font-sans text-slate-600">
                                ({field.where}
                                {field.required ? ", required" : ""})
                              </span>
                            </dt>
                            <dd className="mb-2 min-w-0 break-words text-slate-700 sm:mb-0">
                              <span className="font-mono text-xs text-slate-600">{field.type}</span>
                              {field.description ? (
                                <>
                                  {" — "}
                                  <CodeText text={field.description} />
                                </>
                              ) : null}
                            </dd>
                          </div>
                        ))}
                      </dl>
                    ) : null}
                    <p className="text-xs text-slate-600">
                      Answers:{" "}
                      {operation.responses.map((response, index) => (
                        <span key={response.status}>
                          {index > 0 ? "; " : ""}
                          <strong>{response.status}</strong> <CodeText text={response.description} />
                        </span>
                      ))}
                    </p>
                  </article>
                ))}
              </CardBody>
            </Card>
          </section>
        ))}
      </div>
    </>
  );
}
