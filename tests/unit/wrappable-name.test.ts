import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { WrappableName } from "@/components/ui/wrappable-name";

const markup = (value: string) => renderToStaticMarkup(createElement(WrappableName, { value }));
/** The markup with each unbreakable piece written [piece]. */
const pieces = (value: string) => markup(value).replace(/<span class="whitespace-nowrap">([^<]*)<\/span>/g, "[$1]");

describe("WrappableName", () => {
  it("lets an address wrap after its @ and before each dot, nowhere else (not after a hyphen)", () => {
    expect(pieces("team01@help-desk.hooli.test")).toBe("[team01@]<wbr/>[help-desk]<wbr/>[.hooli]<wbr/>[.test]");
    expect(pieces("help.hooli.test")).toBe("[help]<wbr/>[.hooli]<wbr/>[.test]");
  });

  it("lets a piece longer than a phone's column wrap inside, rather than overflow", () => {
    const label = `a${"-b".repeat(20)}`;
    expect(pieces(`${label}.test`)).toBe(`${label}<wbr/>[.test]`);
  });

  it("leaves a name without @ or dots whole, and keeps every character of the address", () => {
    expect(pieces("postmaster")).toBe("[postmaster]");
    expect(markup("first.last@sub.example.test").replace(/<[^>]*>/g, "")).toBe("first.last@sub.example.test");
  });
});
