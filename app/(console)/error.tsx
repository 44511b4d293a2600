"use client";

// A console page failed to render. This boundary sits below the console's layout, so the header
// and navigation stay around the same notice every page gets.
export { default } from "../error";
