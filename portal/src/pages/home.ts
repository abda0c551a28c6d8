// The home page: what hdhub is, in two sentences, and the way to the register.
import { append, h } from "../dom";
import type { PageContext } from "../main";
import { loadSession, signInUrl } from "../session";

export function renderHome(main: HTMLElement, ctx: PageContext): void {
  const facts = h("ul", { "class": "facts" });
  for (const n of [1, 2, 3] as const) {
    append(
      facts,
      h("li", { "class": "fact" },
        h("h3", {}, ctx.t(`home.fact${n}.title`)),
        h("p", {}, ctx.t(`home.fact${n}.text`))),
    );
  }
  append(
    main,
    h("section", { "class": "hero" },
      h("div", { "class": "container" },
        h("h1", {}, ctx.t("home.title")),
        h("p", { "class": "lead" }, ctx.t("home.lead")))),
    h("div", { "class": "container page" },
      h("section", { "class": "card card-primary", "aria-labelledby": "register-card-title" },
        h("h2", { "id": "register-card-title" }, ctx.t("home.card.title")),
        h("p", {}, ctx.t("home.card.text")),
        h("p", {}, ctx.link("/register", ctx.t("home.card.link"), { "class": "button" }))),
      signInCard(ctx),
      h("section", { "aria-labelledby": "facts-title" },
        h("h2", { "id": "facts-title" }, ctx.t("home.facts.title")),
        facts)),
  );
}

// For a visitor: the way in for researchers and staff (hidden once signed in).
function signInCard(ctx: PageContext): HTMLElement {
  const card = h("section", { "class": "card card-signin", "aria-labelledby": "signin-card-title", "hidden": "" },
    h("h2", { "id": "signin-card-title" }, ctx.t("home.signin.title")),
    h("p", {}, ctx.t("home.signin.text")),
    h("p", {}, h("a", { "class": "button button-secondary", "href": signInUrl() }, ctx.t("session.signin"))));
  loadSession().then((session) => { card.hidden = session !== null; }, () => { card.hidden = false; });
  return card;
}
