import { Fragment } from "react";

import { cn } from "./cn";

/**
 * Text whose `backticked` parts are names or values (the DNS engine's diagnoses, the OpenAPI
 * document's descriptions): those parts are shown as code, and the backticks themselves never are.
 * An unpaired backtick is kept as typed.
 */
export function CodeText({ text, codeClassName }: { text: string; codeClassName?: string }) {
  const parts = text.split("`");
  // An even number of parts means an odd number of backticks: the last one has no partner.
  const paired = parts.length % 2 === 1 ? parts : [...parts.slice(0, -2), `${parts.at(-2)}\`${parts.at(-1)}`];
  return (
    <>
      {paired.map((part, index) =>
        index % 2 === 1 ? (
          <code key={index} className={cn("rounded bg-slate-100 px-1 py-px font-mono text-[0.85em] text-slate-900 [overflow-wrap:anywhere]", codeClassName)}>
            {part}
          </code>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </>
  );
}
