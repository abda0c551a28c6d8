// The home page: what hdhub is, in two sentences, and the way to the register.
import { append, h } from "../dom";
import type { PageContext } from "../main";

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
      h("section", { "aria-labelledby": "facts-title" },
        h("h2", { "id": "facts-title" }, ctx.t("home.facts.title")),
        facts)),
  );
}
