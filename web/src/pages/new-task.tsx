import { Placeholder } from "./placeholder.js";

export function NewTaskPage() {
  return <Placeholder title="New task" />;
}
