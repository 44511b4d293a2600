/** How many pages `total` rows fill at `pageSize` a page: at least one, the page that says "no rows". */
export function pageCountOf(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
