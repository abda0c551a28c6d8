// The portal's shell: header, navigation, language switch, footer, and a
// router over the History API (the server answers index.html for every
// path without a dot, static_files.h). Pages render into <main>.
import "./style.css";

import { kPublicRegisterPath } from "./api";
import { append, clear, h } from "./dom";
import { initialLang, rememberLang, translate, type Key, type Lang } from "./i18n";
import { renderAuditLog } from "./pages/auditor";
import { renderAuditCheckpoints } from "./pages/auditor_checkpoints";
import { renderConsole } from "./pages/console";
import { renderHome } from "./pages/home";
import { renderCheckerQueue } from "./pages/checker";
import { renderCheckerRequest } from "./pages/checker_request";
import { renderMyExports } from "./pages/exports";
import { renderOperatorProjects, renderOperatorUsers } from "./pages/operator";
import { renderBuilds } from "./pages/operator_builds";
import { renderDataset, renderDatasets } from "./pages/operator_datasets";
import { renderHosts } from "./pages/operator_hosts";
import { renderConnect } from "./pages/connect";
import { renderProject } from "./pages/project";
import { renderRegister } from "./pages/register";
import { renderMyProjects } from "./pages/researcher";
import { activeRole, kRoleEvent, loadSession, renderSessionControls, type Role } from "./session";

export interface PageContext {
  lang: Lang;
  t: (key: Key, vars?: Record<string, string | number>) => string;
  link: (path: string, text: string, attrs?: Record<string, string>) => HTMLAnchorElement;
  // The route's parameters (":id" in its path), already decoded.
  params: Record<string, string>;
  // Sets the document's title (a page that learns its subject once loaded).
  setTitle: (title: string) => void;
}

interface Route {
  path: string;  // segments, ":name" for a parameter
  title: Key;
  render: (main: HTMLElement, ctx: PageContext) => void;
  nav?: Role[];  // in the navigation for these roles (the public pages: always)
  public?: boolean;
}

const kRoutes: Route[] = [
  { path: "/", title: "nav.home", render: renderHome, public: true },
  { path: "/register", title: "nav.register", render: renderRegister, public: true },
  { path: "/projects", title: "nav.myProjects", render: renderMyProjects, nav: ["researcher"] },
  { path: "/projects/:id", title: "project.title", render: renderProject },
  { path: "/projects/:id/console", title: "console.title", render: renderConsole },
  { path: "/projects/:id/connect", title: "connect.title", render: renderConnect },
  { path: "/operator/projects", title: "nav.opProjects", render: renderOperatorProjects, nav: ["operator", "steward"] },
  { path: "/operator/users", title: "nav.opUsers", render: renderOperatorUsers, nav: ["operator"] },
  { path: "/operator/datasets", title: "nav.opDatasets", render: renderDatasets, nav: ["operator", "steward"] },
  { path: "/operator/datasets/:name", title: "nav.opDatasets", render: renderDataset },
  { path: "/operator/builds", title: "nav.opBuilds", render: renderBuilds, nav: ["operator", "steward"] },
  { path: "/operator/hosts", title: "nav.opHosts", render: renderHosts, nav: ["operator"] },
  { path: "/exports", title: "nav.myExports", render: renderMyExports, nav: ["researcher"] },
  { path: "/checker", title: "nav.checkerQueue", render: renderCheckerQueue, nav: ["checker"] },
  { path: "/checker/requests/:rid", title: "nav.checkerQueue", render: renderCheckerRequest },
  { path: "/audit", title: "nav.auditLog", render: renderAuditLog, nav: ["auditor"] },
  { path: "/audit/checkpoints", title: "nav.auditCheckpoints", render: renderAuditCheckpoints, nav: ["auditor"] },
];

let lang: Lang = initialLang();

function hrefFor(path: string): string {
  return `${path}?lang=${lang}`;
}

function navigate(path: string): void {
  window.history.pushState({}, "", hrefFor(path));
  render();
}

function link(path: string, text: string, attrs: Record<string, string> = {}): HTMLAnchorElement {
  const a = h("a", { ...attrs, href: hrefFor(path) }, text);
  a.addEventListener("click", (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(path);
  });
  return a;
}

// The route of `pathname` and its parameters, or undefined.
function matchRoute(pathname: string): { route: Route; params: Record<string, string> } | undefined {
  const segments = (pathname.replace(/\/+$/, "") || "/").split("/");
  for (const route of kRoutes) {
    const pattern = route.path.split("/");
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      if (!p.startsWith(":")) return p === segments[i];
      try {
        params[p.slice(1)] = decodeURIComponent(segments[i]);
      } catch {
        return false;
      }
      return segments[i] !== "";
    });
    if (ok) return { route, params };
  }
  return undefined;
}

