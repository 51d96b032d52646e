/**
 * A table paged, sorted and filtered on the server: the page gives columns and a `load` that
 * asks the API for one page; the table keeps the page position and sort, shows the header sticky
 * above a scrolling body, and repeats the request every `refreshMs` for live lists.
 */
import { useState, type ReactNode } from "react";
import { useLoad } from "../hooks.js";
import { formatCount } from "../format.js";

export interface Column<T> {
  header: string;
  render: (row: T) => ReactNode;
  /** The server's sort key for this column; absent = not sortable. */
  sort?: string;
  /** CSS width (`8rem`, `20%`). */
  width?: string;
  align?: "right";
}

export interface PageRequest {
  limit: number;
  offset: number;
  sort?: string;
  order?: "asc" | "desc";
}

export interface DataTableProps<T> {
  columns: readonly Column<T>[];
  /** One page from the server; `total` absent = unknown (the table offers "next" while pages are full). */
  load: (page: PageRequest) => Promise<{ items: T[]; total?: number }>;
  rowKey: (row: T) => string;
  /** Changing it (a filter) goes back to the first page and loads again. */
  filterKey?: string;
  pageSize?: number;
  refreshMs?: number;
  initialSort?: { sort: string; order: "asc" | "desc" };
  empty?: ReactNode;
  label: string;
}

const PAGE_SIZES = [25, 50, 100, 200];

export function DataTable<T>({ columns, load, rowKey, filterKey = "", pageSize = 50, refreshMs, initialSort, empty, label }: DataTableProps<T>) {
  const [limit, setLimit] = useState(pageSize);
  const [offset, setOffset] = useState(0);
  const [sort, setSort] = useState(initialSort);
  const [lastFilter, setLastFilter] = useState(filterKey);
  if (lastFilter !== filterKey) {
    // A new filter starts on the first page (set during render: React re-renders at once).
    setLastFilter(filterKey);
    setOffset(0);
  }
  const request: PageRequest = { limit, offset, ...(sort === undefined ? {} : sort) };
  const { data, error } = useLoad(() => load(request), `${filterKey}|${limit}|${offset}|${sort?.sort ?? ""}|${sort?.order ?? ""}`, refreshMs);

  const toggleSort = (key: string) => {
    setSort((s) => ({ sort: key, order: s?.sort === key && s.order === "desc" ? "asc" : "desc" }));
    setOffset(0);
  };

  const total = data?.total;
  const count = data?.items.length ?? 0;
  const hasNext = total === undefined ? count === limit : offset + limit < total;

  return (
    <div className="table-block">
      <div className="table-scroll">
        <table className="grid" aria-label={label} aria-busy={data === undefined && error === undefined}>
          <thead>
            <tr>
              {columns.map((c) => {
                const active = c.sort !== undefined && sort?.sort === c.sort;
                return (
                  <th
                    key={c.header}
                    style={c.width === undefined ? undefined : { width: c.width }}
                    className={c.align === "right" ? "num" : undefined}
                    aria-sort={active ? (sort.order === "asc" ? "ascending" : "descending") : undefined}
                  >
                    {c.sort === undefined ? (
                      c.header
                    ) : (
                      <button type="button" className="sort" onClick={() => toggleSort(c.sort ?? "")}>
                        {c.header}
                        <span className="sort-mark" aria-hidden="true">
                          {active ? (sort.order === "asc" ? "▲" : "▼") : "↕"}
                        </span>
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {data?.items.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.header} className={c.align === "right" ? "num" : undefined}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))}
            {data !== undefined && count === 0 && (
              <tr>
                <td colSpan={columns.length} className="empty">
                  {empty ?? "Nothing here yet."}
                </td>
              </tr>
            )}
            {data === undefined && error === undefined && (
              <tr>
                <td colSpan={columns.length} className="empty">
                  Loading…
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {error !== undefined && (
        <div className="error" role="alert">
          {error.message}
        </div>
      )}
      <div className="pager">
        <span className="muted">
          {count === 0 ? "0" : `${formatCount(offset + 1)}–${formatCount(offset + count)}`}
          {total === undefined ? "" : ` of ${formatCount(total)}`}
        </span>
        <label className="muted">
          Rows
          <select
            value={limit}
            onChange={(e) => {
              setLimit(Number(e.target.value));
              setOffset(0);
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
          ‹ Previous
        </button>
        <button type="button" disabled={!hasNext} onClick={() => setOffset(offset + limit)}>
          Next ›
        </button>
      </div>
    </div>
  );
}
