// The Access page, the profile's SSH access and a host's accounts panel against a scripted
// appliance (fetch replaced).
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { AccessPanel } from "../host/AccessPanel";
import Access from "../pages/Access";
import { SshAccess } from "../profile/SshAccess";
import { type Call, type Route, fakeApi, renderWithSession } from "../test/fakeApi";
import { user } from "../test/users";
import type { RuleView, UnixView } from "./types";


let calls: Call[];

function serve(role: "admin" | "viewer", extra: Record<string, Route>) {
  ({ calls } = fakeApi({
    "GET /api/v1/auth/me": () => [200, { user: user({ id: 1, username: "ada", role }), must_change_password: false, auth: "session", csrf_token: "c" }],
    ...extra,
  }));
}

const renderWith = renderWithSession;

beforeEach(() => localStorage.setItem("steward.lang", "en"));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const people = [user({ id: 1, username: "ada" }), user({ id: 2, username: "bob", display_name: "Bob B" })];
const hostList = [
  { id: 10, name: "web-1", tags: ["web"] },
  { id: 11, name: "db-1", tags: ["db"] },
];

describe("the Access page", () => {
  it("explains access rules when there are none, and grants all hosts with sudo", async () => {
    let rules: RuleView[] = [];
    serve("admin", {
      "GET /api/v1/access-rules": () => [200, rules],
      "GET /api/v1/users": () => [200, people],
      "GET /api/v1/hosts": () => [200, hostList],
      "GET /api/v1/unix-groups": () => [200, []],
      "POST /api/v1/access-rules": (body) => {
        const b = body as { user_id: number; sudo: boolean };
        const rule = { id: 5, user_id: b.user_id, on: "all" as const, sudo: b.sudo, created_at: "2026-03-01T10:00:00Z" };
        rules = [{ ...rule, username: "bob" }];
        return [201, rule];
      },
      "DELETE /api/v1/access-rules/5": () => {
        rules = [];
        return [204];
      },
    });
    renderWith(<Access />);
    expect(await screen.findByText(/once a rule lets them in/)).toBeTruthy();
    expect(screen.getByText(/see Central accounts in the README/)).toBeTruthy();
    expect(await screen.findByText(/No Unix groups yet/)).toBeTruthy();

    const form = screen.getByRole("form", { name: "Grant access" });
    fireEvent.click(within(form).getByRole("button", { name: "Grant access" }));
    expect(within(form).getByRole("alert").textContent).toBe("Choose a user.");
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await waitFor(() => expect(within(form).getAllByRole("option")).toHaveLength(3));
    fireEvent.change(within(form).getByLabelText("User"), { target: { value: "2" } });
    fireEvent.click(within(form).getByLabelText(/With sudo/));
    fireEvent.click(within(form).getByRole("button", { name: "Grant access" }));
    const table = await screen.findByTestId("access-rules");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ user_id: 2, on: "all", sudo: true });
    const row = within(table).getAllByRole("row")[1]!;
    expect(within(row).getByText("bob")).toBeTruthy();
    expect(within(row).getByText("All hosts")).toBeTruthy();
    expect(within(row).getByText("Yes")).toBeTruthy();
    expect(screen.getByRole("status").textContent).toMatch(/bob was given access/);

    fireEvent.click(within(row).getByRole("button", { name: "Revoke the access of bob to All hosts" }));
    const dialog = screen.getByRole("dialog");
    fireEvent.click(within(dialog).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(screen.queryByTestId("access-rules")).toBeNull());
    expect(screen.getByRole("status").textContent).toMatch(/bob no longer has this access/);
  });

  it("grants chosen hosts or tags, and lists groups with member names", async () => {
    serve("admin", {
      "GET /api/v1/access-rules": () => [200, [{ id: 1, user_id: 2, username: "bob", on: "tags", tags: ["web", "db"], sudo: false, created_at: "2026-03-01T10:00:00Z" }]],
      "GET /api/v1/users": () => [200, people],
      "GET /api/v1/hosts": () => [200, hostList],
      "GET /api/v1/unix-groups": () => [200, [{ gid: 20010, name: "ops", members: [2, 1], created_at: "2026-03-01T10:00:00Z" }]],
      "POST /api/v1/access-rules": () => [201, { id: 2, user_id: 1, on: "hosts", hosts: [11], sudo: false, created_at: "2026-03-01T10:00:00Z" }],
      "PATCH /api/v1/unix-groups/20010": (body) => [200, { gid: 20010, name: "ops", members: (body as { members: number[] }).members, created_at: "2026-03-01T10:00:00Z" }],
    });
    renderWith(<Access />);
    expect(await screen.findByText("Hosts tagged web or db")).toBeTruthy();
    const groups = await screen.findByRole("table", { name: "Unix groups" });
    expect(within(groups).getByText("ada, bob")).toBeTruthy();

    const form = screen.getByRole("form", { name: "Grant access" });
    await waitFor(() => expect(within(form).getAllByRole("option")).toHaveLength(3));
    fireEvent.change(within(form).getByLabelText("User"), { target: { value: "1" } });
    fireEvent.click(within(form).getByLabelText("Hosts with any of these tags"));
    fireEvent.click(within(form).getByRole("button", { name: "Grant access" }));
    expect(within(form).getByRole("alert").textContent).toBe("Enter at least one tag.");
    fireEvent.click(within(form).getByRole("button", { name: "Add the tag db" }));
    expect((within(form).getByLabelText("Tags") as HTMLInputElement).value).toBe("db");

    fireEvent.click(within(form).getByLabelText("These hosts"));
    fireEvent.click(within(form).getByRole("button", { name: "Grant access" }));
    expect(within(form).getByRole("alert").textContent).toBe("Choose at least one host.");
    fireEvent.click(within(form).getByLabelText("db-1"));
    expect(within(form).getByText("Selected: 1")).toBeTruthy();
    fireEvent.click(within(form).getByRole("button", { name: "Grant access" }));
    await waitFor(() => expect(calls.find((c) => c.method === "POST")?.body).toEqual({ user_id: 1, on: "hosts", hosts: [11], sudo: false }));

    fireEvent.click(within(groups).getByRole("button", { name: "Edit the members of ops" }));
    const dialog = screen.getByRole("dialog", { name: "Members of ops" });
    fireEvent.click(within(dialog).getByLabelText("ada"));
    fireEvent.click(within(dialog).getByRole("button", { name: "Save members" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ members: [2] });
  });

  it("is for admins only", async () => {
    serve("viewer", {});
    renderWith(<Access />);
    await waitFor(() => expect(calls.length).toBe(1));
    expect(screen.getByText(/Only administrators/)).toBeTruthy();
  });
});

