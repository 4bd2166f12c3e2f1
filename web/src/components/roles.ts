// Roles, and who may do what to an account, as the appliance decides it (src/users/service.rs): admins
// manage their organization, only superadmins manage or grant superadmin, and nobody
// changes the role of, disables or deletes their own account (409 users.self_change).
// The UI hides what would be refused; the appliance enforces it either way.
import type { components } from "../api/schema";

export type Role = components["schemas"]["Role"];
export type UserView = components["schemas"]["UserView"];

export const ROLES: readonly Role[] = ["viewer", "operator", "admin", "superadmin"];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2, superadmin: 3 };

/// Whether `role` is at least `needed`.
export function atLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/// The roles up to and including `own` (what a token of someone with `own` may have).
export function rolesUpTo(own: Role): Role[] {
  return ROLES.slice(0, RANK[own] + 1);
}

/// The roles `me` may give to an account.
export function assignableRoles(me: Role): Role[] {
  if (!atLeast(me, "admin")) return [];
  return ROLES.filter((r) => r !== "superadmin" || me === "superadmin");
}

/// Whether `me` may manage an account whose role is `target`.
export function canManage(me: Role, target: Role): boolean {
  return atLeast(me, "admin") && (target !== "superadmin" || me === "superadmin");
}

export interface Me {
  id: number;
  role: Role;
}

/// What the row of `user` offers to `me`.
export interface RowActions {
  self: boolean;
  changeRole: boolean;
  resetPassword: boolean;
  toggleDisabled: boolean;
  unlock: boolean;
  remove: boolean;
}

export function rowActions(me: Me, user: UserView): RowActions {
  const self = me.id === user.id;
  const manage = canManage(me.role, user.role);
  return {
    self,
    changeRole: manage && !self,
    // One's own password is changed under Profile, with the current one.
    resetPassword: manage && !self,
    toggleDisabled: manage && !self,
    unlock: manage && user.locked,
    remove: manage && !self,
  };
}

export type UserState = "active" | "disabled" | "locked" | "mustChange";

/// The states an account is in, most important first; `active` when none applies.
export function userStates(user: Pick<UserView, "disabled" | "locked" | "must_change_password">): UserState[] {
  const states: UserState[] = [];
  if (user.disabled) states.push("disabled");
  if (user.locked) states.push("locked");
  if (user.must_change_password) states.push("mustChange");
  return states.length ? states : ["active"];
}

/// `path` with `?org=ID` when a superadmin acts in a chosen organization.
export function withOrg(path: string, org: number | null | undefined): string {
  if (org == null) return path;
  return `${path}${path.includes("?") ? "&" : "?"}org=${encodeURIComponent(org)}`;
}
