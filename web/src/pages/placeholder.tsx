/** A page reserved in the navigation whose content is not built yet. */
export function Placeholder({ title }: { title: string }) {
  return (
    <>
      <h1>{title}</h1>
      <div className="panel empty">This page is coming in the next part of the console (issue 8).</div>
    </>
  );
}
