import { REPORT_DATA_ID, type ReportData } from "../../report-data.js";
import { replaceChildren } from "../dom.js";
import { queriesTable } from "./table.js";
import { queryPage } from "./query-page.js";

/** The report's script: the queries table, and a page per query at #q/<index>. */
function start(): void {
  const data = JSON.parse(document.getElementById(REPORT_DATA_ID)?.textContent ?? "{}") as ReportData;
  const queries = data.queries ?? [];
  const overview = document.getElementById("overview")!;
  const page = document.getElementById("query-page")!;
  const title = document.title;
  let overviewScroll = 0;
  // Whether the query page was opened from the table (back returns there) or directly by its address.
  let fromTable = false;

  queriesTable(queries, document.getElementById("queries")!);

  function route(): void {
    const match = /^#q\/(\d+)$/.exec(location.hash);
    const index = match ? Number(match[1]) : -1;
    const q = index >= 0 && index < queries.length ? queries[index] : undefined;
    if (!q) {
      if (page.hidden) return; // an anchor of the overview: the browser scrolls to it
      fromTable = false;
      page.hidden = true;
      overview.hidden = false;
      document.title = title;
      window.scrollTo(0, overviewScroll);
      return;
    }
    fromTable = !overview.hidden || fromTable;
    if (!overview.hidden) overviewScroll = window.scrollY;
    replaceChildren(page, queryPage(q, data.comparisons ?? []));
    document.getElementById("back")!.addEventListener("click", () => {
      if (fromTable) history.back();
      else location.hash = "";
    });
    overview.hidden = true;
    page.hidden = false;
    document.title = `${q.id} · ${title}`;
    window.scrollTo(0, 0);
  }

  window.addEventListener("hashchange", route);
  route();
  document.body.setAttribute("data-ready", "");
}

start();
