import type { Diagnosis } from "../report";
import type { DkimTagProblem } from "../txt";
import { dkimPublicKey, dkimTagProblems, isDkimRecord, parseTagList } from "../txt";
import type { TxtContext } from "./txt-rules";
import { quote, shorten } from "./context";

type DkimContext = TxtContext & { expected: { kind: "dkim" } };

/** What is wrong with the DKIM key records at the selector beyond their key: tags receivers act on. */
export function dkimDiagnoses(ctx: TxtContext): Diagnosis[] {
  if (ctx.expected.kind !== "dkim") return [];
  const dkim = ctx as DkimContext;
  return [...otherKeys(dkim), ...keyTags(dkim)];
}

function dkimValues(ctx: DkimContext): string[] {
  return ctx.records.flatMap((r) => (r.type === "TXT" && isDkimRecord(r.value) ? [r.value] : []));
}

/**
 * Our key published next to another DKIM key record at the selector: receivers pick one of them
 * (RFC 6376 §3.6.2.2 leaves which undefined), and our signatures fail whenever it is the other.
 * Without our key among them, the "different key" advice says what to do instead.
 */
function otherKeys(ctx: DkimContext): Diagnosis[] {
  const key = dkimPublicKey(ctx.expected.value);
  const values = dkimValues(ctx);
  const ours = values.filter((value) => dkimPublicKey(value) === key);
  const others = values.filter((value) => dkimPublicKey(value) !== key);
  if (ours.length === 0 || others.length === 0) return [];
  const listed = others.map((v) => quote(shorten(v))).join(", ");
  return [
    {
      code: "dkim_multiple_keys",
      severity: "error",
      message: `${ctx.name} has ${values.length} DKIM key records: ours and ${listed}. Receivers may use any one of them, and our signatures fail against another key. Delete ${listed} and keep only ours, ${quote(shorten(ctx.expected.value))}.`,
      details: { ours, others },
    },
  ];
}

/**
 * Tags of a record that carries our key and still keeps receivers from using it (RFC 6376 §3.6.1):
 * a hash or service list that leaves us out, another key type, a repeated tag, testing mode; and
 * `v=` written after other tags, which strict verifiers reject. A record with another key gets the
 * "different key" advice instead: its whole value is to be replaced.
 */
function keyTags(ctx: DkimContext): Diagnosis[] {
  const key = dkimPublicKey(ctx.expected.value);
  return dkimValues(ctx)
    .filter((value) => dkimPublicKey(value) === key)
    .flatMap((value) =>
      dkimTagProblems(value, ctx.expected.value).map(
        (problem): Diagnosis => ({
          code: "dkim_key_tag",
          severity: problem.effect === "strict" ? "warning" : "error",
          message: tagMessage(ctx, problem),
          details: { tag: problem.tag, value: problem.value, effect: problem.effect, found: value },
        }),
      ),
    );
}

function tagMessage(ctx: DkimContext, problem: DkimTagProblem): string {
  const at = `The DKIM record at ${ctx.name}`;
  const tag = quote(`${problem.tag}=${problem.value}`);
  const publish = `publish ${quote(shorten(ctx.expected.value))}`;
  switch (problem.kind) {
    case "hash":
      return `${at} has ${tag}, which does not allow sha256: we sign with rsa-sha256, so receivers ignore the key and fail every signature. Remove ${tag} (or ${publish}).`;
    case "service":
      return `${at} has ${tag}, which includes neither email nor *: receivers ignore the key for mail and fail every signature. Remove ${tag} (or ${publish}).`;
    case "key_type":
      return `${at} has ${tag}, but the key in p= is of type ${keyType(ctx)}: receivers cannot use it and fail every signature. Change it to ${quote(`k=${keyType(ctx)}`)} (or ${publish}).`;
    case "repeated_tag":
      return `${at} has the tag ${quote(`${problem.tag}=`)} more than once (${problem.value}): receivers reject the whole record as invalid and fail every signature. Keep one: ${publish}.`;
    case "testing":
      return `${at} has ${tag} (testing mode): receivers treat mail we sign as unsigned, so DKIM does not count for your domain while it is there. Remove ${quote("t=y")} when you are done testing.`;
    case "version_not_first":
      return `${at} has ${quote("v=DKIM1")}, but not as its first tag: strict receivers discard such a record. Put ${quote("v=DKIM1")} first: ${publish}.`;
  }
}

/** The key type we asked for (RFC 6376: rsa when k= is left out). */
function keyType(ctx: DkimContext): string {
  return parseTagList(ctx.expected.value).get("k") ?? "rsa";
}
