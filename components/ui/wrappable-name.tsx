import { Fragment } from "react";

/**
 * Longer pieces than this may still wrap inside (a 63-character label would not fit a phone's
 * column otherwise); shorter ones are kept whole.
 */
const UNBROKEN_MAX = 30;

/**
 * An email address or domain name that, when it must wrap, wraps after its @ and before its dots
 * ("team01@help" / ".hooli.test"), not inside a label ("team01@help.h" / "ooli.test") and not after
 * a hyphen in one ("help-" / "desk.acme.com" reads as two names). The break opportunities are
 * <wbr> elements: the text, its copy and what tests read stay the address as is.
 */
export function WrappableName({ value }: { value: string }) {
  const pieces = value.split(/(?=\.)|(?<=@)/);
  return (
    <>
      {pieces.map((piece, index) => (
        <Fragment key={index}>
          {index > 0 ? <wbr /> : null}
          {piece.length <= UNBROKEN_MAX ? <span className="whitespace-nowrap">{piece}</span> : piece}
        </Fragment>
      ))}
    </>
  );
}
