// The auditor's checkpoints and witnesses (issue 11): the current signed
// checkpoint, checked in the browser against the log key; its consistency
// (RFC 9162 §2.1.4.2, verify.ts) with an older checkpoint, the one this
// browser remembered at the last visit or one pasted; each witness of
// GET /api/v1/audit/witnesses, its cosignature checked against the witness's
// key and the log's and its checkpoint against the current one; and the
// server's full check of the log (GET /api/v1/audit/verify). A checkpoint is
// public (no secret, no health value): remembering one in localStorage is
// what lets the next visit notice a rewritten history.
import { append, clear, h } from "../dom";
import type { PageContext } from "../main";
import { apiJson, requireSession, type Role } from "../session";
import { hex } from "../verify";
import {
  checkpointSize, keyFingerprint, signedCheckpoint, verifyCheckpointConsistency, verifyWitness,
} from "../verify_audit";
import { copyButton, errorNotice, formatTime } from "./common";
import {
  auditPage, checking, fetchCheckpoint, fetchConsistency, fetchLogKey, grouped, kAuditorRoles, renderVerdict,
  whyText,
} from "./auditor_view";

const kRememberedKey = "hdhub.audit.checkpoint";

interface Remembered {
  checkpoint: string;
  at: string;  // when this browser saw it, RFC 3339
}

function remembered(): Remembered | null {
  try {
    const value = JSON.parse(window.localStorage.getItem(kRememberedKey) ?? "null") as Remembered | null;
    return value && typeof value.checkpoint === "string" && typeof value.at === "string" ? value : null;
  } catch {
    return null;
  }
}

function remember(checkpoint: string): void {
  try {
    window.localStorage.setItem(kRememberedKey, JSON.stringify({ checkpoint, at: new Date().toISOString() }));
  } catch {
    // Storage refused: nothing remembered for the next visit.
  }
}

interface Known {
  role: Role;
  current: string;  // the current checkpoint note
  logKey: string;
}

function section(id: string, title: string, text: string, ...children: (Node | null)[]): HTMLElement {
  return h("section", { "class": "card audit-card", "aria-labelledby": id },
    h("h2", { "id": id }, title), h("p", { "class": "muted" }, text), ...children);
}

async function currentCard(ctx: PageContext, k: Known): Promise<HTMLElement> {
  const facts = h("dl", { "class": "verify-facts" });
  let status: HTMLElement;
  try {
    const cp = await signedCheckpoint(k.current, k.logKey);
    const rows: [string, string, string?][] = [
      [ctx.t("au.cp.size"), String(cp.size)], [ctx.t("au.cp.origin"), cp.origin],
      [ctx.t("au.cp.root"), grouped(hex(cp.root)), "mono"],
      [ctx.t("au.cp.key"), grouped(await keyFingerprint(k.logKey)), "mono"],
    ];
    for (const [term, value, style] of rows) {
      append(facts, h("div", {}, h("dt", {}, term), h("dd", style ? { "class": style } : {}, value)));
    }
    status = h("p", { "class": "audit-signed", "data-signed": "yes" }, "✓ ", ctx.t("au.cp.signed"));
  } catch (e) {
    status = h("p", { "class": "audit-unsigned", "data-signed": "no", "role": "alert" }, ctx.t("au.cp.unsigned", { why: whyText(e) }));
  }
  return h("section", { "class": "card audit-card", "aria-labelledby": "audit-current" },
    h("h2", { "id": "audit-current" }, ctx.t("au.cp.current")), facts, status,
    h("p", {}, copyButton(ctx, ctx.t("au.cp.copy"), () => k.current)));
}

// Consistency of `older` with the current checkpoint, into `panel`.
function checkConsistency(ctx: PageContext, k: Known, older: string, panel: HTMLElement, button: HTMLButtonElement,
  onOk: () => void = () => {}): void {
  checking(ctx, panel, button, async () => {
    const from = checkpointSize(older);
    const to = checkpointSize(k.current);
    if (from === null || to === null) {
      clear(panel);
      append(panel, h("p", { "class": "notice notice-error", "role": "alert" }, ctx.t("au.cons.notCheckpoint")));
      return;
    }
    const answer = await fetchConsistency(k.role, Math.min(from, to), to);
    const v = await verifyCheckpointConsistency(older, k.current, k.logKey, answer);
    renderVerdict(ctx, panel, v, { ok: ctx.t("au.cons.ok", { from, to }), fail: ctx.t("au.cons.fail") });
    if (v.ok) onOk();
  });
}

