import { Placeholder } from "./placeholder.js";

export function Dashboard() {
  return <Placeholder title="Dashboard" />;
}
