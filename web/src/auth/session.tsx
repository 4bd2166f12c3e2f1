// Who is signed in: loaded from /auth/me at start, set by login, cleared by logout or by
// any 401. Pages read it through useSession(); roles decide what the navigation offers
// (the appliance enforces them either way).
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

import { ApiError, get, handleUnauthorized, post, setCsrf } from "../api/client";
import type { LoginResponse, MeResponse, UserView } from "../api/types";

export interface Session {
  user: UserView;
  mustChangePassword: boolean;
}

interface SessionCtx {
  session: Session | null;
  loading: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  passwordChanged: () => void;
}

const Ctx = createContext<SessionCtx | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    handleUnauthorized(() => setSession(null));
    get<MeResponse>("/api/v1/auth/me")
      .then((me) => {
        setCsrf(me.csrf_token);
        setSession({ user: me.user, mustChangePassword: me.must_change_password });
      })
      .catch((e) => {
        if (!(e instanceof ApiError) || e.status !== 401) console.warn("reading the session", e);
      })
      .finally(() => setLoading(false));
  }, []);
  const login = useCallback(async (username: string, password: string) => {
    const r = await post<LoginResponse>("/api/v1/auth/login", { username, password });
    setCsrf(r.csrf_token);
    setSession({ user: r.user, mustChangePassword: r.must_change_password });
  }, []);
  const logout = useCallback(async () => {
    try {
      await post("/api/v1/auth/logout");
    } finally {
      setCsrf(null);
      setSession(null);
    }
  }, []);
  const passwordChanged = useCallback(() => {
    setSession((s) => (s ? { ...s, mustChangePassword: false } : s));
  }, []);
  return <Ctx.Provider value={{ session, loading, login, logout, passwordChanged }}>{children}</Ctx.Provider>;
}

export function useSession(): SessionCtx {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error("useSession outside SessionProvider");
  return ctx;
}
