import { Fragment } from "react";

/**
 * An email address or domain name that, when it must wrap, wraps after its @ and before its dots
 * ("team01@help" / ".hooli.test"), not inside a label ("team01@help.h" / "ooli.test"). The break
 * opportunities are <wbr> elements: the text, its copy and what tests read stay the address as is.
 */
export function WrappableName({ value }: { value: string }) {
  const pieces = value.split(/(?=\.)|(?<=@)/);
  return (
    <>
      {pieces.map((piece, index) => (
        <Fragment key={index}>
          {index > 0 ? <wbr /> : null}
          {piece}
        </Fragment>
      ))}
    </>
  );
}
