// Light, dark, or the system's choice (the default), kept in localStorage and applied as
// `data-theme` on <html>; the stylesheet follows `prefers-color-scheme` until a choice is made.
import { useEffect, useState } from "react";

export type Theme = "system" | "light" | "dark";
const KEY = "steward.theme";

export function savedTheme(): Theme {
  const v = localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

export function applyTheme(theme: Theme) {
  const root = document.documentElement;
  if (theme === "system") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", theme);
}

export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(savedTheme);
  useEffect(() => {
    applyTheme(theme);
    if (theme === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  }, [theme]);
  return [theme, setTheme];
}
