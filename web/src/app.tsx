import { Route, Routes } from "react-router";
import { AuthProvider, useAuth } from "./auth.js";
import { Layout } from "./components/layout.js";
import { PAGES } from "./pages.js";
import { NotFound } from "./pages/not-found.js";
import { SignIn } from "./pages/sign-in.js";

function Gate() {
  const { user } = useAuth();
  if (user === undefined) return <div className="splash">Loading…</div>;
  if (user === null) return <SignIn />;
  return (
    <Routes>
      <Route element={<Layout />}>
        {PAGES.map((page) => (
          <Route key={page.path} path={page.path} element={page.element} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <AuthProvider>
      <Gate />
    </AuthProvider>
  );
}
