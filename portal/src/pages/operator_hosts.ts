// The operator's host registry (issue 11): each host the hub may keep its
// sealed objects on, as declared (its address without secrets, the
// jurisdiction it is in, who operates it and where that operator belongs,
// its qualifications with their validity, in force or not on the day of
// the decision), and the sovereignty policy's decision on it today with
// the evidence of each criterion (GET /api/v1/hosts; docs/hosts.md).
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { displayUri, qualificationState } from "../operator_logic";
import { apiJson, requireSession } from "../session";
import { errorNotice, formatDay, formatTime } from "./common";
import { badge, dataTable, facts, staffPage } from "./operator_staff";

interface Qualification {
  scheme: string;
  reference: string;
  valid_from: string;
  valid_until: string;
  evidence: string;
}

interface Host {
  name: string;
  uri: string;
  jurisdiction: string;
  operator: string;
  owner_jurisdiction: string;
  local: boolean;
  qualifications: Qualification[];
  added_by: string;
  added_at: string;
  changed_by: string;
  changed_at: string;
  current: boolean;
  decision: {
    day: string;
    allowed: boolean;
    exempted: boolean;
    criteria: { criterion: string; met: boolean; why: string }[];
  };
}

const kQualState: Record<string, ["ops.q.inForce" | "ops.q.expired" | "ops.q.notYet", string]> = {
  "in-force": ["ops.q.inForce", "approved"],
  "expired": ["ops.q.expired", "expired"],
  "not-yet": ["ops.q.notYet", "pending"],
};

function criterionName(ctx: PageContext, criterion: string): string {
  if (criterion === "jurisdiction") return ctx.t("ops.c.jurisdiction");
  if (criterion === "ownership") return ctx.t("ops.c.ownership");
  if (criterion === "local") return ctx.t("ops.c.local");
  if (criterion.startsWith("qualification:")) return ctx.t("ops.c.qualification", { scheme: criterion.slice(14) });
  return criterion;
}

function qualifications(ctx: PageContext, host: Host): HTMLElement {
  if (host.qualifications.length === 0) return h("p", { "class": "muted" }, ctx.t("ops.q.none"));
  const rows = host.qualifications.map((q) => {
    const [key, style] = kQualState[qualificationState(q, host.decision.day)];
    return h("tr", {},
      h("th", { "scope": "row" }, q.scheme),
      h("td", {}, q.reference),
      h("td", {}, ctx.t("register.window", { start: formatDay(ctx, q.valid_from), end: formatDay(ctx, q.valid_until) })),
      h("td", {}, badge(ctx.t(key), style)),
      h("td", { "class": "ops-evidence" }, q.evidence || "—"));
  });
  return dataTable(ctx, ctx.t("ops.q.caption", { host: host.name }),
    ["ops.q.scheme", "ops.q.reference", "ops.q.validity", "ops.q.state", "ops.q.evidence"], rows, false);
}

function decision(ctx: PageContext, host: Host): HTMLElement {
  const d = host.decision;
  const verdict = !d.allowed ? badge(ctx.t("ops.d.refused"), "refused")
    : d.exempted ? badge(ctx.t("ops.d.exempted"), "pending") : badge(ctx.t("ops.d.allowed"), "approved");
  const list = h("ul", { "class": "ops-criteria" });
  for (const c of d.criteria) {
    append(list, h("li", {},
      badge(ctx.t(c.met ? "ops.d.met" : "ops.d.notMet"), c.met ? "approved" : "expired"), " ",
      h("strong", {}, criterionName(ctx, c.criterion)), h("span", { "class": "ops-why" }, c.why)));
  }
  return h("div", { "class": "ops-decision" },
    h("h3", {}, ctx.t("ops.d.title", { day: formatDay(ctx, d.day) }), " ", verdict),
    d.exempted ? h("p", { "class": "small" }, ctx.t("ops.d.exemptedText")) : null,
    d.criteria.length ? list : h("p", { "class": "muted" }, ctx.t("ops.none")));
}

function hostCard(ctx: PageContext, host: Host): HTMLElement {
  const id = `host-${host.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  return h("section", { "class": "card ops-host", "aria-labelledby": id },
    h("h2", { "id": id }, host.name, " ",
      host.current ? badge(ctx.t("ops.h.current"), "approved") : null, " ",
      host.local ? badge(ctx.t("ops.h.local"), "closed") : null),
    facts([
      [ctx.t("ops.h.uri"), h("code", {}, displayUri(host.uri))],
      [ctx.t("ops.h.jurisdiction"), host.jurisdiction || "—"],
      [ctx.t("ops.h.operator"), host.operator || "—"],
      [ctx.t("ops.h.ownerJurisdiction"), host.owner_jurisdiction || "—"],
      [ctx.t("ops.h.declared"), ctx.t("ops.h.byAt", { user: host.added_by, at: formatTime(ctx, host.added_at) })],
      [ctx.t("ops.h.changed"), ctx.t("ops.h.byAt", { user: host.changed_by, at: formatTime(ctx, host.changed_at) })],
    ]),
    h("h3", {}, ctx.t("ops.q.title")),
    qualifications(ctx, host),
    decision(ctx, host));
}

export function renderHosts(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, ["operator"], (_session, role) => {
    const region = staffPage(main, ctx, ctx.t("nav.opHosts"), ctx.t("ops.hosts.lead"));
    const load = (): void => {
      region.setAttribute("aria-busy", "true");
      apiJson<{ hosts: Host[] }>("/api/v1/hosts", { role })
        .then(({ hosts }) => {
          clear(region);
          if (hosts.length === 0) {
            append(region, h("div", { "class": "notice notice-info" }, h("p", {}, ctx.t("ops.hosts.empty"))));
            return;
          }
          const refused = hosts.filter((x) => !x.decision.allowed).length;
          append(region, h("p", { "class": "count" }, ctx.t("ops.hosts.count", { n: hosts.length, refused })));
          for (const host of hosts) append(region, hostCard(ctx, host));
        })
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "ops.hosts.error", e, load));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    load();
  });
}
