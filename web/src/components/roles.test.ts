import { describe, expect, it } from "vitest";

import { user as fixture } from "../test/users";
import { type UserView, assignableRoles, atLeast, canManage, rolesUpTo, rowActions, userStates, withOrg } from "./roles";

const user = (over: Partial<UserView>) => fixture({ role: "operator", ...over });

describe("roles", () => {
  it("ranks roles, and offers a token the caller's role and the ones below it", () => {
    expect(atLeast("admin", "operator")).toBe(true);
    expect(atLeast("operator", "admin")).toBe(false);
    expect(rolesUpTo("viewer")).toEqual(["viewer"]);
    expect(rolesUpTo("admin")).toEqual(["viewer", "operator", "admin"]);
    expect(rolesUpTo("superadmin")).toEqual(["viewer", "operator", "admin", "superadmin"]);
  });

  it("only superadmins grant superadmin; below admin nothing is granted", () => {
    expect(assignableRoles("superadmin")).toEqual(["viewer", "operator", "admin", "superadmin"]);
    expect(assignableRoles("admin")).toEqual(["viewer", "operator", "admin"]);
    expect(assignableRoles("operator")).toEqual([]);
  });

  it("admins manage everyone but superadmins", () => {
    expect(canManage("admin", "admin")).toBe(true);
    expect(canManage("admin", "superadmin")).toBe(false);
    expect(canManage("superadmin", "superadmin")).toBe(true);
    expect(canManage("viewer", "viewer")).toBe(false);
  });

  it("the signed-in account cannot demote, disable, delete or reset itself here", () => {
    const me = { id: 7, role: "admin" as const };
    const a = rowActions(me, user({ role: "admin", locked: true }));
    expect(a).toEqual({
      self: true,
      changeRole: false,
      resetPassword: false,
      toggleDisabled: false,
      unlock: true,
      remove: false,
    });
    const other = rowActions(me, user({ id: 8 }));
    expect(other).toMatchObject({ self: false, changeRole: true, resetPassword: true, toggleDisabled: true, remove: true });
    expect(other.unlock).toBe(false);
  });

  it("an admin's row for a superadmin offers nothing", () => {
    const a = rowActions({ id: 1, role: "admin" }, user({ id: 2, role: "superadmin", locked: true }));
    expect(Object.values(a).some(Boolean)).toBe(false);
  });

  it("states: every one that applies, else active", () => {
    expect(userStates(user({}))).toEqual(["active"]);
    expect(userStates(user({ disabled: true, locked: true, must_change_password: true }))).toEqual([
      "disabled",
      "locked",
      "mustChange",
    ]);
  });

  it("adds ?org= only when an organization is chosen", () => {
    expect(withOrg("/api/v1/users", null)).toBe("/api/v1/users");
    expect(withOrg("/api/v1/users/3/unlock", 2)).toBe("/api/v1/users/3/unlock?org=2");
    expect(withOrg("/api/v1/users?x=1", 2)).toBe("/api/v1/users?x=1&org=2");
  });
});
