import { Placeholder } from "./placeholder.js";

export function TaskPage() {
  return <Placeholder title="Task" />;
}
