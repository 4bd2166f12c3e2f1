// The shared copy and confirm buttons, as every area uses them.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { useRef } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ConfirmButton } from "./ConfirmButton";
import { CopyButton } from "./CopyButton";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  // jsdom has neither; each test adds what it needs.
  delete (navigator as { clipboard?: unknown }).clipboard;
  delete (document as { execCommand?: unknown }).execCommand;
});

describe("ConfirmButton", () => {
  it("acts only after confirmation, and keeps the dialog open with the error on failure", async () => {
    const action = vi.fn().mockRejectedValueOnce(new Error("boom")).mockResolvedValueOnce(undefined);
    render(
      <ConfirmButton label="Delete" ariaLabel="Delete db-1" title="Delete db-1?" confirmLabel="Delete now" danger onConfirm={action}>
        <p>Everything goes.</p>
      </ConfirmButton>,
    );
    expect(screen.queryByRole("dialog")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Delete db-1" }));
    const dialog = screen.getByRole("dialog", { name: "Delete db-1?" });
    expect(dialog.getAttribute("aria-describedby")).toBe(within(dialog).getByText("Everything goes.").parentElement?.id);
    expect(action).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole("button", { name: "Delete now" }));
    expect(await within(dialog).findByText("Something went wrong: boom")).toBeTruthy();
    // The second try once the first has fully ended (the button is busy until then).
    const again = within(dialog).getByRole("button", { name: "Delete now" }) as HTMLButtonElement;
    await waitFor(() => expect(again.disabled).toBe(false));
    fireEvent.click(again);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(action).toHaveBeenCalledTimes(2);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Delete db-1" }));
  });

  it("focuses Cancel first, cancels on Escape and gives the focus back to the button", () => {
    const action = vi.fn(async () => {});
    render(<ConfirmButton label="Revoke" ariaLabel="Revoke token ci" title="Revoke token ci" confirmLabel="Revoke" onConfirm={action} />);
    const button = screen.getByRole("button", { name: "Revoke token ci" });
    expect(button.getAttribute("aria-haspopup")).toBe("dialog");
    fireEvent.click(button);
    const dialog = screen.getByRole("dialog", { name: "Revoke token ci" });
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(button);
    fireEvent.click(button);
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(action).not.toHaveBeenCalled();
  });

  it("shows the action busy, and neither Cancel nor Escape stop it", async () => {
    let finish = () => {};
    const action = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    render(<ConfirmButton label="Sign out" title="Sign out everywhere" confirmLabel="Sign out" busyLabel="Signing out…" onConfirm={action} />);
    fireEvent.click(screen.getByRole("button", { name: "Sign out" }));
    const dialog = screen.getByRole("dialog");
    fireEvent.click(within(dialog).getByRole("button", { name: "Sign out" }));
    const busy = within(dialog).getByRole("button", { name: "Signing out…" }) as HTMLButtonElement;
    expect(busy.disabled).toBe(true);
    expect(busy.getAttribute("aria-busy")).toBe("true");
    expect((within(dialog).getByRole("button", { name: "Cancel" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.getByRole("dialog")).toBeTruthy();
    await act(async () => finish());
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("focuses the field a dialog asks for, and shows errors in words", async () => {
    function Repin({ onConfirm }: { onConfirm: () => Promise<unknown> }) {
      const value = useRef("");
      return (
        <ConfirmButton
          label="Re-pin"
          title="Trust the new key?"
          confirmLabel="Trust it"
          onConfirm={onConfirm}
        >
          <label htmlFor="fp">Fingerprint</label>
          <input id="fp" onChange={(e) => (value.current = e.target.value)} />
        </ConfirmButton>
      );
    }
    render(<Repin onConfirm={() => Promise.reject(new Error("no"))} />);
    fireEvent.click(screen.getByRole("button", { name: "Re-pin" }));
    expect(document.activeElement).toBe(screen.getByLabelText("Fingerprint"));
    fireEvent.click(screen.getByRole("button", { name: "Trust it" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Something went wrong: no");
    // Opening it again starts clean.
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    fireEvent.click(screen.getByRole("button", { name: "Re-pin" }));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

function Copyable({ text }: { text: string }) {
  const code = useRef<HTMLElement>(null);
  return (
    <>
      <code ref={code}>{text}</code>
      <CopyButton text={text} label="Copy key" source={code} />
    </>
  );
}

describe("CopyButton", () => {
  it("copies through the Clipboard API and says so", async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    vi.stubGlobal("isSecureContext", true);
    render(<Copyable text="sti_secret" />);
    fireEvent.click(screen.getByRole("button", { name: "Copy key" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Copied"));
    expect(writeText).toHaveBeenCalledWith("sti_secret");
    expect(screen.getByRole("button", { name: "Copy key" })).toBeTruthy();
  });

  it("falls back to the copy command on a plain-HTTP page", async () => {
    const exec = vi.fn(() => true);
    Object.defineProperty(document, "execCommand", { value: exec, configurable: true });
    render(<CopyButton text="steward agent --key sti_x" />);
    fireEvent.click(screen.getByRole("button", { name: "Copy" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Copied"));
    expect(exec).toHaveBeenCalledWith("copy");
    expect(document.querySelector("textarea")).toBeNull();
  });

  it("selects the text for a manual copy when copying is impossible", async () => {
    render(<Copyable text="sti_secret" />);
    fireEvent.click(screen.getByRole("button", { name: "Copy key" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toMatch(/^Copying failed/));
    expect(window.getSelection()?.toString()).toBe("sti_secret");
  });
});
