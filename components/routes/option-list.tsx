import type { Option } from "@/lib/routes/types";

/** The <option>s of a catalogue picker or filter, after an optional "none" choice. */
export function OptionList({ options, none }: { options: readonly Option[]; none?: string }) {
  return (
    <>
      {none === undefined ? null : <option value="">{none}</option>}
      {options.map((option) => (
        <option key={option.id} value={option.id}>
          {option.name}
        </option>
      ))}
    </>
  );
}
