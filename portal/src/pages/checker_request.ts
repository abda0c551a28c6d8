// One export request as its checker reads it (issue 11, issue 13 §4): its
// outputs with the automatic checks' results, custom outputs and findings
// that need the checkers' reasons flagged, the history of reviews and
// decisions, and the review form: per output approve, changes or reject
// with a comment (required where the API requires one), sent with the
// revision read (POST …/reviews); and returning or rejecting the whole
// request with a reason (POST …/decisions). The request is read with its
// evidence (?evidence=true): under each output, its file as it would leave
// and the true values of the cells withheld from it. State changes carry
// the CSRF token and a 401 "reauth" sends to sign in again (session.ts).
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { apiJson, requireSession } from "../session";
import { errorNotice, formatTime } from "./common";
import { asItWouldLeave } from "./export_file_view";
import {
  cannotReview, commentRequired, currentReviews, keepEvidence, kReviewsNeeded, needsReasons, reviewBody,
  type ExportOutput, type ExportRequest, type OutputDecision, type RequestEvidence,
} from "./export_model";
import { history, outputChecks, stateBadge } from "./export_view";

const kDecisions: OutputDecision[] = ["approve", "changes", "reject"];

interface Choice {
  decision?: OutputDecision;
  comment: string;
}

function outputSection(ctx: PageContext, r: RequestEvidence, o: ExportOutput, index: number, reviewable: boolean,
  chosen: Record<string, Choice>): HTMLElement {
  const headingId = `xr-output-${index}`;
  const section = h("section", { "class": "xr-output", "aria-labelledby": headingId },
    h("h3", { "id": headingId }, h("code", {}, o.name),
      needsReasons(o) ? h("span", { "class": "badge badge-expired" }, ctx.t("xr.needsReasons")) : null),
    outputChecks(ctx, o), asItWouldLeave(ctx, r, o));
  if (!reviewable) return section;
  const choice: Choice = { comment: "" };
  chosen[o.name] = choice;
  const commentId = `xr-comment-${index}`;
  const hintId = `xr-comment-hint-${index}`;
  const comment = h("textarea", { "id": commentId, "class": "xr-textarea", "rows": "2", "aria-describedby": hintId });
  const hint = h("span", { "id": hintId, "class": "hint" });
  const update = (): void => {
    const required = choice.decision !== undefined && commentRequired(o, choice.decision);
    comment.setAttribute("aria-required", required ? "true" : "false");
    hint.textContent = ctx.t(required ? "xr.comment.required"
      : needsReasons(o) ? "xr.comment.reasons" : "xr.comment.optional");
  };
  const radios = h("div", { "class": "xr-radios" });
  for (const d of kDecisions) {
    const id = `xr-${index}-${d}`;
    const input = h("input", { "type": "radio", "id": id, "name": `xr-decision-${index}`, "value": d });
    input.addEventListener("change", () => { choice.decision = d; update(); });
    append(radios, h("span", { "class": `xr-radio xr-radio-${d}` }, input,
      h("label", { "for": id }, ctx.t(`xr.decide.${d}`))));
  }
  comment.addEventListener("input", () => { choice.comment = comment.value; });
  update();
  append(section, h("fieldset", { "class": "xr-fieldset" },
    h("legend", {}, ctx.t("xr.decide.legend", { output: o.name })),
    radios,
    h("label", { "for": commentId, "class": "field-label" }, ctx.t("xr.comment.label")),
    hint, comment));
  return section;
}

function why(ctx: PageContext, reason: "author" | "reviewed" | "state", r: ExportRequest): HTMLElement {
  const key = reason === "author" ? "xr.cannot.author" : reason === "reviewed" ? "xr.cannot.reviewed" : "xr.cannot.state";
  return h("div", { "class": "notice notice-info xr-cannot" }, h("p", {}, ctx.t(key, { n: r.revision })));
}

// Return or reject the whole request, with the checker's reason.
function decisionForm(ctx: PageContext, r: ExportRequest, done: (next: ExportRequest) => void): HTMLElement {
  const select = h("select", { "id": "xr-whole", "class": "role-select" },
    h("option", { value: "return" }, ctx.t("xr.whole.return")),
    h("option", { value: "reject" }, ctx.t("xr.whole.reject")));
  const reason = h("textarea", { "id": "xr-whole-reason", "class": "xr-textarea", "rows": "2", "aria-required": "true" });
  const send = h("button", { "type": "button", "class": "button button-secondary" }, ctx.t("xr.whole.send"));
  const result = h("div", { "role": "status" });
  send.addEventListener("click", () => {
    clear(result);
    if (reason.value.trim() === "") {
      append(result, h("p", { "class": "notice notice-error" }, ctx.t("xr.whole.needReason")));
      reason.focus();
      return;
    }
    send.disabled = true;
    apiJson<ExportRequest>(`/api/v1/export-requests/${encodeURIComponent(r.id)}/decisions`, {
      method: "POST", role: "checker", body: { decision: select.value, revision: r.revision, reason: reason.value.trim() },
    })
      .then(done)
      .catch((e: unknown) => { append(result, errorNotice(ctx, "xr.whole.error", e)); })
      .finally(() => { send.disabled = false; });
  });
  return h("details", { "class": "xr-whole" },
    h("summary", {}, ctx.t("xr.whole.title")),
    h("p", { "class": "muted small" }, ctx.t("xr.whole.text")),
    h("label", { "for": "xr-whole", "class": "field-label" }, ctx.t("xr.whole.decision")), select,
    h("label", { "for": "xr-whole-reason", "class": "field-label" }, ctx.t("xr.whole.reason")), reason,
    h("p", {}, send), result);
}

