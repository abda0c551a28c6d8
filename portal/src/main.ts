// The portal's shell: header, navigation, language switch, footer, and a
// router over the History API (the server answers index.html for every
// path without a dot, static_files.h). Pages render into <main>.
import "./style.css";

import { kPublicRegisterPath } from "./api";
import { append, clear, h } from "./dom";
import { initialLang, rememberLang, translate, type Key, type Lang } from "./i18n";
import { renderHome } from "./pages/home";
import { renderRegister } from "./pages/register";

export interface PageContext {
  lang: Lang;
  t: (key: Key, vars?: Record<string, string | number>) => string;
  link: (path: string, text: string, attrs?: Record<string, string>) => HTMLAnchorElement;
}

interface Route {
  path: string;
  title: Key;
  render: (main: HTMLElement, ctx: PageContext) => void;
}

const kRoutes: Route[] = [
  { path: "/", title: "nav.home", render: renderHome },
  { path: "/register", title: "nav.register", render: renderRegister },
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

function currentRoute(): Route | undefined {
  const path = window.location.pathname.replace(/\/+$/, "") || "/";
  return kRoutes.find((r) => r.path === path);
}

function renderHeader(ctx: PageContext, route: Route | undefined): HTMLElement {
  const nav = h("nav", { "class": "nav", "aria-label": ctx.t("nav.label") });
  const list = h("ul", {});
  for (const r of kRoutes) {
    const current = route?.path === r.path;
    append(list, h("li", {}, link(r.path, ctx.t(r.title), current ? { "aria-current": "page" } : {})));
  }
  append(nav, list);
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
      switcher,
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
  const ctx: PageContext = { lang, t: (key, vars) => translate(lang, key, vars), link };
  const route = currentRoute();
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

window.addEventListener("popstate", () => {
  const fromUrl = new URLSearchParams(window.location.search).get("lang");
  if (fromUrl === "en" || fromUrl === "fr") lang = fromUrl;
  render();
});
rememberLang(lang);
render();
