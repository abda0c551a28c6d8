// The SQL console of a project (issue 11): an editor whose text is drawn
// highlighted in a <pre> behind a transparent textarea (sql_highlight.ts,
// no dependency), Run (Ctrl+Enter) and Cancel (an AbortController: the
// browser stops reading and closes the connection; hdhub serve does not
// interrupt a statement already running for that, it finishes it, audited,
// within [serve.query] timeout, and the page says so), the first kMaxRows rows of each
// statement as a table while the NDJSON streams in, the row count and the
// time, errors as the server words them, and the history of this tab's
// queries in sessionStorage (the SQL and when, never a result).
import type { Project } from "../api";
import { ApiError } from "../api";
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { cellText, type QueryStreamParser, type StatementResult } from "../ndjson";
import { tokenize } from "../sql_highlight";
import { errorNotice, formatTime, inactiveNotice } from "./common";
import { projectFrame, runProjectQuery } from "./project";

const kMaxRows = 1000;
const kHistorySize = 20;

interface HistoryEntry {
  sql: string;
  at: string;
}

function historyKey(project: string): string {
  return `hdhub.history.${project}`;
}

export function loadHistory(project: string): HistoryEntry[] {
  try {
    const parsed: unknown = JSON.parse(window.sessionStorage.getItem(historyKey(project)) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((e) => typeof e?.sql === "string" && typeof e?.at === "string") : [];
  } catch {
    return [];
  }
}

function remember(project: string, sql: string): HistoryEntry[] {
  const entries = [{ sql, at: new Date().toISOString() }, ...loadHistory(project).filter((e) => e.sql !== sql)]
    .slice(0, kHistorySize);
  try {
    window.sessionStorage.setItem(historyKey(project), JSON.stringify(entries));
  } catch {
    // Storage refused: the history lasts as long as the page.
  }
  return entries;
}

function highlight(layer: HTMLElement, sql: string): void {
  clear(layer);
  for (const token of tokenize(sql)) {
    append(layer, token.kind === "text" ? token.text : h("span", { "class": `tok-${token.kind}` }, token.text));
  }
  append(layer, "\n");  // a last empty line keeps its height
}

function resultTable(ctx: PageContext, r: StatementResult): HTMLElement {
  const head = h("tr", {});
  for (const c of r.columns) {
    append(head, h("th", { "scope": "col" }, c.name, h("span", { "class": "col-type" }, c.type)));
  }
  const body = h("tbody", {});
  for (const row of r.rows) {
    const tr = h("tr", {});
    for (const value of row) {
      const text = cellText(value);
      append(tr, h("td", { "class": typeof value === "number" ? "num" : undefined },
        text === null ? h("span", { "class": "null" }, "NULL") : text));
    }
    append(body, tr);
  }
  const caption = r.of > 1 ? ctx.t("console.statement", { n: r.statement, of: r.of }) : ctx.t("console.result");
  return h("div", { "class": "table-wrap result", "tabindex": "0" },
    h("table", { "class": "data-table compact results" },
      h("caption", { "class": r.of > 1 ? "result-caption" : "visually-hidden" }, caption),
      h("thead", {}, head), body));
}

function drawResults(ctx: PageContext, region: HTMLElement, parser: QueryStreamParser): void {
  clear(region);
  for (const r of parser.results) {
    append(region, resultTable(ctx, r));
    if (r.rowCount > r.rows.length) {
      append(region, h("p", { "class": "muted small" }, ctx.t("console.truncated", { shown: r.rows.length, n: r.rowCount })));
    }
  }
}

function renderConsoleBody(ctx: PageContext, region: HTMLElement, p: Project): void {
  const history = loadHistory(p.id);
  const first = Object.keys(p.scope.tables ?? {})[0];
  const textarea = h("textarea", {
    "id": "sql", "class": "sql-input", "spellcheck": "false", "autocapitalize": "off", "autocomplete": "off",
    "aria-describedby": "sql-hint", "rows": "8", "wrap": "off",
  });
  textarea.value = history[0]?.sql ?? (first ? `SELECT *\nFROM ${first}\nLIMIT 100` : "SELECT 1");
  const layer = h("pre", { "class": "sql-highlight", "aria-hidden": "true" });
  const sync = (): void => {
    highlight(layer, textarea.value);
    layer.scrollTop = textarea.scrollTop;
    layer.scrollLeft = textarea.scrollLeft;
  };
  textarea.addEventListener("input", sync);
  textarea.addEventListener("scroll", sync);
  sync();
  const run = h("button", { "type": "button", "class": "button" }, ctx.t("console.run"));
  const cancel = h("button", { "type": "button", "class": "button button-secondary", "disabled": "" }, ctx.t("console.cancel"));
  const status = h("p", { "class": "console-status", "role": "status", "aria-live": "polite" });
  const results = h("div", { "class": "results-region" });
  const historyList = h("ol", { "class": "history" });
  let controller: AbortController | null = null;

  const drawHistory = (entries: HistoryEntry[]): void => {
    clear(historyList);
    if (entries.length === 0) append(historyList, h("li", { "class": "muted" }, ctx.t("console.history.empty")));
    for (const e of entries) {
      const use = h("button", { "type": "button", "class": "link-button" }, ctx.t("console.history.use"));
      use.addEventListener("click", () => { textarea.value = e.sql; sync(); textarea.focus(); });
      append(historyList, h("li", {}, h("pre", { "class": "history-sql" }, e.sql),
        h("span", { "class": "muted small" }, formatTime(ctx, e.at)), " ", use));
    }
  };
  drawHistory(history);

  const execute = (): void => {
    const sql = textarea.value.trim();
    if (sql === "" || controller) return;
    drawHistory(remember(p.id, sql));
    controller = new AbortController();
    run.disabled = true;
    cancel.disabled = false;
    results.setAttribute("aria-busy", "true");
    clear(results);
    status.textContent = ctx.t("console.running");
    const started = performance.now();
    const seconds = (): string => ((performance.now() - started) / 1000).toLocaleString(ctx.lang, { maximumFractionDigits: 2 });
    let drawn = 0;
    runProjectQuery(p.id, sql, kMaxRows, controller.signal, (parser) => {
      // Redraw as rows arrive, at most every 200 ms.
      if (performance.now() - drawn < 200) return;
      drawn = performance.now();
      drawResults(ctx, results, parser);
      status.textContent = ctx.t("console.streaming", { n: parser.rowCount.toLocaleString(ctx.lang) });
    })
      .then(({ parser: done, whole }) => {
        drawResults(ctx, results, done);
        if (done.error) {
          append(results, errorNotice(ctx, "console.error.title",
            new ApiError(done.error.status, done.error.title, done.error.detail)));
        }
        status.textContent = ctx.t(whole && !done.error ? "console.done" : "console.partial",
          { n: done.rowCount.toLocaleString(ctx.lang), s: seconds() });
      })
      .catch((e: unknown) => {
        if (e instanceof DOMException && e.name === "AbortError") {
          status.textContent = ctx.t("console.cancelled", { s: seconds() });
          return;
        }
        status.textContent = ctx.t("console.failed", { s: seconds() });
        append(results, errorNotice(ctx, "console.error.title", e));
      })
      .finally(() => {
        controller = null;
        run.disabled = false;
        cancel.disabled = true;
        results.setAttribute("aria-busy", "false");
      });
  };
  run.addEventListener("click", execute);
  cancel.addEventListener("click", () => controller?.abort());
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      execute();
    }
  });

  append(region,
    h("div", { "class": "console-grid" },
      h("div", { "class": "console-main" },
        h("label", { "for": "sql", "class": "field-label" }, ctx.t("console.sql")),
        h("p", { "id": "sql-hint", "class": "hint" }, ctx.t("console.hint", { n: kMaxRows })),
        h("div", { "class": "sql-editor" }, layer, textarea),
        h("div", { "class": "console-actions" }, run, cancel, status),
        results),
      h("aside", { "class": "console-side", "aria-labelledby": "history-title" },
        h("h2", { "id": "history-title" }, ctx.t("console.history")),
        h("p", { "class": "muted small" }, ctx.t("console.history.note")),
        historyList)));
}

export function renderConsole(main: HTMLElement, ctx: PageContext): void {
  projectFrame(main, ctx, "console", (region, p) => {
    if (p.phase !== "active") {
      append(region, inactiveNotice(ctx));
      return;
    }
    renderConsoleBody(ctx, region, p);
  });
}
