import { describe, expect, it } from "vitest";

import { formatBytes, formatNumber, formatPercent, formatRate, formatRelative } from "./format";

describe("format", () => {
  it("prints bytes in binary units with the locale's decimal mark", () => {
    expect(formatBytes("en", 0)).toBe("0 B");
    expect(formatBytes("en", 1536)).toBe("1.5 KiB");
    expect(formatBytes("fr", 1536)).toBe("1,5 KiB");
    expect(formatBytes("de", 10.5 * 1024 ** 3)).toBe("10,5 GiB");
    expect(formatBytes("en", 500 * 1024 ** 2)).toBe("500 MiB");
    expect(formatBytes("en", null)).toBe("—");
  });

  it("prints rates and percentages", () => {
    expect(formatRate("en", 2048)).toBe("2 KiB/s");
    expect(formatPercent("en", 42.5)).toBe("42.5%");
    expect(formatPercent("fr", 42.5).replace(/\s/g, " ")).toBe("42,5 %");
    expect(formatPercent("en", Number.NaN)).toBe("—");
    expect(formatNumber("de", 1234.5)).toBe("1.234,5");
  });

  it("prints relative times in the language", () => {
    const now = 1_700_000_000_000;
    expect(formatRelative("en", now - 5000, now)).toBe("5 seconds ago");
    expect(formatRelative("es", now - 120_000, now)).toBe("hace 2 minutos");
    expect(formatRelative("ru", now - 3 * 3600_000, now)).toBe("3 часа назад");
    expect(formatRelative("en", null, now)).toBeNull();
  });
});
