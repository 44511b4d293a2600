/** LIKE treats % and _ as wildcards; a search for "first_line" means the underscore itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
