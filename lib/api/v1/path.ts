import { NotFoundError } from "@/lib/errors";

/** An id from the URL: anything that is not a uuid names nothing (404), as another organisation's id does. */
export function pathId(value: string, noun: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new NotFoundError(`This ${noun} does not exist, or it was deleted.`);
  }
  return value.toLowerCase();
}