// Where the role switch leads: the first page of each role.
const kRoleHome: Partial<Record<Role, string>> = {
  researcher: "/projects", operator: "/operator/projects", steward: "/operator/projects",
  checker: "/checker", auditor: "/audit",
};

// Redraws the header's account area and navigation (the role changed).
let refreshSession: () => void = () => {};

// The navigation's entries: the public pages, then (once the session is
// known) the pages of the role this tab acts in.
function navItems(list: HTMLElement, ctx: PageContext, route: Route | undefined, role: Role | null): void {
  clear(list);
  for (const r of kRoutes) {
    if (!r.public && !(role && r.nav?.includes(role))) continue;
    const current = route?.path === r.path || (r.path === "/projects" && route?.path.startsWith("/projects/"));
    append(list, h("li", {}, link(r.path, ctx.t(r.title), current ? { "aria-current": "page" } : {})));
  }
}

function renderHeader(ctx: PageContext, route: Route | undefined): HTMLElement {
  const nav = h("nav", { "class": "nav", "aria-label": ctx.t("nav.label") });
  const list = h("ul", {});
  navItems(list, ctx, route, null);
  append(nav, list);
  const account = h("div", { "class": "session-slot" });
  refreshSession = (): void => {
    loadSession()
      .then((session) => {
        renderSessionControls(account, ctx, session, (role) => navigate(kRoleHome[role] ?? "/"));
        if (session) navItems(list, ctx, route, activeRole(session));
      })
      .catch(() => renderSessionControls(account, ctx, null, () => {}));
  };
  refreshSession();
  const other: Lang = lang === "fr" ? "en" : "fr";
  const switcher = h("button", {
    "type": "button",
    "class": "lang-switch",
    "lang": other,
    "title": ctx.t("lang.switch.label"),
  }, ctx.t("lang.switch"));
  switcher.addEventListener("click", () => {
    lang = other;
    rememberLang(lang);
    const url = new URL(window.location.href);
    url.searchParams.set("lang", lang);
    window.history.replaceState({}, "", url);
    render();
  });
  return h(
    "header",
    { "class": "site-header" },
    h("div", { "class": "band", "aria-hidden": "true" }),
    h(
      "div",
      { "class": "container header-row" },
      link("/", "", { "class": "brand", "title": ctx.t("brand.home") }),
      h("div", { "class": "header-tools" }, account, switcher),
    ),
    h("div", { "class": "nav-row" }, h("div", { "class": "container" }, nav)),
  );
}

function fillBrand(header: HTMLElement, ctx: PageContext): void {
  const brand = header.querySelector(".brand");
  if (!brand) return;
  append(
    brand,
    h("span", { "class": "brand-mark", "aria-hidden": "true" }),
    h("span", { "class": "brand-text" },
      h("span", { "class": "brand-name" }, ctx.t("brand.name")),
      h("span", { "class": "brand-tagline" }, ctx.t("brand.tagline"))),
  );
}

function renderNotFound(main: HTMLElement, ctx: PageContext): void {
  append(
    main,
    h("div", { "class": "container page" },
      h("h1", {}, ctx.t("notfound.title")),
      h("p", {}, ctx.t("notfound.text")),
      h("p", {}, ctx.link("/", ctx.t("notfound.link")))),
  );
}

function render(): void {
  const app = document.getElementById("app");
  if (!app) return;
  document.documentElement.lang = lang;
  const matched = matchRoute(window.location.pathname);
  const route = matched?.route;
  const ctx: PageContext = {
    lang,
    t: (key, vars) => translate(lang, key, vars),
    link,
    params: matched?.params ?? {},
    setTitle: (title) => { document.title = `${title} — hdhub`; },
  };
  const skip = document.querySelector(".skip-link");
  if (skip) skip.textContent = ctx.t("skip");
  clear(app);
  const header = renderHeader(ctx, route);
  fillBrand(header, ctx);
  const main = h("main", { "id": "main", "tabindex": "-1" });
  (route ? route.render : renderNotFound)(main, ctx);
  const footer = h(
    "footer",
    { "class": "site-footer" },
    h("div", { "class": "container footer-row" },
      h("p", {}, ctx.t("footer.text")),
      h("p", {}, h("a", { href: kPublicRegisterPath }, ctx.t("footer.api")))),
  );
  append(app, header, main, footer);
  document.title = `${ctx.t(route ? route.title : "notfound.title")} — hdhub`;
}

window.addEventListener(kRoleEvent, () => refreshSession());
window.addEventListener("popstate", () => {
  const fromUrl = new URLSearchParams(window.location.search).get("lang");
  if (fromUrl === "en" || fromUrl === "fr") lang = fromUrl;
  render();
});
rememberLang(lang);
render();
