import { Link } from "react-router";

export function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <div className="panel empty">
        There is no page here. <Link to="/">Go to the dashboard</Link>.
      </div>
    </>
  );
}
