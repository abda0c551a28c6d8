// What the operator's catalog, build and host pages share: the page's frame
// (title, lead, a region that says it is loading), a fact list, a state
// badge, and a button whose action waits for a confirmation (a state
// change: CSRF token and reauthentication are session.ts's).
import { append, clear, h } from "../dom";
import type { Key } from "../i18n";
import type { PageContext } from "../main";
import { errorNotice } from "./common";

export function staffPage(main: HTMLElement, ctx: PageContext, title: string, lead: string,
  breadcrumb?: HTMLElement): HTMLElement {
  const region = h("div", { "class": "container page", "aria-busy": "true" },
    h("p", { "class": "muted" }, ctx.t("ops.loading")));
  append(main,
    h("section", { "class": "hero hero-compact" },
      h("div", { "class": "container" }, breadcrumb ?? null, h("h1", {}, title), h("p", { "class": "lead" }, lead))),
    region);
  return region;
}

export function facts(items: [string, Node | string][]): HTMLElement {
  const list = h("dl", { "class": "ops-facts" });
  for (const [term, value] of items) append(list, h("div", {}, h("dt", {}, term), h("dd", {}, value)));
  return list;
}

// `style`: one of the stylesheet's badge-* (approved, pending, expired, closed, draft).
export function badge(text: string, style: string): HTMLElement {
  return h("span", { "class": `badge badge-${style}` }, text);
}

// A button, then "confirm / cancel" with `question`; confirmed, `run`
// goes; its failure is said under the button (errorNotice titled `failed`).
export function confirmedAction(ctx: PageContext, label: string, question: string, confirmLabel: string,
  failed: Key, run: () => Promise<void>): HTMLElement {
  const start = h("button", { "type": "button", "class": "button button-small" }, label);
  const box = h("div", { "class": "confirm", "hidden": "" });
  const yes = h("button", { "type": "button", "class": "button button-small" }, confirmLabel);
  const no = h("button", { "type": "button", "class": "button button-secondary button-small" }, ctx.t("op.cancel"));
  const result = h("div", { "role": "status" });
  append(box, h("p", { "class": "small" }, question), yes, " ", no);
  start.addEventListener("click", () => { start.hidden = true; box.hidden = false; yes.focus(); });
  no.addEventListener("click", () => { start.hidden = false; box.hidden = true; start.focus(); });
  yes.addEventListener("click", () => {
    yes.disabled = true;
    clear(result);
    append(result, h("p", { "class": "muted small" }, ctx.t("ops.working")));
    run().catch((e: unknown) => {
      yes.disabled = false;
      clear(result);
      append(result, errorNotice(ctx, failed, e));
    });
  });
  return h("div", { "class": "ops-action" }, start, box, result);
}

// A list of names (columns, tables) or "none".
export function names(ctx: PageContext, list: string[] | undefined): HTMLElement {
  if (!list || list.length === 0) return h("span", { "class": "muted" }, ctx.t("ops.none"));
  const out = h("ul", { "class": "ops-names" });
  for (const name of list) append(out, h("li", {}, h("code", {}, name)));
  return out;
}

// A table of the register's look: a header row of `columns`, `rows`, a
// caption (`hiddenCaption`: for screen readers only, the page's heading says it).
export function dataTable(ctx: PageContext, caption: string, columns: Key[], rows: HTMLElement[],
  hiddenCaption = true): HTMLElement {
  const head = h("tr", {});
  for (const key of columns) append(head, h("th", { "scope": "col" }, ctx.t(key)));
  const body = h("tbody", {});
  append(body, ...rows);
  return h("div", { "class": "table-wrap" },
    h("table", { "class": hiddenCaption ? "register data-table" : "register data-table ops-table" },
      h("caption", hiddenCaption ? { "class": "visually-hidden" } : {}, caption),
      h("thead", {}, head), body));
}
