// The operator's and steward's pages (issue 11): every project with its
// state and its dual-control approvals (who approved, how many must
// still), an Approve button for an operator (a state change: CSRF token,
// and a fresh sign-in when the server asks for one), and the accounts with
// their roles. GET /api/v1/projects, POST /api/v1/projects/{id}/approvals,
// GET /api/v1/users.
import type { Project, SessionInfo, UserLine } from "../api";
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { apiAll, apiJson, requireSession, roleLabel, type Role } from "../session";
import { errorNotice, formatDay, formatTime, phaseBadge } from "./common";

const kApprovalsNeeded = 2;  // policy: project.approve is dual control

function page(main: HTMLElement, ctx: PageContext, title: string, lead: string): HTMLElement {
  const region = h("div", { "class": "container page", "aria-busy": "true" },
    h("p", { "class": "muted" }, ctx.t("projects.loading")));
  append(main,
    h("section", { "class": "hero hero-compact" },
      h("div", { "class": "container" }, h("h1", {}, title), h("p", { "class": "lead" }, lead))),
    region);
  return region;
}

function approvals(ctx: PageContext, p: Project, session: SessionInfo, role: Role, reload: () => void): HTMLElement {
  const cell = h("div", { "class": "approvals" });
  const list = h("ul", { "class": "approvers" });
  for (const a of p.approvers) append(list, h("li", {}, ctx.t("op.approvedBy", { user: a })));
  append(cell, list);
  if (p.state !== "draft") return cell;
  const missing = Math.max(0, kApprovalsNeeded - p.approvers.length);
  append(cell, h("p", { "class": "muted small" }, ctx.t("op.missing", { n: missing })));
  const mine = p.approvers.includes(session.user);
  const member = p.members.includes(session.user);
  if (role !== "operator" || mine || member) {
    append(cell, h("p", { "class": "muted small" },
      ctx.t(role !== "operator" ? "op.onlyOperators" : mine ? "op.youApproved" : "op.youAreMember")));
    return cell;
  }
  const approve = h("button", { "type": "button", "class": "button button-small" }, ctx.t("op.approve"));
  const confirm = h("div", { "class": "confirm", "hidden": "" });
  const yes = h("button", { "type": "button", "class": "button button-small" }, ctx.t("op.confirm"));
  const no = h("button", { "type": "button", "class": "button button-secondary button-small" }, ctx.t("op.cancel"));
  const result = h("div", { "role": "status" });
  append(confirm, h("p", { "class": "small" }, ctx.t("op.confirm.text", { id: p.id, ref: p.authorisation })), yes, " ", no);
  approve.addEventListener("click", () => { approve.hidden = true; confirm.hidden = false; yes.focus(); });
  no.addEventListener("click", () => { approve.hidden = false; confirm.hidden = true; approve.focus(); });
  yes.addEventListener("click", () => {
    yes.disabled = true;
    apiJson<{ project: string; state: string }>(`/api/v1/projects/${encodeURIComponent(p.id)}/approvals`,
      { method: "POST", role: "operator" })
      .then(() => reload())
      .catch((e: unknown) => {
        yes.disabled = false;
        clear(result);
        append(result, errorNotice(ctx, "op.approve.error", e));
      });
  });
  append(cell, approve, confirm, result);
  return cell;
}

function projectsTable(ctx: PageContext, projects: Project[], session: SessionInfo, role: Role,
  reload: () => void): HTMLElement {
  const head = h("tr", {});
  for (const key of ["op.col.project", "projects.col.purpose", "op.col.members", "projects.col.window",
    "projects.col.state", "op.col.approvals"] as const) {
    append(head, h("th", { "scope": "col" }, ctx.t(key)));
  }
  const body = h("tbody", {});
  for (const p of projects) {
    append(body, h("tr", {},
      h("th", { "scope": "row", "data-label": ctx.t("op.col.project") },
        h("span", { "class": "ref" }, p.id), h("span", { "class": "project-id" }, p.authorisation)),
      h("td", { "data-label": ctx.t("projects.col.purpose") }, h("p", { "class": "purpose" }, p.purpose)),
      h("td", { "data-label": ctx.t("op.col.members") }, p.members.join(", ")),
      h("td", { "data-label": ctx.t("projects.col.window") },
        ctx.t("register.window", { start: formatDay(ctx, p.start), end: formatDay(ctx, p.end) })),
      h("td", { "data-label": ctx.t("projects.col.state") }, phaseBadge(ctx, p.phase)),
      h("td", { "data-label": ctx.t("op.col.approvals") }, approvals(ctx, p, session, role, reload))));
  }
  return h("div", { "class": "table-wrap" },
    h("table", { "class": "register data-table" },
      h("caption", { "class": "visually-hidden" }, ctx.t("op.projects.caption")),
      h("thead", {}, head), body));
}

export function renderOperatorProjects(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, ["operator", "steward"], (session, role) => {
    const region = page(main, ctx, ctx.t("nav.opProjects"), ctx.t("op.projects.lead"));
    const load = (): void => {
      region.setAttribute("aria-busy", "true");
      apiAll<Project>("/api/v1/projects", { role })
        .then((projects) => {
          clear(region);
          if (projects.length === 0) {
            append(region, h("div", { "class": "notice notice-info" }, h("p", {}, ctx.t("op.projects.empty"))));
            return;
          }
          const drafts = projects.filter((p) => p.state === "draft").length;
          append(region, h("p", { "class": "count" }, ctx.t("op.projects.count", { n: projects.length, drafts })),
            projectsTable(ctx, projects, session, role, load));
        })
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "projects.error.title", e, load));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    load();
  });
}

export function renderOperatorUsers(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, ["operator"], (_session, role) => {
    const region = page(main, ctx, ctx.t("nav.opUsers"), ctx.t("op.users.lead"));
    apiAll<UserLine>("/api/v1/users", { role })
      .then((users) => {
        clear(region);
        const head = h("tr", {});
        for (const key of ["op.col.user", "op.col.roles", "op.col.status", "op.col.created", "op.col.failures"] as const) {
          append(head, h("th", { "scope": "col" }, ctx.t(key)));
        }
        const body = h("tbody", {});
        for (const u of users) {
          append(body, h("tr", {},
            h("th", { "scope": "row", "data-label": ctx.t("op.col.user") }, u.user),
            h("td", { "data-label": ctx.t("op.col.roles") }, u.roles.map((r) => roleLabel(ctx, r)).join(", ") || "—"),
            h("td", { "data-label": ctx.t("op.col.status") },
              h("span", { "class": `badge badge-${u.state === "active" ? "approved" : "closed"}` },
                u.state === "active" ? ctx.t("op.user.active") : u.state === "disabled" ? ctx.t("op.user.disabled") : u.state),
              u.locked_until ? h("span", { "class": "muted small" }, ` ${ctx.t("op.lockedUntil", { at: formatTime(ctx, u.locked_until) })}`) : null),
            h("td", { "data-label": ctx.t("op.col.created") }, formatDay(ctx, u.created)),
            h("td", { "data-label": ctx.t("op.col.failures"), "class": "num" }, String(u.failed_attempts))));
        }
        append(region, h("p", { "class": "count" }, ctx.t("op.users.count", { n: users.length })),
          h("div", { "class": "table-wrap" },
            h("table", { "class": "register data-table" },
              h("caption", { "class": "visually-hidden" }, ctx.t("nav.opUsers")),
              h("thead", {}, head), body)));
      })
      .catch((e: unknown) => {
        clear(region);
        append(region, errorNotice(ctx, "op.users.error", e));
      })
      .finally(() => region.setAttribute("aria-busy", "false"));
  });
}
