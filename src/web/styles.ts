/** The look the pages share (the report, the playground): type, tables, notes. */
export const BASE_STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 980px; color: #222; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1.05rem; margin: 0 0 .6rem; } h4 { font-size: .95rem; margin: .8rem 0 .3rem; }
.note { background: #fff6d6; border: 1px solid #e8d48a; padding: .6rem .9rem; border-radius: 4px; }
.meta, .muted { color: #555; font-size: .9rem; }
.error { background: #fde8e8; border: 1px solid #e6a1a1; padding: .6rem .9rem; border-radius: 4px; white-space: pre-wrap; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .7rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
button { font: inherit; cursor: pointer; }
[hidden] { display: none !important; }`;

/** An iteration's view: candidates with scores and badges, critique, suggestions, the diff. */
export const ITERATION_STYLE = `
.iteration { border: 1px solid #ddd; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; background: #fff; }
.iteration .cost { color: #666; font-weight: normal; font-size: .85rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f7; border-radius: 4px; padding: .5rem .7rem; font-size: .9rem; }
.critique .text { background: #f3f0fb; } .gradient .text { background: #eef6ee; }
.candidate { border-left: 3px solid #ccc; margin: .3rem 0; padding-left: .5rem; }
.candidate > summary { cursor: pointer; list-style-position: outside; }
.candidate .first-line { color: #333; }
.candidate[open] .first-line { display: none; }
.candidate .text { margin: .3rem 0 .5rem; }
.score { font-variant-numeric: tabular-nums; font-weight: 600; display: inline-block; min-width: 3.2em; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 3px; margin-right: .2rem; color: #fff; }
.badge.chosen { background: #1f7a3a; } .badge.rejected { background: #b3261e; } .badge.best { background: #1f5fbf; }
.candidate:has(.badge.chosen) { border-left-color: #1f7a3a; } .candidate:has(.badge.rejected) { border-left-color: #b3261e; }
.diff ins { background: #d4f5d9; text-decoration: none; } .diff del { background: #fbd9d9; color: #7a1f1f; }
.legend ins { background: #d4f5d9; text-decoration: none; } .legend del { background: #fbd9d9; }
.reward-chart { max-width: 100%; height: auto; }
.reward-chart .grid { stroke: #eee; } .reward-chart .axis { stroke: #333; }
.reward-chart .tick, .reward-chart .axis-label { font-size: 11px; fill: #444; }
.reward-chart .candidate-dot { fill: #999; fill-opacity: .7; }
.reward-chart .best-line { fill: none; stroke: #1f5fbf; stroke-width: 2; } .reward-chart .best-dot { fill: #1f5fbf; }
.final-answer .text { background: #eef3fb; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; font-size: .9rem; }
.facts dt { color: #555; } .facts dd { margin: 0; overflow-wrap: anywhere; }
.turn .role { font-size: .8rem; color: #555; }`;

/** The playground's style sheet: inline, allowed by its hash in the page's policy. */
export const PLAYGROUND_STYLE = `${BASE_STYLE}
form { display: grid; gap: .6rem; }
textarea { font: inherit; width: 100%; box-sizing: border-box; padding: .5rem; }
#prompt { min-height: 6rem; }
.settings { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; align-items: end; }
.settings label { display: grid; gap: .15rem; font-size: .85rem; color: #444; }
.settings input, .settings select { font: inherit; padding: .2rem .3rem; }
.settings input[type="number"] { width: 6rem; }
.more .settings label { max-width: 100%; }
.more textarea { min-height: 3rem; }
.actions { display: flex; gap: .6rem; align-items: center; }
.actions button { padding: .4rem 1.1rem; border-radius: 4px; border: 1px solid #888; background: #f4f4f4; }
#run { background: #1f5fbf; color: #fff; border-color: #1f5fbf; }
button:disabled { opacity: .5; cursor: default; }
#status { color: #444; }
.conversation .turn { margin: .4rem 0; }
.costs { display: flex; gap: 1.5rem; font-size: .9rem; }
.costs b { font-variant-numeric: tabular-nums; }
.pending { color: #777; font-style: italic; }
${ITERATION_STYLE}`;
