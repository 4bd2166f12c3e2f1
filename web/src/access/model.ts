// Central accounts without React: a rule's hosts in words, the grant form's request, and
// the checks the appliance would make on a group name or a pasted public key, made first so
// the form can say what is wrong before sending.
import type { Translate } from "../i18n";
import { type TagProblem, parseTags } from "../hostsadmin/tags";
import type { NewRuleRequest, RuleView, Target } from "./types";

/// How many host names a rule shows before "and N more".
export const HOSTS_SHOWN = 3;

/// Names for ids (users, hosts); an id missing from the map is shown as a number.
export type Names = ReadonlyMap<number, string>;

/// `["web", "db"]` → "web or db" (in the language's own way: "web ou db", "web または db").
export function orList(locale: string, items: readonly string[]): string {
  return new Intl.ListFormat(locale, { type: "disjunction" }).format(items);
}

/// `["a", "b", "c"]` → "a, b, and c" (in the language's own way: "a, b und c", "a、b、c").
export function andList(locale: string, items: readonly string[]): string {
  return new Intl.ListFormat(locale, { type: "conjunction" }).format(items);
}

/// Which hosts a rule covers, in words: "All hosts", "Hosts tagged web or db",
/// "web-1, web-2, web-3, and 4 more" (ids of deleted hosts as "host #7"); `limit` names
/// more of them (a dialog about the rule names them all).
export function describeTarget(t: Translate, locale: string, target: Target, hosts: Names, limit = HOSTS_SHOWN): string {
  switch (target.on) {
    case "all":
      return t("access.where.all");
    case "tags":
      return t("access.where.tags", { tags: orList(locale, target.tags) });
    case "hosts": {
      const names = target.hosts.map((id) => hosts.get(id) ?? t("access.unknownHost", { id: String(id) }));
      names.sort((a, b) => a.localeCompare(b));
      if (names.length <= limit + 1) return andList(locale, names);
      return andList(locale, [...names.slice(0, limit), t("access.where.more", { count: names.length - limit })]);
    }
  }
}

/// Rules by user name, then newest first.
export function sortRules(rules: readonly RuleView[]): RuleView[] {
  return [...rules].sort((a, b) => a.username.localeCompare(b.username) || b.created_at.localeCompare(a.created_at));
}

export type Where = "all" | "tags" | "hosts";

export interface GrantForm {
  userId: number | null;
  where: Where;
  tagsText: string;
  hostIds: readonly number[];
  sudo: boolean;
}

export type GrantProblem = { kind: "user" } | { kind: "tags" } | { kind: "hosts" } | { kind: "tag"; problem: TagProblem };

/// The request the grant form sends, or the first thing missing or wrong.
export function grantRequest(f: GrantForm): { body: NewRuleRequest } | { problem: GrantProblem } {
  if (f.userId === null) return { problem: { kind: "user" } };
  const base = { user_id: f.userId, sudo: f.sudo };
  if (f.where === "all") return { body: { ...base, on: "all" } };
  if (f.where === "hosts") {
    if (f.hostIds.length === 0) return { problem: { kind: "hosts" } };
    return { body: { ...base, on: "hosts", hosts: [...new Set(f.hostIds)] } };
  }
  const { tags, problem } = parseTags(f.tagsText);
  if (problem) return { problem: { kind: "tag", problem } };
  if (tags.length === 0) return { problem: { kind: "tags" } };
  return { body: { ...base, on: "tags", tags } };
}

const GROUP_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/// Whether the appliance accepts a group name's form (it also refuses names in use and the
/// names hosts already have, which only it knows).
export function validGroupName(name: string): boolean {
  return GROUP_NAME.test(name);
}

export type KeyProblem = "empty" | "multiline" | "private";

/// What is plainly wrong with a pasted public key, or null (the appliance parses it).
export function keyProblem(text: string): KeyProblem | null {
  const line = text.trim();
  if (!line) return "empty";
  if (/PRIVATE KEY/.test(line)) return "private";
  if (/[\r\n]/.test(line)) return "multiline";
  return null;
}

/// Member ids as names, sorted; ids of deleted users as "user #7".
export function memberNames(t: Translate, ids: readonly number[], users: Names): string[] {
  return ids.map((id) => users.get(id) ?? t("access.unknownUser", { id: String(id) })).sort((a, b) => a.localeCompare(b));
}

/// Tags on the hosts, each once, sorted: what the grant form suggests.
export function knownTags(hosts: readonly { tags: readonly string[] }[]): string[] {
  return [...new Set(hosts.flatMap((h) => h.tags))].sort((a, b) => a.localeCompare(b));
}

/// The tag line with `tag` added at the end (unless it is already there).
export function addTag(text: string, tag: string): string {
  const { tags } = parseTags(text);
  return tags.includes(tag) ? text : [...tags, tag].join(", ");
}
