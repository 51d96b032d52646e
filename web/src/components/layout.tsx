/** The frame of every signed-in page: the left navigation (from PAGES), the user and sign-out. */
import { NavLink, Outlet } from "react-router";
import { useAuth } from "../auth.js";
import { PAGES, type NavSection } from "../pages.js";

const SECTIONS: readonly NavSection[] = ["Monitoring", "Tasks", "Devices", "Administration"];
const RANK = { viewer: 1, operator: 2, administrator: 3 } as const;

export function Layout() {
  const { user, signOut } = useAuth();
  const rank = user ? RANK[user.role] : 0;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          iocscan
        </div>
        {SECTIONS.map((section) => {
          const pages = PAGES.filter((p) => p.section === section && p.label !== undefined && rank >= RANK[p.role ?? "viewer"]);
          if (pages.length === 0) return null;
          return (
            <div key={section} className="nav-section">
              <div className="nav-heading">{section}</div>
              {pages.map((p) => (
                <NavLink key={p.path} to={p.path} end={p.path === "/"} className="nav-link">
                  {p.label}
                </NavLink>
              ))}
            </div>
          );
        })}
        <div className="sidebar-foot">
          <div className="who" title={user?.role}>
            {user?.name} <span className="muted">({user?.role})</span>
          </div>
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
