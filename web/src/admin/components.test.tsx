// The pieces with behaviour worth seeing rendered: the chain's state in words, and which
// buttons a row offers (none that would demote, disable or delete oneself).
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../api/client";
import { ChainStatus } from "./ChainStatus";
import { UserTable } from "./UserTable";
import { user as fixture } from "../test/users";
import type { UserView } from "../components/roles";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function answer(body: unknown) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } })),
  );
}

describe("ChainStatus", () => {
  it("says how many entries are intact", async () => {
    answer({ ok: true, entries: 123, pruned_through: null, first_bad: null });
    render(<ChainStatus />);
    expect(await screen.findByText("Chain verified: 123 entries intact")).toBeTruthy();
  });

  it("names the first bad entry and why", async () => {
    answer({
      ok: false,
      entries: 3,
      first_bad: { id: 4, reason: "audit entry 4 was altered", problem: { kind: "altered", seq: 4 } },
    });
    render(<ChainStatus />);
    expect(await screen.findByText("Chain broken at entry #4")).toBeTruthy();
    expect(screen.getByText(/no longer matches its hash/)).toBeTruthy();
    expect(screen.getByText("audit entry 4 was altered")).toBeTruthy();
  });
});

const user = (id: number, username: string, over: Partial<UserView> = {}) =>
  fixture({ id, username, display_name: username, ...over });

describe("UserTable", () => {
  it("offers nothing destructive on one's own row, and unlock only when locked", () => {
    const noop = () => {};
    render(
      <UserTable
        users={[user(1, "root", { role: "admin" }), user(2, "alice", { locked: true }), user(3, "bob", { disabled: true })]}
        me={{ id: 1, role: "admin" }}
        busyId={null}
        onDialog={noop}
        onEnable={noop}
        onUnlock={noop}
        onDisable={async () => {}}
        onDelete={async () => {}}
      />,
    );
    for (const name of ["Delete root", "Disable root", "Change role of root", "Reset password for root"]) {
      expect(screen.queryByRole("button", { name })).toBeNull();
    }
    expect(screen.getByText(/Your own account/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Delete alice" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Unlock alice" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Unlock bob" })).toBeNull();
    expect(screen.getByRole("button", { name: "Enable bob" })).toBeTruthy();
    expect(screen.getByText("Locked")).toBeTruthy();
    expect(screen.getByText("Disabled")).toBeTruthy();
  });

  it("deletes only after asking, and says why the appliance refused", async () => {
    const noop = () => {};
    const onDelete = vi.fn().mockRejectedValueOnce(new ApiError(404, "users.not_found", "no such user")).mockResolvedValueOnce(undefined);
    render(
      <UserTable
        users={[user(2, "alice")]}
        me={{ id: 1, role: "admin" }}
        busyId={null}
        onDialog={noop}
        onEnable={noop}
        onUnlock={noop}
        onDisable={async () => {}}
        onDelete={onDelete}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Delete alice" }));
    const dialog = screen.getByRole("dialog", { name: "Delete alice?" });
    expect(within(dialog).getByText(/The account alice is removed for good/)).toBeTruthy();
    expect(onDelete).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole("button", { name: "Delete account" }));
    expect(await within(dialog).findByText("This account no longer exists. Reload the page.")).toBeTruthy();
    fireEvent.click(within(dialog).getByRole("button", { name: "Delete account" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(onDelete).toHaveBeenCalledTimes(2);
    expect(onDelete.mock.calls[0]?.[0]).toMatchObject({ id: 2, username: "alice" });
  });
});
