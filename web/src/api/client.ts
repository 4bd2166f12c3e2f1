// The one way the UI talks to the appliance: JSON over fetch with the session cookie, the
// CSRF token on every state-changing request, and errors as ApiError (code + message) so
// pages can show them in words.
import type { ErrorBody } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let csrf: string | null = null;

export function setCsrf(token: string | null | undefined) {
  csrf = token ?? null;
}

/// Called when any request answers 401: the session ended (expired, logged out elsewhere).
let onUnauthorized: () => void = () => {};
export function handleUnauthorized(f: () => void) {
  onUnauthorized = f;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network.unreachable", "the appliance did not answer");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: handled below */
  }
  if (!res.ok) {
    const err = json as Partial<ErrorBody> | undefined;
    if (res.status === 401 && !path.endsWith("/auth/login")) onUnauthorized();
    throw new ApiError(res.status, err?.code ?? `http.${res.status}`, err?.message ?? res.statusText);
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>("GET", path);
export const post = <T>(path: string, body?: unknown) => api<T>("POST", path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>("PATCH", path, body);
export const del = <T = void>(path: string) => api<T>("DELETE", path);
