/**
 * The API's answers as the console sees them: inferred from the server's own zod schemas, so a
 * change on the server that the console does not follow fails `npm run typecheck`. Type-only
 * imports: nothing of the server reaches the bundle.
 */
import type { z } from "zod";
import type { RunState as RunStateSchema, TaskSettings as TaskSettingsSchema } from "../../../src/core/api/agent-protocol.js";
import type {
  AuditOut,
  CommandOut,
  CreateTaskBody,
  DashboardOut,
  DetectionOut,
  DeviceOut,
  Diagnostic as DiagnosticSchema,
  GroupOut,
  IocFileOut,
  IocTreeOut,
  LoginOut,
  QuarantineOut,
  RunOut,
  TaskOut,
  TokenOut,
  UserOut,
} from "../../../src/server/schemas.js";

export type User = z.infer<typeof UserOut>;
export type Login = z.infer<typeof LoginOut>;
export type Group = z.infer<typeof GroupOut>;
export type Device = z.infer<typeof DeviceOut>;
export type Token = z.infer<typeof TokenOut>;
export type IocFile = z.infer<typeof IocFileOut>;
export type Diagnostic = z.infer<typeof DiagnosticSchema>;
export type Task = z.infer<typeof TaskOut>;
export type NewTask = z.input<typeof CreateTaskBody>;
export type TaskSettings = z.infer<typeof TaskSettingsSchema>;
export type RunState = z.infer<typeof RunStateSchema>;
export type Run = z.infer<typeof RunOut>;
export type Detection = z.infer<typeof DetectionOut>;
export type QuarantineEntry = z.infer<typeof QuarantineOut>;
export type Command = z.infer<typeof CommandOut>;
export type Dashboard = z.infer<typeof DashboardOut>;
export type AuditEntry = z.infer<typeof AuditOut>;

/** A page of a list. */
export interface Page<T> {
  items: T[];
  total: number;
}
export type IocTree = z.infer<typeof IocTreeOut>;
export type { IocTreeNode } from "../../../src/server/schemas.js";