function consistencyCard(ctx: PageContext, k: Known, previous: Remembered | null): HTMLElement {
  const panel = h("div", { "class": "verify-panel", "aria-live": "polite" });
  const fromMemory = h("div", { "class": "audit-remembered" });
  if (previous) {
    const button = h("button", { "type": "button", "class": "button button-secondary", "id": "audit-check-remembered" },
      ctx.t("au.cons.checkRemembered"));
    // The current checkpoint replaces the remembered one only once they are
    // consistent: a rewritten history stays noticed at the next visit.
    const run = (): void => checkConsistency(ctx, k, previous.checkpoint, panel, button, () => remember(k.current));
    button.addEventListener("click", run);
    queueMicrotask(run);
    append(fromMemory, h("p", {}, ctx.t("au.cons.remembered", {
      date: formatTime(ctx, previous.at), size: checkpointSize(previous.checkpoint) ?? "?",
    })), button);
  } else {
    append(fromMemory, h("p", { "class": "muted" }, ctx.t("au.cons.none")));
  }
  const pasted = h("textarea", { "id": "audit-pasted", "class": "audit-paste", "rows": "6", "spellcheck": "false" });
  const check = h("button", { "type": "button", "class": "button" }, ctx.t("au.cons.checkPasted"));
  check.addEventListener("click", () => {
    const text = pasted.value.replace(/\r\n/g, "\n");
    checkConsistency(ctx, k, text.endsWith("\n") ? text : `${text}\n`, panel, check);
  });
  return section("audit-consistency", ctx.t("au.cons.title"), ctx.t("au.cons.text"), fromMemory,
    h("div", { "class": "audit-field" }, h("label", { "for": "audit-pasted" }, ctx.t("au.cons.paste")), pasted),
    h("p", {}, check), panel);
}

interface WitnessLine {
  key: string;
  checkpoint?: string;
  error?: string;
}

function witnessItem(ctx: PageContext, k: Known, w: WitnessLine): HTMLElement {
  const name = w.key.split("+")[0];
  const item = h("li", { "class": "audit-witness", "data-witness": name }, h("h3", {}, ctx.t("au.wit.name", { name })));
  if (w.checkpoint === undefined) {
    append(item, h("p", { "class": "notice notice-error" }, ctx.t("au.wit.unreadable", { why: w.error ?? "" })));
    return item;
  }
  const cosigned = w.checkpoint;
  const panel = h("div", { "class": "verify-panel", "aria-live": "polite" });
  const button = h("button", { "type": "button", "class": "button button-secondary" }, ctx.t("au.wit.verify"));
  button.addEventListener("click", () => checking(ctx, panel, button, async () => {
    const from = checkpointSize(cosigned) ?? 0;
    const to = checkpointSize(k.current) ?? 0;
    const answer = await fetchConsistency(k.role, Math.min(from, to), to);
    const v = await verifyWitness(cosigned, w.key, k.current, k.logKey, answer);
    renderVerdict(ctx, panel, v, { ok: ctx.t("au.wit.ok", { name }), fail: ctx.t("au.wit.fail") });
  }));
  append(item, h("p", {}, ctx.t("au.wit.cosigned", { size: checkpointSize(cosigned) ?? "?" })),
    h("p", { "class": "muted small mono-line" }, w.key), button, panel);
  return item;
}

function witnessesCard(ctx: PageContext, k: Known, witnesses: WitnessLine[]): HTMLElement {
  const body = witnesses.length === 0
    ? h("div", { "class": "notice notice-info" }, h("p", {}, ctx.t("au.wit.none")))
    : h("ul", { "class": "audit-witnesses" }, ...witnesses.map((w) => witnessItem(ctx, k, w)));
  return section("audit-witnesses", ctx.t("au.wit.title"), ctx.t("au.wit.text"), body);
}

function wholeLogCard(ctx: PageContext, role: Role): HTMLElement {
  const result = h("div", { "aria-live": "polite" });
  const run = h("button", { "type": "button", "class": "button", "id": "audit-verify-all" }, ctx.t("au.whole.run"));
  run.addEventListener("click", () => {
    run.disabled = true;
    clear(result);
    append(result, h("p", { "class": "verify-checking" }, ctx.t("au.whole.running")));
    apiJson<{ ok: boolean; entries: number; checkpoint_size: number }>("/api/v1/audit/verify", { role })
      .then((r) => {
        clear(result);
        append(result, h("div", { "class": "notice notice-info audit-whole-ok", "data-verdict": "verified" },
          h("p", {}, "✓ ", ctx.t("au.whole.ok", { n: r.entries, size: r.checkpoint_size }))));
      })
      .catch((e: unknown) => {
        clear(result);
        append(result, errorNotice(ctx, "au.whole.fail", e));
      })
      .finally(() => { run.disabled = false; });
  });
  return section("audit-whole", ctx.t("au.whole.title"), ctx.t("au.whole.text"), h("p", {}, run), result);
}

export function renderAuditCheckpoints(main: HTMLElement, ctx: PageContext): void {
  requireSession(main, ctx, kAuditorRoles, (_session, role) => {
    const region = auditPage(main, ctx, "nav.auditCheckpoints", "au.cp.lead");
    const load = (): void => {
      region.setAttribute("aria-busy", "true");
      Promise.all([
        fetchCheckpoint(role), fetchLogKey(role),
        apiJson<{ witnesses: WitnessLine[] }>("/api/v1/audit/witnesses", { role }),
      ])
        .then(async ([current, logKey, w]) => {
          const k: Known = { role, current, logKey };
          const previous = remembered();
          const card = await currentCard(ctx, k);
          clear(region);
          append(region, card, consistencyCard(ctx, k, previous), witnessesCard(ctx, k, w.witnesses),
            wholeLogCard(ctx, role));
          // A first checkpoint is remembered once its signature verified.
          if (previous === null && card.querySelector("[data-signed='yes']")) remember(current);
        })
        .catch((e: unknown) => {
          clear(region);
          append(region, errorNotice(ctx, "au.error", e, load));
        })
        .finally(() => region.setAttribute("aria-busy", "false"));
    };
    load();
  });
}
