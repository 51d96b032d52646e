/**
 * The signed-in user: asked from `/auth/session` once at start (the session cookie survives reloads;
 * the CSRF token comes back with it), set by the sign-in page, cleared by sign-out or any 401.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, setCsrfToken, setUnauthenticatedHandler } from "./api/client.js";
import type { Login, User } from "./api/types.js";

interface Auth {
  /** undefined while the first `/auth/session` is on its way; null when signed out. */
  user: User | null | undefined;
  signIn: (name: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setCsrfToken(undefined);
      setUser(null);
    });
    let live = true;
    // /auth/session answers 200 either way, so a signed-out start leaves no 401 in the console.
    api
      .get<{ session: Login | null }>("/auth/session")
      .then(({ session }) => {
        setCsrfToken(session?.csrfToken);
        if (live) setUser(session?.user ?? null);
      })
      .catch((error: unknown) => {
        console.warn("iocscan: cannot ask the server for the session", error);
        if (live) setUser(null);
      });
    return () => {
      live = false;
      setUnauthenticatedHandler(undefined);
    };
  }, []);

  const signIn = useCallback(async (name: string, password: string) => {
    const login = await api.post<Login>("/auth/login", { name, password });
    setCsrfToken(login.csrfToken);
    setUser(login.user);
  }, []);
  const signOut = useCallback(async () => {
    try {
      await api.post("/auth/logout");
    } finally {
      setCsrfToken(undefined);
      setUser(null);
    }
  }, []);
  const value = useMemo(() => ({ user, signIn, signOut }), [user, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === undefined) throw new Error("useAuth outside <AuthProvider>");
  return auth;
}
