import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { TagEditor } from "./TagEditor";
import { TestResult } from "./TestResult";
import type { Host, TestReport } from "./types";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const FP = "SHA256:GHRqWrB41KnB3h8I21Xbs6dVtrnsEYgX+wcJSuuWmLc";

describe("TestResult", () => {
  it("shows what a successful test found", () => {
    const report: TestReport = {
      ok: true,
      readings: 42,
      duration_ms: 1234,
      facts: { hostname: "db-1", os: "Debian GNU/Linux 12 (bookworm)", cpu_cores: 4 } as unknown as TestReport["facts"],
      host_key: { algorithm: "ssh-ed25519", fingerprint: FP },
      host_key_matches: true,
    };
    render(<TestResult report={report} />);
    expect(screen.getByText("Connection works: 42 readings collected in 1.23 s.")).toBeTruthy();
    expect(screen.getByText("db-1")).toBeTruthy();
    expect(screen.getByText(FP)).toBeTruthy();
    expect(screen.getByText("It matches the expected fingerprint.")).toBeTruthy();
  });

  it("says what failed in words and offers to expect an unpinned key", () => {
    const use = vi.fn();
    const report: TestReport = {
      ok: false,
      readings: 0,
      duration_ms: 80,
      error: { code: "ssh.auth_failed", message: "authentication failed for user monitor" },
      host_key: { algorithm: "ssh-ed25519", fingerprint: FP },
      host_key_matches: null,
    };
    render(<TestResult report={report} onUseFingerprint={use} />);
    expect(screen.getByText(/The server refused the login/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Expect this fingerprint" }));
    expect(use).toHaveBeenCalledWith(FP);
  });
});

describe("TagEditor", () => {
  const host = { id: 7, name: "db-1", kind: "ssh", tags: ["db"] } as unknown as Host;

  it("refuses bad tags before asking the appliance, then saves good ones", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ ...host, tags: ["db", "prod"] }), { status: 200 }));
    vi.stubGlobal("fetch", fetch);
    const saved = vi.fn();
    render(<TagEditor host={host} onSaved={saved} />);
    fireEvent.click(screen.getByRole("button", { name: "Edit the tags of db-1" }));
    const input = screen.getByLabelText("Tags of db-1") as HTMLInputElement;
    expect(input.value).toBe("db");
    fireEvent.change(input, { target: { value: "db bad/tag" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText(/The tag “bad\/tag” is not allowed/)).toBeTruthy();
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(fetch).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: "db, prod db" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(saved).toHaveBeenCalled());
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/hosts/7");
    expect(init.method).toBe("PATCH");
    expect(JSON.parse(String(init.body))).toEqual({ tags: ["db", "prod"] });
  });

  it("shows the appliance's refusal in words", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ code: "hosts.not_ssh", message: "x" }), { status: 409 }));
    render(<TagEditor host={host} onSaved={() => {}} />);
    fireEvent.click(screen.getByRole("button", { name: "Edit the tags of db-1" }));
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Only hosts polled over SSH can be changed this way.")).toBeTruthy();
  });
});
