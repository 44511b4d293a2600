import { CheckCircle2, Clock, Pencil, Trash2, XCircle, type LucideIcon } from "lucide-react";

/**
 * The icons a table repeats on every row (edit, delete, a route's status), drawn once per document
 * as SVG symbols and referenced from each row with <use>. A 50-row routes page drew 150 inline
 * icons: 40% of its elements, each one built by lucide's component on every render.
 */
const ROW_ICONS = {
  edit: Pencil,
  delete: Trash2,
  active: CheckCircle2,
  pending: Clock,
  error: XCircle,
} satisfies Record<string, LucideIcon>;

export type RowIconName = keyof typeof ROW_ICONS;

const symbolId = (name: RowIconName) => `row-icon-${name}`;

/** The symbols, once per document (the root layout renders them). */
export function RowIconSymbols() {
  return (
    <svg aria-hidden="true" focusable="false" className="absolute size-0 overflow-hidden">
      {(Object.keys(ROW_ICONS) as RowIconName[]).map((name) => {
        const Icon = ROW_ICONS[name];
        return (
          <symbol key={name} id={symbolId(name)} viewBox="0 0 24 24">
            <Icon />
          </symbol>
        );
      })}
    </svg>
  );
}

/** One of the row icons; decorative (the button or badge it sits in carries the words). */
export function RowIcon({ name }: { name: RowIconName }) {
  return (
    <svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="24" height="24">
      <use href={`#${symbolId(name)}`} />
    </svg>
  );
}
