// Host tags as the appliance accepts them (src/poll/fields.rs, `Tags`): at most 16, each 1 to
// 32 characters of [A-Za-z0-9_.:=-], duplicates dropped. Typed as one line, separated by
// commas or spaces.
export const MAX_TAGS = 16;
export const MAX_TAG_LENGTH = 32;
const TAG = /^[A-Za-z0-9_.:=-]{1,32}$/;

export type TagProblem = { kind: "invalid"; tag: string } | { kind: "tooMany"; count: number };

/// `"db, rack:3  db"` → `["db", "rack:3"]`: split on commas and white space, empties and
/// duplicates dropped, order kept.
export function splitTags(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\s,]+/)) {
    if (part && !out.includes(part)) out.push(part);
  }
  return out;
}

/// The first thing the appliance would refuse, or null.
export function checkTags(tags: readonly string[]): TagProblem | null {
  const bad = tags.find((t) => !TAG.test(t));
  if (bad !== undefined) return { kind: "invalid", tag: bad };
  if (tags.length > MAX_TAGS) return { kind: "tooMany", count: tags.length };
  return null;
}

export function parseTags(text: string): { tags: string[]; problem: TagProblem | null } {
  const tags = splitTags(text);
  return { tags, problem: checkTags(tags) };
}

/// How a list of tags is written back into the one-line editor.
export function joinTags(tags: readonly string[]): string {
  return tags.join(", ");
}
