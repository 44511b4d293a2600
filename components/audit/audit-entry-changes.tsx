import { diffAuditValues, type DiffKind } from "./audit-diff";

const KIND_LABEL: Record<DiffKind, string> = { added: "Added", removed: "Removed", changed: "Changed" };

/** Before and after of one audit entry, as a table of the fields that differ. */
export function AuditEntryChanges({ before, after }: { before: unknown; after: unknown }) {
  const rows = diffAuditValues(before, after);
  if (rows.length === 0) return <p className="text-sm text-slate-500">No field values recorded.</p>;
  const onlyAfter = before === null || before === undefined;
  const onlyBefore = after === null || after === undefined;
  return (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">Values before and after</caption>
      <thead className="text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th scope="col" className="py-1 pr-3 font-medium">Field</th>
          {onlyAfter ? null : <th scope="col" className="py-1 pr-3 font-medium">Before</th>}
          {onlyBefore ? null : <th scope="col" className="py-1 font-medium">After</th>}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row) => (
          <tr key={row.field} className="align-top">
            <th scope="row" className="py-1.5 pr-3 font-medium text-slate-700">
              {row.label}
              {onlyAfter || onlyBefore ? null : <span className="sr-only"> ({KIND_LABEL[row.kind]})</span>}
            </th>
            {onlyAfter ? null : (
              <td className="py-1.5 pr-3 break-all text-slate-600">
                {row.before ? <del className="decoration-red-400">{row.before}</del> : <span className="text-slate-400">—</span>}
              </td>
            )}
            {onlyBefore ? null : (
              <td className="py-1.5 break-all text-slate-900">
                {row.after ? <ins className="bg-emerald-50 no-underline">{row.after}</ins> : <span className="text-slate-400">—</span>}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
