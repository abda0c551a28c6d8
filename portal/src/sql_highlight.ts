// SQL split into tokens for the console's highlighted layer: a small
// scanner (keywords, strings, quoted names, numbers, comments), no
// dependency. Every character of the input is in exactly one token, so the
// layer's text is the textarea's text and the two stay aligned.

export type TokenKind = "keyword" | "string" | "ident" | "number" | "comment" | "text";

export interface Token {
  kind: TokenKind;
  text: string;
}

const kKeywords = new Set(
  (
    "select from where group by order having limit offset join left right full inner outer cross on using as " +
    "and or not in is null like ilike between case when then else end distinct union all except intersect " +
    "with recursive asc desc nulls first last count sum avg min max cast extract interval date timestamp " +
    "true false exists over partition window filter describe summarize show pivot unpivot values qualify " +
    "coalesce round year month day"
  ).split(" "),
);

// The token at `i` of `sql`: its kind and where it ends.
function scan(sql: string, i: number): { kind: TokenKind; end: number } {
  const c = sql[i];
  const next = sql[i + 1];
  if (c === "-" && next === "-") {
    const nl = sql.indexOf("\n", i);
    return { kind: "comment", end: nl < 0 ? sql.length : nl };
  }
  if (c === "/" && next === "*") {
    const close = sql.indexOf("*/", i + 2);
    return { kind: "comment", end: close < 0 ? sql.length : close + 2 };
  }
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === c) {
        if (sql[j + 1] === c) {
          j += 2;  // a doubled quote inside
          continue;
        }
        return { kind: c === "'" ? "string" : "ident", end: j + 1 };
      }
      ++j;
    }
    return { kind: c === "'" ? "string" : "ident", end: sql.length };
  }
  if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(next ?? ""))) {
    const m = /^[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|^[0-9]+\.?/.exec(sql.slice(i));
    return { kind: "number", end: i + (m ? m[0].length : 1) };
  }
  if (/[A-Za-z_]/.test(c)) {
    const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i));
    const end = i + (m ? m[0].length : 1);
    return { kind: kKeywords.has(sql.slice(i, end).toLowerCase()) ? "keyword" : "text", end };
  }
  return { kind: "text", end: i + 1 };
}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const { kind, end } = scan(sql, i);
    const last = out[out.length - 1];
    if (kind === "text" && last?.kind === "text") {
      last.text += sql.slice(i, end);  // plain runs merged: fewer nodes
    } else {
      out.push({ kind, text: sql.slice(i, end) });
    }
    i = end;
  }
  return out;
}
