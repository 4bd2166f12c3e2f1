// The profile's token and session flows against a scripted appliance (fetch replaced).
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { components } from "../api/schema";
import { useSession } from "../auth/session";
import { type Call, type Route, fakeApi, renderWithSession } from "../test/fakeApi";
import { Sessions } from "./Sessions";
import { Tokens } from "./Tokens";

type S = components["schemas"];

function user(role: S["Role"]): S["UserView"] {
  const at = "2026-01-01T00:00:00Z";
  return {
    id: 7, org: 1, username: "ada", display_name: "Ada", role, must_change_password: false, disabled: false,
    locked: false, created_at: at, updated_at: at, password_changed_at: at,
  };
}

function token(id: number, name: string, created_at: string, extra: Partial<S["ApiToken"]> = {}): S["ApiToken"] {
  return { id, org: 1, user: 7, name, role: "viewer", prefix: "stw_abcdef", created_at, ...extra };
}

let calls: Call[];
let routes: Record<string, Route>;

function serve(role: S["Role"], tokens: S["ApiToken"][]) {
  ({ calls, routes } = fakeApi({
    "GET /api/v1/auth/me": () => [200, { user: user(role), must_change_password: false, auth: "session", csrf_token: "c" }],
    "GET /api/v1/tokens": () => [200, tokens],
    "GET /api/v1/tokens?all=true": () => [200, [...tokens, token(9, "ops-cron", "2026-02-01T00:00:00Z", { user: 8 })]],
    "GET /api/v1/users": () => [200, [user(role), { ...user("viewer"), id: 8, username: "grace" }]],
  }));
}

const renderWith = renderWithSession;

beforeEach(() => localStorage.setItem("steward.lang", "en"));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("personal API tokens", () => {
  it("lists the newest first and creates one whose value shows once", async () => {
    serve("operator", [token(1, "old", "2026-01-01T00:00:00Z"), token(2, "ci", "2026-03-01T00:00:00Z", { expires_at: "2020-01-02T00:00:00Z" })]);
    renderWith(<Tokens />);
    const rows = await screen.findAllByRole("row");
    expect(rows.slice(1).map((r) => within(r).getByRole("rowheader").textContent)).toEqual(["ci stw_abcdef…", "old stw_abcdef…"]);
    expect(within(rows[1]!).getByText("Expired")).toBeTruthy();

    const role = screen.getByLabelText("Role") as HTMLSelectElement;
    expect([...role.options].map((o) => o.value)).toEqual(["viewer", "operator"]);
    expect(screen.queryByLabelText("Show every token of the organization")).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Create token" }));
    expect(await screen.findByText(/Enter a name of 1 to 64 characters/)).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    routes["POST /api/v1/tokens"] = () => [201, { token: token(3, "backup", "2026-04-01T00:00:00Z"), value: "stw_SECRETvalue" }];
    fireEvent.change(screen.getByLabelText("Token name"), { target: { value: " backup " } });
    fireEvent.change(screen.getByLabelText("Expires"), { target: { value: "never" } });
    fireEvent.change(role, { target: { value: "operator" } });
    fireEvent.click(screen.getByRole("button", { name: "Create token" }));
    expect((await screen.findByTestId("token-value")).textContent).toBe("stw_SECRETvalue");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ name: "backup", role: "operator" });
    expect(screen.getByText("Copy the token now: you will not see it again.")).toBeTruthy();
    expect(screen.getByText(`curl -H "Authorization: Bearer stw_SECRETvalue" ${location.origin}/api/v1/hosts`)).toBeTruthy();
    await waitFor(() => expect(calls.filter((c) => c.url === "/api/v1/tokens" && c.method === "GET")).toHaveLength(2));

    fireEvent.click(screen.getByRole("button", { name: "Done, I have saved it" }));
    expect(screen.queryByTestId("token-value")).toBeNull();
  });

  it("revokes a token after a confirmation", async () => {
    serve("viewer", [token(2, "ci", "2026-03-01T00:00:00Z")]);
    routes["DELETE /api/v1/tokens/2"] = () => [204];
    renderWith(<Tokens />);
    fireEvent.click(await screen.findByRole("button", { name: "Revoke token ci" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    const question = screen.getByRole("dialog", { name: "Revoke token ci" });
    expect(within(question).getByText(/Revoke the token “ci”\? Scripts that use it stop working/)).toBeTruthy();
    expect(document.activeElement).toBe(within(question).getByRole("button", { name: "Cancel" }));
    fireEvent.keyDown(question, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Revoke token ci" }));

    // A refusal is shown in the question, which stays open for another try.
    routes["DELETE /api/v1/tokens/2"] = () => [500, { code: "internal", message: "disk full" }];
    fireEvent.click(screen.getByRole("button", { name: "Revoke token ci" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Revoke" }));
    expect(await within(screen.getByRole("dialog")).findByRole("alert")).toBeTruthy();
    expect(screen.getAllByRole("row")).toHaveLength(2);

    routes["DELETE /api/v1/tokens/2"] = () => [204];
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Revoke" }));
    expect(await screen.findByText("The token “ci” was revoked.")).toBeTruthy();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(calls.some((c) => c.method === "DELETE" && c.url === "/api/v1/tokens/2")).toBe(true);
    expect(screen.getByText("You have no API tokens yet.")).toBeTruthy();
  });

  it("lets an admin see every token of the organization, with owners", async () => {
    serve("admin", [token(2, "ci", "2026-03-01T00:00:00Z")]);
    renderWith(<Tokens />);
    fireEvent.click(await screen.findByLabelText("Show every token of the organization"));
    const owner = await screen.findByText("grace");
    expect(owner.closest("tr")?.textContent).toContain("ops-cron");
    expect(screen.getByRole("columnheader", { name: "Owner" })).toBeTruthy();
    expect(calls.some((c) => c.url === "/api/v1/tokens?all=true")).toBe(true);
  });
});

describe("sign out everywhere", () => {
  function Who() {
    const { session, loading } = useSession();
    return <p>{loading ? "loading" : session ? `in as ${session.user.username}` : "signed out"}</p>;
  }

  it("asks first, ends every session and leaves this one signed out", async () => {
    serve("viewer", []);
    routes["POST /api/v1/auth/logout-all"] = () => [204];
    routes["POST /api/v1/auth/logout"] = () => [401, { code: "auth.required", message: "log in" }];
    renderWith(
      <>
        <Who />
        <Sessions />
      </>,
    );
    await screen.findByText("in as ada");
    fireEvent.click(screen.getByRole("button", { name: "Sign out everywhere" }));
    expect(calls.some((c) => c.url === "/api/v1/auth/logout-all")).toBe(false);
    await act(async () => {
      fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Sign out everywhere" }));
    });
    expect(await screen.findByText("signed out")).toBeTruthy();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toContain("POST /api/v1/auth/logout-all");
  });
});
