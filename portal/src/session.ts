// The signed-in session (issue 11): GET /api/v1/session says who is signed
// in (a server-side session in a __Host- cookie; the page never sees it),
// in which roles, and the CSRF token. Every /api/v1 call of the signed-in
// pages goes through apiFetch: same-origin credentials, X-CSRF-Token on
// every method but GET/HEAD, ?as=<role>, problem+json errors as ApiError,
// and on a 401 the way back to the provider (with reauth=1 when the answer
// asks for a fresh authentication). The role the person acts in is kept
// in this tab (sessionStorage, never localStorage).
import { ApiError, problemFrom, type SessionInfo } from "./api";
import { append, clear, h } from "./dom";
import type { Key } from "./i18n";

export type Role = "researcher" | "operator" | "steward" | "checker" | "auditor";

interface Ctx {
  t: (key: Key, vars?: Record<string, string | number>) => string;
}

const kRoleKey = "hdhub.role";
// Sent on window when a page made the tab act in another role.
export const kRoleEvent = "hdhub:role";
let pending: Promise<SessionInfo | null> | null = null;
let known: SessionInfo | null = null;

// The session, fetched once per page load (again with `fresh`): null when
// nobody is signed in (401) or the server has no sign-in (404).
export function loadSession(fresh = false): Promise<SessionInfo | null> {
  if (pending && !fresh) return pending;
  pending = (async () => {
    const response = await fetch("/api/v1/session", {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    });
    if (response.status === 401 || response.status === 404) return null;
    if (!response.ok) throw problemFrom(response.status, await response.text());
    const body = (await response.json()) as SessionInfo;
    if (typeof body.user !== "string" || !Array.isArray(body.roles) || typeof body.csrf_token !== "string") {
      throw new ApiError(500, "unexpected session", "");
    }
    return body;
  })();
  pending.then((s) => { known = s; }, () => { known = null; });
  return pending;
}

// The path and query of this page, to come back to after signing in.
export function here(): string {
  return `${window.location.pathname}${window.location.search}`;
}

export function signInUrl(returnTo: string = here(), reauth = false): string {
  const query = new URLSearchParams({ return_to: returnTo.startsWith("/") ? returnTo : "/" });
  if (reauth) query.set("reauth", "1");
  return `/auth/login?${query}`;
}

export function signIn(reauth = false): void {
  window.location.assign(signInUrl(here(), reauth));
}

// Ends the session here and at the provider: POST /auth/logout, then the
// provider's logout page the server names.
export async function signOut(): Promise<void> {
  const response = await fetch("/auth/logout", {
    method: "POST",
    headers: { "Accept": "application/json", "X-CSRF-Token": known?.csrf_token ?? "" },
    credentials: "same-origin",
  });
  let target = "/";
  if (response.ok) {
    const body = (await response.json().catch(() => ({}))) as { redirect?: unknown };
    if (typeof body.redirect === "string" && body.redirect !== "") target = body.redirect;
  }
  known = null;
  pending = null;
  window.location.assign(target);
}

// The role this tab acts in: the one chosen here if the account holds it,
// else `preferred` if held, else the account's first.
export function activeRole(session: SessionInfo, preferred?: Role): Role | null {
  let stored: string | null = null;
  try {
    stored = window.sessionStorage.getItem(kRoleKey);
  } catch {
    stored = null;
  }
  if (stored && session.roles.includes(stored)) return stored as Role;
  if (preferred && session.roles.includes(preferred)) return preferred;
  return (session.roles[0] as Role | undefined) ?? null;
}

export function chooseRole(role: Role): void {
  try {
    window.sessionStorage.setItem(kRoleKey, role);
  } catch {
    // Kept for this page only.
  }
}

export interface ApiOptions {
  method?: string;
  body?: unknown;
  role?: Role;
  accept?: string;
  signal?: AbortSignal;
}

// One call of the API as the signed-in person. Resolves with the Response
// of a 2xx answer; rejects with an ApiError otherwise. A 401 sends the
// browser to sign in again (reauth=1 when the problem says "reauth").
export async function apiFetch(path: string, options: ApiOptions = {}): Promise<Response> {
  const method = options.method ?? "GET";
  const url = new URL(path, window.location.origin);
  if (options.role) url.searchParams.set("as", options.role);
  const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
  if (method !== "GET" && method !== "HEAD") {
    const session = known ?? (await loadSession());
    headers["X-CSRF-Token"] = session?.csrf_token ?? "";
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await fetch(url, {
    method, headers, body, credentials: "same-origin", cache: "no-store", signal: options.signal,
  });
  if (response.ok) return response;
  const problem = problemFrom(response.status, await response.text());
  if (response.status === 401) signIn(problem.reauth);
  throw problem;
}

export async function apiJson<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const response = await apiFetch(path, options);
  return (await response.json()) as T;
}

