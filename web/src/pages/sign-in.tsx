/** Sign-in: name and password; Enter submits; the server's message (wrong password, too many attempts) is shown as given. */
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client.js";
import { useAuth } from "../auth.js";

export function SignIn() {
  const { signIn } = useAuth();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    signIn(name, password)
      .catch((e: unknown) => {
        setError(e instanceof ApiError ? e.message : "The server cannot be reached");
        setBusy(false);
      });
  };

  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit} aria-label="Sign in">
        <div className="brand signin-brand">
          <span className="brand-mark" aria-hidden="true" />
          iocscan console
        </div>
        <label>
          User name
          <input name="name" autoComplete="username" autoFocus required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error !== undefined && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