function unixView(over: Partial<UnixView> = {}): UnixView {
  return { username: "ada", uid: null, gid: null, gecos: "Ada", home: "/home/ada", shell: "/bin/bash", keys: [], groups: [], shells: ["/bin/bash", "/bin/zsh"], ...over };
}

describe("SSH access on the profile", () => {
  it("says when the uid comes, refuses a private key, adds a key and changes the shell", async () => {
    let view = unixView();
    const key = { fingerprint: "SHA256:abc", algorithm: "ssh-ed25519", comment: "e2e@test", line: "ssh-ed25519 AAAA e2e@test" };
    serve("viewer", {
      "GET /api/v1/users/1/unix": () => [200, view],
      "POST /api/v1/users/1/keys": () => {
        view = { ...view, uid: 20001, gid: 20001, keys: [key] };
        return [201, key];
      },
      "PATCH /api/v1/users/1/unix": (body) => {
        view = { ...view, shell: (body as { shell: string }).shell };
        return [200, view];
      },
    });
    renderWith(<SshAccess />);
    expect(await screen.findByText("Assigned when you are first given access")).toBeTruthy();
    expect(screen.getByText(/No SSH keys yet/)).toBeTruthy();

    const box = screen.getByLabelText("Public key");
    fireEvent.change(box, { target: { value: "-----BEGIN OPENSSH PRIVATE KEY-----\nxyz\n-----END OPENSSH PRIVATE KEY-----" } });
    fireEvent.click(screen.getByRole("button", { name: "Add key" }));
    expect(screen.getByRole("alert").textContent).toMatch(/This is a private key/);
    fireEvent.change(box, { target: { value: "ssh-ed25519 AAAA e2e@test\n" } });
    fireEvent.click(screen.getByRole("button", { name: "Add key" }));
    expect(await screen.findByText("SHA256:abc")).toBeTruthy();
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ key: "ssh-ed25519 AAAA e2e@test" });
    expect(screen.getByText("20001")).toBeTruthy();
    expect(screen.getByText(/Key SHA256:abc added/)).toBeTruthy();

    const save = screen.getByRole("button", { name: "Save shell" }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Login shell"), { target: { value: "/bin/zsh" } });
    fireEvent.click(save);
    expect(await screen.findByText(/Your login shell is now \/bin\/zsh/)).toBeTruthy();
  });

  it("shows the appliance's refusal of a key in words", async () => {
    serve("viewer", {
      "GET /api/v1/users/1/unix": () => [200, unixView()],
      "POST /api/v1/users/1/keys": () => [422, { code: "accounts.invalid_key", message: "SSH key is not valid: x" }],
    });
    renderWith(<SshAccess />);
    fireEvent.change(await screen.findByLabelText("Public key"), { target: { value: "ssh-ed25519 nope" } });
    fireEvent.click(screen.getByRole("button", { name: "Add key" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/not a valid SSH public key/);
  });
});

describe("a host's accounts", () => {
  it("lists who may log in and the last sync", async () => {
    serve("admin", {
      "GET /api/v1/hosts/3/accounts": () => [
        200,
        { host_id: 3, version: "v2", users: [{ username: "bob", uid: 20002, sudo: true }], report: { version: "v1", ok: false, error: "nsswitch.conf lacks extrausers", at: "2026-03-01T10:00:00Z" } },
      ],
    });
    renderWith(<AccessPanel hostId={3} />);
    const panel = await screen.findByTestId("host-access");
    expect(await within(panel).findByText("bob")).toBeTruthy();
    expect(within(panel).getByText("20002")).toBeTruthy();
    expect(within(panel).getByText(/nsswitch.conf lacks extrausers/)).toBeTruthy();
  });

  it("is hidden from non-admins and when refused", async () => {
    serve("viewer", {});
    renderWith(<AccessPanel hostId={3} />);
    await waitFor(() => expect(calls.length).toBe(1));
    expect(screen.queryByTestId("host-access")).toBeNull();
    cleanup();
    serve("admin", { "GET /api/v1/hosts/3/accounts": () => [403, { code: "auth.forbidden", message: "no" }] });
    renderWith(<AccessPanel hostId={3} />);
    await waitFor(() => expect(calls.length).toBe(2));
    await waitFor(() => expect(screen.queryByTestId("host-access")).toBeNull());
  });
});
