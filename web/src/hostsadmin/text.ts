// GET for the one answer that is not JSON: a key's `authorized_keys` line (text/plain).
// Errors are still the appliance's JSON error bodies, raised as ApiError like client.ts does.
import { ApiError } from "../api/client";

export async function getText(path: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: "same-origin", headers: { Accept: "text/plain, application/json" } });
  } catch {
    throw new ApiError(0, "network.unreachable", "the appliance did not answer");
  }
  const text = await res.text();
  if (!res.ok) {
    let body: { code?: string; message?: string } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    throw new ApiError(res.status, body?.code ?? `http.${res.status}`, body?.message ?? res.statusText);
  }
  return text;
}
