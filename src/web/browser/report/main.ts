import {
  decodeRows,
  REPORT_DETAILS_ID,
  REPORT_ROWS_ID,
  type ReportRows,
  type RowsBlock,
} from "../../report-data.js";
import { el, replaceChildren } from "../dom.js";
import { queryPage } from "./query-page.js";
import { Stories } from "./stories.js";
import { queriesTable } from "./table.js";

function readRows(): ReportRows {
  const text = document.getElementById(REPORT_ROWS_ID)?.textContent;
  if (!text) return { queries: [], comparisons: [], settings: [], storiesPerChunk: 1 };
  return decodeRows(JSON.parse(text) as RowsBlock);
}

/**
 * The report's script: the queries table, and a page per query at #q/<index>. It runs between the
 * rows and the stories: the table works at once; a query's page reads its story when it opens.
 */
function start(): void {
  const rows = readRows();
  const stories = new Stories(() => document.getElementById(REPORT_DETAILS_ID), rows.storiesPerChunk);
  const overview = document.getElementById("overview")!;
  const page = document.getElementById("query-page")!;
  const title = document.title;
  let overviewScroll = 0;
  // Whether the query page was opened from the table (back returns there) or directly by its address.
  let fromTable = false;
  // The page being shown: a story read late for a page since left is not drawn.
  let shown = -1;

  queriesTable(rows.queries, document.getElementById("queries")!);

  async function showQuery(index: number): Promise<void> {
    shown = index;
    const row = rows.queries[index];
    replaceChildren(page, el("p", { class: "muted", id: "loading" }, "Reading the query's iterations…"));
    let detail;
    let failure = "This page has no iterations for this query.";
    try {
      detail = await stories.query(index);
    } catch (error) {
      detail = null;
      failure = `The query's iterations could not be read: ${String(error)}`;
    }
    if (shown !== index) return;
    if (!detail) {
      replaceChildren(page, el("p", { class: "error" }, failure));
      return;
    }
    const settings = rows.settings[detail.settings] ?? [];
    replaceChildren(page, queryPage({ row, detail, settings }, rows.comparisons));
    document.getElementById("back")!.addEventListener("click", () => {
      if (fromTable) history.back();
      else location.hash = "";
    });
    page.setAttribute("data-query", String(index));
  }

  function route(): void {
    const match = /^#q\/(\d+)$/.exec(location.hash);
    const index = match ? Number(match[1]) : -1;
    if (!(index >= 0 && index < rows.queries.length)) {
      if (page.hidden) return; // an anchor of the overview: the browser scrolls to it
      shown = -1;
      fromTable = false;
      page.hidden = true;
      page.removeAttribute("data-query");
      overview.hidden = false;
      document.title = title;
      window.scrollTo(0, overviewScroll);
      return;
    }
    fromTable = !overview.hidden || fromTable;
    if (!overview.hidden) overviewScroll = window.scrollY;
    page.removeAttribute("data-query");
    overview.hidden = true;
    page.hidden = false;
    document.title = `${rows.queries[index].id} · ${title}`;
    window.scrollTo(0, 0);
    void showQuery(index);
  }

  window.addEventListener("hashchange", route);
  route();
  document.body.setAttribute("data-ready", "");
}

start();