// Every item of a paginated list ({"items", "next"}), following its cursors.
export async function apiAll<T>(path: string, options: ApiOptions = {}, maxPages = 50): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; ++page) {
    const url = new URL(path, window.location.origin);
    url.searchParams.set("limit", "1000");
    if (cursor !== null) url.searchParams.set("cursor", cursor);
    const body = await apiJson<{ items: T[]; next: string | null }>(`${url.pathname}${url.search}`, options);
    out.push(...body.items);
    cursor = body.next;
    if (cursor === null) return out;
  }
  throw new ApiError(500, "too many pages", "");
}

// The header's account area: "Sign in" for a visitor; for a signed-in
// person their name, the role switch when they hold several, "Sign out".
export function renderSessionControls(
  slot: HTMLElement,
  ctx: Ctx,
  session: SessionInfo | null,
  onRoleChange: (role: Role) => void,
): void {
  clear(slot);
  if (!session) {
    append(slot, h("a", { "class": "button button-small", "href": signInUrl() }, ctx.t("session.signin")));
    return;
  }
  const role = activeRole(session);
  const who = h("span", { "class": "session-user" },
    h("span", { "class": "visually-hidden" }, ctx.t("session.signedInAs")), session.user);
  append(slot, who);
  if (session.roles.length > 1) {
    const select = h("select", { "id": "role-switch", "class": "role-select" });
    for (const r of session.roles) {
      const option = h("option", { value: r }, roleLabel(ctx, r));
      if (r === role) option.selected = true;
      append(select, option);
    }
    select.addEventListener("change", () => {
      chooseRole(select.value as Role);
      onRoleChange(select.value as Role);
    });
    append(slot, h("label", { "for": "role-switch", "class": "visually-hidden" }, ctx.t("session.role")), select);
  } else if (role) {
    append(slot, h("span", { "class": "badge badge-role" }, roleLabel(ctx, role)));
  }
  const out = h("button", { "type": "button", "class": "button button-secondary button-small" }, ctx.t("session.signout"));
  out.addEventListener("click", () => {
    out.disabled = true;
    signOut().catch(() => {
      out.disabled = false;
      window.location.assign("/");
    });
  });
  append(slot, out);
}

export function roleLabel(ctx: Ctx, role: string): string {
  switch (role) {
    case "researcher": return ctx.t("role.researcher");
    case "operator": return ctx.t("role.operator");
    case "steward": return ctx.t("role.steward");
    case "checker": return ctx.t("role.checker");
    case "auditor": return ctx.t("role.auditor");
    default: return role;
  }
}

// The guard of a signed-in page: a visitor goes to sign in (and back here);
// a signed-in person without one of `roles` is told so; else `render`.
export function requireSession(
  main: HTMLElement,
  ctx: Ctx,
  roles: Role[],
  render: (session: SessionInfo, role: Role) => void,
): void {
  const status = h("div", { "class": "container page", "aria-busy": "true" },
    h("p", { "class": "muted" }, ctx.t("session.loading")));
  append(main, status);
  loadSession()
    .then((session) => {
      if (!session) {
        clear(status);
        append(status, h("p", {}, ctx.t("session.redirecting"), " ",
          h("a", { href: signInUrl() }, ctx.t("session.signin"))));
        signIn();
        return;
      }
      const role = roles.find((r) => r === activeRole(session, roles[0])) ?? roles.find((r) => session.roles.includes(r));
      status.remove();
      if (role && role !== activeRole(session)) {
        // A page of another of the account's roles: the tab now acts in it.
        chooseRole(role);
        window.dispatchEvent(new Event(kRoleEvent));
      }
      if (!role) {
        append(main, h("div", { "class": "container page" },
          h("div", { "class": "notice notice-error", "role": "alert" },
            h("h1", {}, ctx.t("session.forbidden.title")),
            h("p", {}, ctx.t("session.forbidden.text")))));
        return;
      }
      render(session, role);
    })
    .catch(() => {
      clear(status);
      status.setAttribute("aria-busy", "false");
      append(status, h("div", { "class": "notice notice-error", "role": "alert" },
        h("h1", {}, ctx.t("session.error.title")),
        h("p", {}, ctx.t("session.error.text"))));
    });
}
