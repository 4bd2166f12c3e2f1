import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "../api/client";
import { getText } from "./text";

afterEach(() => vi.unstubAllGlobals());

describe("getText", () => {
  it("returns the body as text", async () => {
    const fetch = vi.fn(async () => new Response("ssh-ed25519 AAAA web\n", { status: 200, headers: { "Content-Type": "text/plain" } }));
    vi.stubGlobal("fetch", fetch);
    await expect(getText("/api/v1/ssh-keys/1/public")).resolves.toBe("ssh-ed25519 AAAA web\n");
    expect(fetch).toHaveBeenCalledWith("/api/v1/ssh-keys/1/public", expect.objectContaining({ credentials: "same-origin" }));
  });

  it("raises the appliance's error code", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ code: "ssh_key.not_found", message: "ssh key 9 not found" }), { status: 404 }));
    const err = await getText("/x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: "ssh_key.not_found" });
  });

  it("names a network failure", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("failed");
    });
    await expect(getText("/x")).rejects.toMatchObject({ code: "network.unreachable" });
  });
});