function renderRequest(ctx: PageContext, head: HTMLElement, region: HTMLElement, r: RequestEvidence, user: string,
  reload: () => void, notice?: HTMLElement): void {
  ctx.setTitle(`${r.title || r.id} · ${ctx.t("nav.checkerQueue")}`);
  clear(head);
  const reviews = currentReviews(r).length;
  append(head,
    h("p", { "class": "breadcrumb" }, ctx.link("/checker", ctx.t("nav.checkerQueue")), " › ", r.id),
    h("h1", {}, r.title || r.id),
    h("dl", { "class": "project-facts" },
      ...([["xr.col.project", r.project], ["xr.col.author", r.author],
        ["xr.col.created", formatTime(ctx, r.created_at)], ["xr.col.revision", String(r.revision)]] as const)
        .map(([k, v]) => h("div", { "class": "fact-item" }, h("dt", {}, ctx.t(k)), h("dd", {}, v))),
      h("div", { "class": "fact-item" }, h("dt", {}, ctx.t("xr.col.state")), h("dd", {}, stateBadge(ctx, r.state))),
      h("div", { "class": "fact-item" }, h("dt", {}, ctx.t("xr.col.reviews")),
        h("dd", { "id": "xr-progress" }, ctx.t("xr.reviews", { n: reviews, of: kReviewsNeeded })))));
  clear(region);
  if (notice) append(region, notice);
  const cannot = cannotReview(r, user);
  if (cannot) append(region, why(ctx, cannot, r));
  const chosen: Record<string, Choice> = {};
  append(region, h("h2", {}, ctx.t("xr.outputs.title", { n: r.outputs.length })),
    h("p", { "class": "muted" }, ctx.t("xr.outputs.lead")));
  if (r.outputs.length === 0) append(region, h("p", { "class": "notice notice-info" }, ctx.t("xr.outputs.empty")));
  r.outputs.forEach((o, i) => append(region, outputSection(ctx, r, o, i, cannot === null, chosen)));
  if (cannot === null && r.outputs.length > 0) {
    const send = h("button", { "type": "button", "class": "button" }, ctx.t("xr.send"));
    const result = h("div", { "role": "status", "class": "xr-result" });
    send.addEventListener("click", () => {
      clear(result);
      const built = reviewBody(r, chosen);
      if ("missing" in built) {
        append(result, h("div", { "class": "notice notice-error" },
          h("p", {}, ctx.t("xr.missing", { outputs: built.missing.join(", ") }))));
        return;
      }
      send.disabled = true;
      apiJson<ExportRequest>(`/api/v1/export-requests/${encodeURIComponent(r.id)}/reviews`,
        { method: "POST", role: "checker", body: built.body })
        .then((next) => renderRequest(ctx, head, region, keepEvidence(r, next), user, reload,
          h("div", { "class": "notice xr-sent", "role": "status" }, h("p", {}, ctx.t("xr.sent")))))
        .catch((e: unknown) => {
          send.disabled = false;
          append(result, errorNotice(ctx, "xr.send.error", e, reload));
        });
    });
    append(region, h("div", { "class": "xr-actions" },
      h("p", { "class": "muted small" }, ctx.t("xr.send.text", { n: r.revision })), send, result));
  }
  if (r.author !== user && ["submitted", "partially_reviewed", "reviewed"].includes(r.state)) {
    append(region, decisionForm(ctx, r,
      (next) => renderRequest(ctx, head, region, keepEvidence(r, next), user, reload)));
  }
  append(region, history(ctx, r));
}

export function renderCheckerRequest(main: HTMLElement, ctx: PageContext): void {
  const id = ctx.params.rid ?? "";
  requireSession(main, ctx, ["checker"], (session) => {
    const head = h("div", { "class": "container" },
      h("p", { "class": "breadcrumb" }, ctx.link("/checker", ctx.t("nav.checkerQueue")), " › ", id),
      h("h1", {}, id));
    const region = h("div", { "class": "container page", "aria-busy": "true" },
      h("p", { "class": "muted" }, ctx.t("xr.request.loading")));
    append(main, h("section", { "class": "hero hero-compact" }, head), region);
    const load = (): void => {
      region.setAttribute("aria-busy", "true");
      apiJson<RequestEvidence>(`/api/v1/export-requests/${encodeURIComponent(id)}?evidence=true`, { role: "checker" })
        .then((r) => renderRequest(ctx, head, region, r, session.user, load))
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "xr.request.error", e, load));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    load();
  });
}
