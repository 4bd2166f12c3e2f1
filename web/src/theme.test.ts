import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { useTheme } from "./theme";

describe("theme", () => {
  it("is one choice for every control, saved and applied to <html>", () => {
    const a = renderHook(() => useTheme());
    const b = renderHook(() => useTheme());
    expect(a.result.current[0]).toBe("system");
    act(() => a.result.current[1]("dark"));
    expect(b.result.current[0]).toBe("dark");
    expect(document.documentElement.getAttribute("data-theme")).toBe("dark");
    expect(localStorage.getItem("steward.theme")).toBe("dark");
    act(() => b.result.current[1]("system"));
    expect(a.result.current[0]).toBe("system");
    expect(document.documentElement.hasAttribute("data-theme")).toBe(false);
    expect(localStorage.getItem("steward.theme")).toBeNull();
  });
});
