/**
 * Every page of the console, in navigation order: one line per page. The router and the left
 * navigation are built from this list (see web/README.md, "Adding a page").
 */
import type { ReactNode } from "react";
import type { User } from "./api/types.js";
import { AuditPage } from "./pages/audit.js";
import { Dashboard } from "./pages/dashboard.js";
import { DevicesPage } from "./pages/devices.js";
import { EnrollmentPage } from "./pages/enrollment.js";
import { IocFilesPage } from "./pages/ioc-files.js";
import { IocViewerPage } from "./pages/ioc-viewer.js";
import { NewTaskPage } from "./pages/new-task.js";
import { QuarantinePage } from "./pages/quarantine.js";
import { TaskPage } from "./pages/task.js";
import { TasksPage } from "./pages/tasks.js";
import { UsersPage } from "./pages/users.js";

export type NavSection = "Monitoring" | "Tasks" | "Devices" | "Administration";

export interface PageEntry {
  /** react-router path (`/tasks/:id`). */
  path: string;
  /** Shown in the navigation; pages without a label (details, forms) are reachable by links only. */
  label?: string;
  section?: NavSection;
  /** The least role that sees the page in the navigation (the server enforces access anyway). */
  role?: User["role"];
  element: ReactNode;
}

export const PAGES: readonly PageEntry[] = [
  { path: "/", label: "Dashboard", section: "Monitoring", element: <Dashboard /> },
  { path: "/tasks", label: "Tasks", section: "Tasks", element: <TasksPage /> },
  { path: "/tasks/new", element: <NewTaskPage /> },
  { path: "/tasks/:id/:section?", element: <TaskPage /> },
  { path: "/ioc-files", label: "IOC files", section: "Tasks", element: <IocFilesPage /> },
  { path: "/ioc-viewer", element: <IocViewerPage /> },
  { path: "/devices", label: "Devices & groups", section: "Devices", element: <DevicesPage /> },
  { path: "/quarantine", label: "Quarantine", section: "Devices", element: <QuarantinePage /> },
  { path: "/enrollment", label: "Enrollment tokens", section: "Devices", role: "administrator", element: <EnrollmentPage /> },
  { path: "/users", label: "Users & roles", section: "Administration", role: "administrator", element: <UsersPage /> },
  { path: "/audit", label: "Audit log", section: "Administration", role: "administrator", element: <AuditPage /> },
];
