import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { WrappableName } from "@/components/ui/wrappable-name";

const markup = (value: string) => renderToStaticMarkup(createElement(WrappableName, { value }));

describe("WrappableName", () => {
  it("lets an address wrap after its @ and before each dot, nowhere else", () => {
    expect(markup("team01@help.hooli.test")).toBe("team01@<wbr/>help<wbr/>.hooli<wbr/>.test");
    expect(markup("help.hooli.test")).toBe("help<wbr/>.hooli<wbr/>.test");
  });

  it("leaves a name without @ or dots as it is, and keeps every character of the address", () => {
    expect(markup("postmaster")).toBe("postmaster");
    expect(markup("first.last@sub.example.test").replace(/<wbr\/>/g, "")).toBe("first.last@sub.example.test");
  });
});
