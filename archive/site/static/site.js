// The site's small enhancements to Datasette's pages and its own (loaded on every page as a module).

// Table pages: the column descriptions fold into one line above the rows, and each column heading
// carries its description as a tooltip, so the rows are the first thing a reader sees.
for (const list of document.querySelectorAll("dl.column-descriptions")) {
  const details = document.createElement("details");
  details.className = "column-descriptions-folded";
  const summary = document.createElement("summary");
  summary.textContent = `列说明 Column descriptions (${list.querySelectorAll("dt").length})`;
  list.replaceWith(details);
  details.append(summary, list);
}
for (const heading of document.querySelectorAll("th[data-column-description]")) {
  heading.title = heading.dataset.columnDescription;
}

// Charts on the site's own pages: a Vega-Lite spec in a <script type="application/json"> next to its
// element, drawn with the Vega bundled by datasette-dashboards (no CDN). The page loads Vega with
// deferred scripts after this one, so the charts are drawn once they have all run.
document.addEventListener("DOMContentLoaded", () => {
  for (const target of document.querySelectorAll("[data-vega-spec]")) {
    const spec = JSON.parse(document.getElementById(target.dataset.vegaSpec).textContent);
    if (!window.vegaEmbed) {
      target.textContent = "图表库未加载 / The chart library did not load";
      continue;
    }
    window.vegaEmbed(target, spec, { actions: false, renderer: "svg" }).catch((error) => {
      target.textContent = `图表无法显示 / The chart could not be drawn: ${error}`;
    });
  }
});
