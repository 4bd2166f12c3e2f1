// Light, dark, or the system's choice (the default), kept in localStorage and applied as
// `data-theme` on <html>; the stylesheet follows `prefers-color-scheme` until a choice is
// made. One store for the whole page, so every theme control shows the same choice.
import { useSyncExternalStore } from "react";

export type Theme = "system" | "light" | "dark";
const KEY = "steward.theme";
const listeners = new Set<() => void>();

export function savedTheme(): Theme {
  const v = localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

let current: Theme | null = null;

export function applyTheme(theme: Theme) {
  const root = document.documentElement;
  if (theme === "system") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", theme);
}

export function setTheme(theme: Theme) {
  current = theme;
  if (theme === "system") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, theme);
  applyTheme(theme);
  for (const l of listeners) l();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function snapshot(): Theme {
  current ??= savedTheme();
  return current;
}

export function useTheme(): [Theme, (t: Theme) => void] {
  return [useSyncExternalStore(subscribe, snapshot), setTheme];
}
