import { BASE_STYLE, ITERATION_STYLE } from "../../web/styles.js";

/** The report's style sheet: inline, allowed by its hash in the page's Content-Security-Policy. */
export const REPORT_STYLE = `${BASE_STYLE}
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
#compare td { white-space: nowrap; }
#compare th:nth-child(2), #compare td:nth-child(2) { text-align: left; }
#leaderboard th, #leaderboard td { white-space: nowrap; }
#leaderboard :is(th, td):nth-child(-n+3) { text-align: left; }
.side-a { color: #1f5fbf; } .side-b { color: #e07b00; }
.table-tools { display: flex; align-items: center; gap: .6rem; }
#query-search { flex: 0 1 24rem; padding: .3rem .5rem; font: inherit; }
#queries-table { width: 100%; }
.table-scroll { overflow-x: auto; }
#queries-table td, #queries-table th { text-align: left; }
#queries-table td.num, #queries-table th.num { text-align: right; font-variant-numeric: tabular-nums; }
#queries-table tbody tr { cursor: pointer; }
#queries-table tbody tr:hover { background: #f2f6fc; }
#queries-table th, #queries-table td { white-space: nowrap; }
/* The query column takes the width the others leave, so the table fits the page; its text ends in an ellipsis. */
#queries-table td:nth-child(2) { max-width: 0; width: 100%; overflow: hidden; text-overflow: ellipsis; }
th .sort { background: none; border: 0; padding: 0; font-weight: 600; color: #222; }
th[aria-sort="ascending"] .sort::after { content: " ▲"; } th[aria-sort="descending"] .sort::after { content: " ▼"; }
.failed, .failed-row td:nth-child(8) { color: #b3261e; }
.pager { display: flex; gap: .6rem; align-items: center; }
.back { background: none; border: 1px solid #bbb; border-radius: 4px; padding: .2rem .6rem; }
#query-title .mode { color: #666; font-weight: normal; }
${ITERATION_STYLE}`;
