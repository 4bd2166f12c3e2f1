// A scripted appliance for component tests: fetch answers each `METHOD url` from a table of
// routes (404 otherwise) and records every call; and a render inside the app's providers.
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { vi } from "vitest";

import { SessionProvider } from "../auth/session";
import { I18nProvider } from "../i18n";

export type Call = { method: string; url: string; body: unknown };
export type Route = (body: unknown) => [number, unknown?];

/** Replaces fetch; the returned `calls` fills as requests arrive, and `routes` may change. */
export function fakeApi(routes: Record<string, Route>): { calls: Call[]; routes: Record<string, Route> } {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      const method = init.method ?? "GET";
      const body = init.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method, url, body });
      const route = routes[`${method} ${url}`];
      const [status, json] = route ? route(body) : [404, { code: "http.404", message: "no route" }];
      const text = json === undefined ? "" : JSON.stringify(json);
      return { status, ok: status < 400, statusText: "", text: async () => text };
    }),
  );
  return { calls, routes };
}

export function renderWithSession(ui: ReactNode) {
  return render(
    <I18nProvider>
      <SessionProvider>{ui}</SessionProvider>
    </I18nProvider>,
  );
}
