import type { QueryRow } from "../../report-data.js";
import { el, hashLink, replaceChildren } from "../dom.js";
import { count, firstLine, fixed, signed } from "../format.js";

/** A column of the queries table: its label, the value it sorts by, and its cell. */
interface Column {
  key: string;
  label: string;
  title?: string;
  numeric: boolean;
  value: (q: QueryRow) => string | number | null;
  cell: (q: QueryRow, index: number) => Node | string;
}

const COLUMNS: Column[] = [
  {
    key: "id",
    label: "id",
    numeric: false,
    value: (q) => q.id,
    cell: (q, i) => hashLink(`q/${i}`, q.id || "(no id)"),
  },
  {
    key: "query",
    label: "query",
    numeric: false,
    value: (q) => q.query ?? "",
    cell: (q) => firstLine(q.query ?? "", 90),
  },
  { key: "mode", label: "mode", numeric: false, value: (q) => q.mode, cell: (q) => q.mode },
  {
    key: "first",
    label: "first",
    title: "best score of the first samples",
    numeric: true,
    value: (q) => q.first,
    cell: (q) => fixed(q.first),
  },
  {
    key: "best",
    label: "best",
    title: "score of the answer",
    numeric: true,
    value: (q) => q.best,
    cell: (q) => fixed(q.best),
  },
  {
    key: "gain",
    label: "gain",
    title: "best − first",
    numeric: true,
    value: (q) => q.gain,
    cell: (q) => signed(q.gain),
  },
  {
    key: "bestIteration",
    label: "best at",
    title: "the iteration that wrote the answer",
    numeric: true,
    value: (q) => q.bestIteration,
    cell: (q) => count(q.bestIteration),
  },
  {
    key: "stop",
    label: "stopped by",
    numeric: false,
    value: (q) => (q.error !== null ? "failed" : q.stopReason),
    cell: (q) => (q.error !== null ? el("span", { class: "failed" }, "failed") : (q.stopReason ?? "–")),
  },
  {
    key: "requests",
    label: "requests",
    numeric: true,
    value: (q) => q.requests,
    cell: (q) => count(q.requests),
  },
  { key: "tokens", label: "tokens", numeric: true, value: (q) => q.tokens, cell: (q) => count(q.tokens) },
  {
    key: "usd",
    label: "USD",
    title: "what the query cost, at the prices it was run with",
    numeric: true,
    value: (q) => q.costUsd,
    cell: (q) => fixed(q.costUsd, 4),
  },
];

const PAGE_SIZE = 50;

const collator = new Intl.Collator("en", { numeric: true });

/** What the table shows: the sort, the search, the page; kept while a query's page is open. */
interface TableState {
  sort: string | null;
  descending: boolean;
  search: string;
  page: number;
}

/**
 * The table of every query result: sortable by each column, searchable by text (id, query, mode,
 * stop reason, error), paged so that only one page of rows is ever in the document.
 */
export function queriesTable(queries: readonly QueryRow[], container: HTMLElement): void {
  const state: TableState = { sort: null, descending: false, search: "", page: 0 };
  let haystacks: string[] | null = null;
  let order: number[] = queries.map((_, i) => i);

  const search = el("input", {
    type: "search",
    id: "query-search",
    placeholder: "Search id, query, mode, stop reason…",
    "aria-label": "Search the queries",
    autocomplete: "off",
    spellcheck: false,
  });
  const status = el("span", { class: "muted", id: "query-count", role: "status" });
  const headRow = el("tr");
  const body = el("tbody");
  const prev = el("button", { type: "button", id: "page-prev" }, "← previous");
  const next = el("button", { type: "button", id: "page-next" }, "next →");
  const pageLabel = el("span", { class: "muted", id: "page-label" });
  // The money column only when some query was run with prices: no prices, no money figures.
  const columns = queries.some((q) => q.costUsd !== null) ? COLUMNS : COLUMNS.filter((c) => c.key !== "usd");
  const headers = columns.map((column) => {
    const button = el(
      "button",
      {
        type: "button",
        class: "sort",
        "data-key": column.key,
        title: column.title ?? `sort by ${column.label}`,
      },
      column.label,
    );
    const th = el("th", { class: column.numeric ? "num" : null, "aria-sort": "none" }, button);
    button.addEventListener("click", () => {
      if (state.sort === column.key) state.descending = !state.descending;
      else {
        state.sort = column.key;
        state.descending = column.numeric; // numbers: highest first
      }
      state.page = 0;
      refresh();
    });
    headRow.appendChild(th);
    return th;
  });

  function matching(): number[] {
    const needle = state.search.trim().toLowerCase();
    const all = queries.map((_, i) => i);
    if (needle === "") return all;
    haystacks ??= queries.map((q) =>
      [q.id, q.query ?? "", q.mode, q.stopReason ?? "", q.error ?? ""].join("\n").toLowerCase(),
    );
    return all.filter((i) => haystacks![i].includes(needle));
  }

  function sorted(indices: number[]): number[] {
    const column = columns.find((c) => c.key === state.sort);
    if (!column) return indices;
    const sign = state.descending ? -1 : 1;
    const values = queries.map(column.value);
    return indices.sort((x, y) => {
      const a = values[x];
      const b = values[y];
      if (a === null || b === null) return a === b ? x - y : a === null ? 1 : -1; // none last
      const cmp =
        typeof a === "number" && typeof b === "number" ? a - b : collator.compare(String(a), String(b));
      return cmp === 0 ? x - y : sign * cmp;
    });
  }

  function renderRows(): void {
    const pages = Math.max(1, Math.ceil(order.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * PAGE_SIZE;
    const rows = order.slice(start, start + PAGE_SIZE).map((i) => {
      const q = queries[i];
      const tr = el(
        "tr",
        { "data-index": i, class: q.error !== null ? "failed-row" : null },
        columns.map((c) => el("td", { class: c.numeric ? "num" : null }, c.cell(q, i))),
      );
      return tr;
    });
    replaceChildren(body, rows);
    status.textContent =
      order.length === queries.length
        ? `${count(queries.length)} query results`
        : `${count(order.length)} of ${count(queries.length)} query results match`;
    pageLabel.textContent = `page ${state.page + 1} of ${pages}`;
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
  }

  function refresh(): void {
    order = sorted(matching());
    headers.forEach((th, i) => {
      const key = columns[i].key;
      th.setAttribute(
        "aria-sort",
        state.sort !== key ? "none" : state.descending ? "descending" : "ascending",
      );
    });
    renderRows();
  }

  search.addEventListener("input", () => {
    state.search = search.value;
    state.page = 0;
    refresh();
  });
  prev.addEventListener("click", () => {
    state.page--;
    renderRows();
  });
  next.addEventListener("click", () => {
    state.page++;
    renderRows();
  });
  body.addEventListener("click", (event) => {
    const target = event.target as Element;
    if (target.closest("a")) return; // the link navigates by itself
    const row = target.closest("tr");
    const index = Number(row?.getAttribute("data-index"));
    if (Number.isInteger(index)) location.hash = `q/${index}`;
  });

  replaceChildren(
    container,
    el("div", { class: "table-tools" }, search, " ", status),
    el(
      "div",
      { class: "table-scroll" },
      el("table", { id: "queries-table" }, el("thead", {}, headRow), body),
    ),
    el("div", { class: "pager" }, prev, " ", pageLabel, " ", next),
  );
  refresh();
}
