// Turns the measurements into the rows of the comparison (ours, upstream, ratio, target, met?),
// the printed table, and a dependency-free SVG chart.
import { fmtMB, fmtMs } from "./util.mjs";

const fmtCount = (v) => (v == null ? "-" : Number.isInteger(v) ? String(v) : v.toFixed(2));
const fmtS = (ms) => (ms == null ? "-" : `${(ms / 1000).toFixed(1)} s`);
const FORMAT = { ms: fmtMs, bytes: fmtMB, count: fmtCount, s: fmtS };

/**
 * One comparison row. `ours`/`upstream`: the headline value (a median where there is a
 * distribution), `spread`: {ours, upstream} as [low, high] (p10..p90), `target`: {max, text}.
 */
function row(id, label, unit, ours, upstream, { spread, target, note, floor } = {}) {
  const ratio = ours > 0 && upstream != null ? upstream / ours : null;
  const met = target ? (ours == null ? false : ours <= target.max) : null;
  return { id, label, unit, ours, upstream, ratio, spread: spread ?? null, target: target ?? null, met, note: note ?? null, floor: floor ?? null };
}

const med = (s) => s?.median ?? null;
const band = (s) => (s ? [s.p10, s.p90] : null);

/** The comparison rows from the collected results. */
export function buildRows(r) {
  const rows = [];
  const { install, imports, seeding, floor } = r;
  if (install) {
    const cached = install.fromCache ? ` (cached ${install.fromCache.slice(0, 16).replace("T", " ")})` : "";
    rows.push(row("install.bytes", "install: added on disk (du)", "bytes", install.ours.addedBytesOnDisk, install.upstream.addedBytesOnDisk,
      { target: { max: 15e6, text: "<= 15 MB" } }));
    rows.push(row("install.apparentBytes", "install: added, apparent size", "bytes", install.ours.addedApparentBytes, install.upstream.addedApparentBytes,
      { target: { max: 15e6, text: "<= 15 MB" } }));
    rows.push(row("install.packages", "install: packages added", "count", install.ours.addedPackages, install.upstream.addedPackages,
      { target: { max: 2, text: "<= 2" } }));
    rows.push(row("install.time", `install: npm time${cached}`, "s", install.ours.installMs, install.upstream.installMs,
      { note: "one run each, npm cache " + (install.cacheWarm ? "warm" : "cold") +
        "; ours: npm install of the tarball on top of the baseline; upstream: npm ci of the committed lockfile minus the baseline's npm ci" }));
  }
  if (imports) {
    const o = imports.ours;
    const u = imports.upstream;
    rows.push(row("import.time", "import time", "ms", med(o.importMs), med(u.importMs),
      { spread: { ours: band(o.importMs), upstream: band(u.importMs) }, target: { max: 30, text: "<= 30 ms" } }));
    rows.push(row("import.rss", "RSS added by import", "bytes", med(o.rssDelta), med(u.rssDelta),
      { spread: { ours: band(o.rssDelta), upstream: band(u.rssDelta) }, target: { max: 15e6, text: "<= +15 MB" } }));
    if (o.importPlusNativeMs) {
      rows.push(row("import.withNative", "import + native binary load", "ms", med(o.importPlusNativeMs), med(u.importMs),
        { spread: { ours: band(o.importPlusNativeMs), upstream: band(u.importMs) }, note: "ours loads the .node on its first call; upstream column: plain import" }));
      rows.push(row("import.rssWithNative", "RSS added by import + native load", "bytes", med(o.rssDeltaWithNative), med(u.rssDelta),
        { spread: { ours: band(o.rssDeltaWithNative), upstream: band(u.rssDelta) } }));
    }
  }
  if (seeding) {
    const o = seeding.ours;
    const u = seeding.upstream;
    const floorOf = (phase) => (floor?.proxied ? { ours: floor.proxied.ours[phase].perUserMs, upstream: floor.proxied.upstream[phase].perUserMs } : null);
    rows.push(row("create.perUser", "create + addToUserGroup, per user", "ms", med(o.create.ms), med(u.create.ms),
      { spread: { ours: band(o.create.ms), upstream: band(u.create.ms) }, target: { max: 30, text: "<= 30 ms" }, floor: floorOf("create") }));
    rows.push(row("signin.perUser", "signInUser, per user", "ms", med(o.signin.ms), med(u.signin.ms),
      { spread: { ours: band(o.signin.ms), upstream: band(u.signin.ms) }, target: { max: 15, text: "<= 15 ms" }, floor: floorOf("signin") }));
    rows.push(row("signin.cpu", "client CPU per sign-in (SRP)", "ms", med(o.signin.cpuMs), med(u.signin.cpuMs),
      { spread: { ours: band(o.signin.cpuMs), upstream: band(u.signin.cpuMs) } }));
    rows.push(row("create.cpu", "client CPU per create + group", "ms", med(o.create.cpuMs), med(u.create.cpuMs),
      { spread: { ours: band(o.create.cpuMs), upstream: band(u.create.cpuMs) } }));
    rows.push(row("calls.create", "AWS calls per user, create + group", "count", o.calls.create.perUser, u.calls.create.perUser,
      { target: { max: u.calls.create.perUser, text: "<= upstream" } }));
    rows.push(row("calls.signin", "AWS calls per sign-in", "count", o.calls.signin.perUser, u.calls.signin.perUser,
      { target: { max: u.calls.signin.perUser, text: "<= upstream" } }));
  }
  if (r.bulk?.unthrottled?.upstreamLoop) {
    const b = r.bulk.unthrottled;
    rows.push(row("bulk.perUser", `bulk: ${r.bulk.users} users + group, per user (ours createUsers)`, "ms", b.oursBulk.msPerUser, b.upstreamLoop.msPerUser,
      { note: "ours: createUsers, one call; upstream: the guide's sequential loop (createAndSignUpUser + addToUserGroup); total time / users" }));
    rows.push(row("bulk.loopPerUser", `bulk: ${r.bulk.users} users + group, per user (sequential loop)`, "ms", b.oursLoop.msPerUser, b.upstreamLoop.msPerUser,
      { note: "both: the guide's sequential loop; total time / users" }));
  }
  rows.push(...dataRows(r.data));
  if (floor?.proxied) {
    const o = floor.proxied.ours;
    const u = floor.proxied.upstream;
    rows.push(row("floor.create", "emulator time per user, create + group", "ms", o.create.perUserMs, u.create.perUserMs,
      { note: "floor: sum of the emulator's service times for the calls made" }));
    rows.push(row("floor.signin", "emulator time per sign-in", "ms", o.signin.perUserMs, u.signin.perUserMs,
      { note: "floor: sum of the emulator's service times for the calls made" }));
  }
  return rows;
}

/**
 * The stock-moto pass next to the patched run, per metric: ours and upstream on each emulator
 * (medians, p10-p90), ours(stock)/ours(patched) against its target (<= 1.2) and
 * upstream(stock)/ours(stock). Informational, like every target here.
 */
export function buildStockRows(r) {
  if (!r.stock || !r.seeding) return [];
  const metrics = [
    ["create.perUser", "create + addToUserGroup, per user", (s) => s.create.ms],
    ["signin.perUser", "signInUser, per user", (s) => s.signin.ms],
    ["signin.cpu", "client CPU per sign-in", (s) => s.signin.cpuMs],
    ["calls.signin", "AWS calls per sign-in", null],
  ];
  return metrics.map(([id, label, pick]) => {
    const value = (s) => (pick ? med(pick(s)) : s.calls.signin.perUser);
    const spread = (s) => (pick ? band(pick(s)) : null);
    const ours = { stock: value(r.stock.ours), patched: value(r.seeding.ours) };
    const upstream = { stock: value(r.stock.upstream), patched: value(r.seeding.upstream) };
    const stockOverPatched = ours.patched > 0 ? ours.stock / ours.patched : null;
    const timed = id !== "calls.signin";
    return {
      id,
      label,
      unit: pick ? "ms" : "count",
      ours,
      upstream,
      spread: { oursStock: spread(r.stock.ours), oursPatched: spread(r.seeding.ours), upstreamStock: spread(r.stock.upstream) },
      stockOverPatched,
      upstreamOverOurs: ours.stock > 0 ? upstream.stock / ours.stock : null,
      // Issue #10's second target: on stock moto too, ours is faster than upstream in the same run.
      fasterThanUpstream: timed && ours.stock > 0 && upstream.stock != null ? upstream.stock > ours.stock : null,
      target: timed && id !== "signin.cpu" ? { max: 1.2, text: "stock/patched <= 1.2" } : null,
      met: timed && id !== "signin.cpu" && stockOverPatched != null ? stockOverPatched <= 1.2 : null,
    };
  });
}

/** The stock-moto rows as a plain-text table. */
export function formatStockTable(rows) {
  const ratio = (x) => (x == null ? "-" : x >= 10 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`);
  const header = ["metric", "ours (stock)", "ours (patched)", "ours stock/patched", "target", "met?", "upstream (stock)", "upstream (patched)", "upstream/ours (stock)", "ours faster?"];
  const lines = rows.map((r) => {
    const fmt = FORMAT[r.unit];
    const withSpread = (v, s) => (v == null ? "-" : s ? `${fmt(v)} (${fmt(s[0])}-${fmt(s[1])})` : fmt(v));
    return [
      r.label,
      withSpread(r.ours.stock, r.spread.oursStock),
      withSpread(r.ours.patched, r.spread.oursPatched),
      ratio(r.stockOverPatched),
      r.target?.text ?? "",
      r.met == null ? "" : r.met ? "yes" : "NO",
      withSpread(r.upstream.stock, r.spread.upstreamStock),
      r.upstream.patched == null ? "-" : fmt(r.upstream.patched),
      ratio(r.upstreamOverOurs),
      r.fasterThanUpstream == null ? "" : r.fasterThanUpstream ? "yes" : "NO",
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmtLine = (l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [fmtLine(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmtLine)].join("\n");
}

function cell(rowData, which) {
  const fmt = FORMAT[rowData.unit];
  const value = rowData[which];
  if (value == null) return "-";
  const s = rowData.spread?.[which];
  return s ? `${fmt(value)} (${fmt(s[0])}-${fmt(s[1])})` : fmt(value);
}

/** The comparison as a plain-text table. */
export function formatTable(rows) {
  const header = ["metric", "ours", "upstream", "upstream/ours", "target", "met?"];
  const lines = rows.map((r) => [
    r.label,
    cell(r, "ours"),
    cell(r, "upstream"),
    r.ratio == null ? "-" : r.ratio >= 10 ? `${r.ratio.toFixed(0)}x` : `${r.ratio.toFixed(2)}x`,
    r.target?.text ?? "",
    r.met == null ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmtLine = (l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [fmtLine(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmtLine)].join("\n");
}

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Hand-written SVG: one row per metric, ours as a share of upstream on a log axis (upstream
 * = 100%), the real values written beside the bars, the target as a dashed red tick.
 */
export function renderSvg(rows, { title, subtitle }) {
  const plotted = rows.filter((r) => r.ours > 0 && r.upstream > 0);
  const left = 300;
  const plotWidth = 440;
  const right = 470;
  const rowHeight = 46;
  const top = 92;
  const width = left + plotWidth + right;
  const height = top + plotted.length * rowHeight + 56;
  const minExp = -4; // 0.01 %
  const maxExp = Math.max(0, ...plotted.map((r) => Math.ceil(Math.log10(Math.max(r.ours, r.spread?.ours?.[1] ?? 0) / r.upstream) - 1e-9))); // 100 % or more when needed
  const x = (fraction) => {
    const e = Math.min(maxExp, Math.max(minExp, Math.log10(fraction)));
    return left + ((e - minExp) / (maxExp - minExp)) * plotWidth;
  };
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="16" y="26" font-size="17" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="16" y="46" fill="#555">${esc(subtitle)}</text>`);
  out.push(`<rect x="16" y="58" width="12" height="12" fill="#2b7bba"/><text x="34" y="69">ours (amplify-seed-native)</text>`);
  out.push(`<rect x="200" y="58" width="12" height="12" fill="#c9c9c9"/><text x="218" y="69">upstream @aws-amplify/seed@1.1.4 (= 100%)</text>`);
  out.push(`<line x1="512" y1="64" x2="530" y2="64" stroke="#d62728" stroke-width="2" stroke-dasharray="4,2"/><text x="536" y="69">target</text>`);
  out.push(`<line x1="590" y1="64" x2="608" y2="64" stroke="#222" stroke-width="1.5"/><text x="614" y="69">p10-p90</text>`);
  out.push(`<rect x="680" y="57" width="3" height="14" fill="#222"/><text x="688" y="69">emulator time of the calls made (floor, separate proxied run)</text>`);
  out.push(`<text x="${left + plotWidth / 2}" y="86" text-anchor="middle" fill="#555">ours as a share of upstream (log scale; shorter is better)</text>`);
  for (let e = minExp; e <= maxExp; e += 1) {
    const gx = x(10 ** e);
    out.push(`<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${top + plotted.length * rowHeight}" stroke="${e === 0 ? "#888" : "#e3e3e3"}"/>`);
    const pct = 10 ** (e + 2);
    out.push(`<text x="${gx}" y="${top + plotted.length * rowHeight + 16}" text-anchor="middle" fill="#555">${pct >= 1 ? pct.toFixed(0) : pct.toFixed(2)}%</text>`);
  }
  plotted.forEach((r, i) => {
    const y = top + i * rowHeight;
    const fmt = FORMAT[r.unit];
    out.push(`<text x="${left - 10}" y="${y + 19}" text-anchor="end">${esc(r.label)}</text>`);
    const x0 = x(10 ** minExp);
    out.push(`<rect x="${x0}" y="${y + 6}" width="${x(1) - x0}" height="14" fill="#c9c9c9"/>`);
    out.push(`<rect x="${x0}" y="${y + 22}" width="${Math.max(1, x(r.ours / r.upstream) - x0)}" height="14" fill="#2b7bba"/>`);
    const whisker = (lo, hi, cy) => `<line x1="${x(lo / r.upstream)}" y1="${cy}" x2="${x(hi / r.upstream)}" y2="${cy}" stroke="#222" stroke-width="1.5"/>` +
      `<line x1="${x(lo / r.upstream)}" y1="${cy - 4}" x2="${x(lo / r.upstream)}" y2="${cy + 4}" stroke="#222"/>` +
      `<line x1="${x(hi / r.upstream)}" y1="${cy - 4}" x2="${x(hi / r.upstream)}" y2="${cy + 4}" stroke="#222"/>`;
    if (r.spread?.upstream) out.push(whisker(r.spread.upstream[0], r.spread.upstream[1], y + 13));
    if (r.spread?.ours) out.push(whisker(r.spread.ours[0], r.spread.ours[1], y + 29));
    if (r.floor) {
      out.push(`<rect x="${x(r.floor.upstream / r.upstream) - 1.5}" y="${y + 5}" width="3" height="16" fill="#222"/>`);
      out.push(`<rect x="${x(r.floor.ours / r.upstream) - 1.5}" y="${y + 21}" width="3" height="16" fill="#222"/>`);
    }
    if (r.target && r.target.max > 0) {
      const tx = x(r.target.max / r.upstream);
      out.push(`<line x1="${tx}" y1="${y + 2}" x2="${tx}" y2="${y + 40}" stroke="#d62728" stroke-width="2" stroke-dasharray="4,2"/>`);
    }
    const ratio = r.ratio >= 10 ? `${r.ratio.toFixed(0)}x` : `${r.ratio.toFixed(2)}x`;
    const verdict = r.met == null ? "" : r.met ? " - target met" : " - target MISSED";
    const floorText = (v) => (r.floor ? `, floor ${fmt(v)}` : "");
    out.push(`<text x="${left + plotWidth + 10}" y="${y + 18}" fill="#555">upstream ${esc(fmt(r.upstream))}${esc(floorText(r.floor?.upstream))}</text>`);
    out.push(`<text x="${left + plotWidth + 10}" y="${y + 34}" fill="${r.met === false ? "#d62728" : "#1f4e79"}">ours ${esc(fmt(r.ours))}${esc(floorText(r.floor?.ours))} (upstream / ours = ${ratio})${esc(verdict)}</text>`);
  });
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}

const fmtRatio = (x) => (x == null || !Number.isFinite(x) ? "-" : x >= 10 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`);

function textTable(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmtLine = (l) => l.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [fmtLine(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmtLine)].join("\n");
}

/**
 * The bulk part's checks against issue #11's targets (reported, never asserted): each
 * {id, label, value, text, target, met}.
 */
export function buildBulkChecks(bulk) {
  if (!bulk) return [];
  const u = bulk.unthrottled;
  const q = bulk.quotas;
  const checks = [];
  const add = (id, label, value, text, target, met) => checks.push({ id, label, value, text, target, met });
  add("bulk.overOursLoop", "unthrottled: ours createUsers / ours sequential loop (users/s)", bulk.ratios.bulkOverOursLoop,
    fmtRatio(bulk.ratios.bulkOverOursLoop), ">= 5x", bulk.ratios.bulkOverOursLoop >= 5);
  if (bulk.roundTrip) {
    const r = bulk.roundTrip;
    add("bulk.roundTripOverOursLoop", `${r.latencyMs} ms round trip: ours createUsers / ours sequential loop (users/s)`,
      bulk.ratios.roundTripBulkOverOursLoop, fmtRatio(bulk.ratios.roundTripBulkOverOursLoop), ">= 5x",
      bulk.ratios.roundTripBulkOverOursLoop >= 5);
  }
  add("bulk.overUpstreamLoop", "unthrottled: ours createUsers / upstream sequential loop (users/s)", bulk.ratios.bulkOverUpstreamLoop,
    fmtRatio(bulk.ratios.bulkOverUpstreamLoop), "", null);
  add("bulk.loopOverUpstreamLoop", "unthrottled: ours loop / upstream loop (users/s)", bulk.ratios.oursLoopOverUpstreamLoop,
    fmtRatio(bulk.ratios.oursLoopOverUpstreamLoop), "", null);
  add("bulk.firstOverRerun", "re-run (all existing): first run's time / re-run's time", bulk.ratios.firstOverRerun,
    fmtRatio(bulk.ratios.firstOverRerun), ">= 2x", bulk.ratios.firstOverRerun >= 2);
  add("bulk.rerunInitiateAuth", "re-run: InitiateAuth calls", u.oursRerun.initiateAuth, String(u.oursRerun.initiateAuth), "0", u.oursRerun.initiateAuth === 0);
  add("bulk.rerunExisting", "re-run: users reported existing", u.oursRerun.outcome.existing, `${u.oursRerun.outcome.existing}/${bulk.users}`,
    `${bulk.users}`, u.oursRerun.outcome.existing === bulk.users);
  if (q?.oursBulk) {
    add("bulk.quotaShare", `quotas: users/s / ${q.bound.usersPerSecond} users/s (${q.bound.category} bound)`, q.share,
      `${(q.share * 100).toFixed(1)}% (${q.oursBulk.usersPerSecond.toFixed(1)} users/s)`, ">= 90%", q.share >= 0.9);
    add("bulk.quotaFailed", "quotas: failed users", q.oursBulk.outcome.failed, String(q.oursBulk.outcome.failed), "0", q.oursBulk.outcome.failed === 0);
    add("bulk.quotaThrottled", "quotas: requests the emulator throttled", q.oursBulk.calls.throttledTotal,
      `${q.oursBulk.calls.throttledTotal}${q.oursBulk.calls.throttledTotal ? ` (${Object.entries(q.oursBulk.calls.throttled).map(([op, n]) => `${op.split(":")[1]} ${n}`).join(", ")})` : ""}`, "", null);
  }
  const states = [["oursBulk", u.endState?.oursBulk], ["oursLoop", u.endState?.oursLoop], ["upstreamLoop", u.endState?.upstreamLoop],
    ["roundTripBulk", bulk.roundTrip?.endState?.oursBulk], ["roundTripLoop", bulk.roundTrip?.endState?.oursLoop], ["quotas", q?.endState]];
  if (q?.oursLoop) {
    add("bulk.quotaLoopFailed", "quotas (not in the issue): ours sequential loop, failed users / throttled requests", q.oursLoop.outcome.failed,
      `${q.oursLoop.outcome.failed} / ${q.oursLoop.calls.throttledTotal} (${q.oursLoop.usersPerSecond.toFixed(1)} users/s)`, "", null);
  }
  const parts = [];
  let allOk = true;
  for (const [name, e] of states) {
    if (!e) continue;
    allOk &&= e.ok;
    parts.push(`${name} ${e.confirmedInGroup}/${e.expected}`);
  }
  add("bulk.endState", "end state: users CONFIRMED and in the group (ListUsers, ListUsersInGroup)", allOk, parts.join(", "), "all", allOk);
  return checks;
}

/** The bulk part as text: one line per run, then the checks. */
export function formatBulk(bulk, checks) {
  const u = bulk.unthrottled;
  const q = bulk.quotas;
  const runs = [
    ["ours createUsers", u.oursBulk, u.endState?.oursBulk],
    ["ours createUsers again (all existing)", u.oursRerun, null],
    ["ours sequential loop", u.oursLoop, u.endState?.oursLoop],
    ["upstream sequential loop", u.upstreamLoop, u.endState?.upstreamLoop],
    ...(bulk.roundTrip ? [[`ours createUsers, ${bulk.roundTrip.latencyMs} ms round trip`, bulk.roundTrip.oursBulk, bulk.roundTrip.endState?.oursBulk],
      [`ours sequential loop, ${bulk.roundTrip.latencyMs} ms round trip`, bulk.roundTrip.oursLoop, bulk.roundTrip.endState?.oursLoop]] : []),
    ...(q?.oursBulk ? [["ours createUsers, default quotas", q.oursBulk, q.endState]] : []),
    ...(q?.oursLoop ? [["ours sequential loop, default quotas", q.oursLoop, q.endStateLoop]] : []),
  ];
  const lines = runs.map(([label, f, e]) => [
    label,
    fmtS(f.ms),
    f.usersPerSecond.toFixed(1),
    fmtMs(f.msPerUser),
    fmtMs(f.cpuMsPerUser),
    f.calls.perUser.toFixed(2),
    String(f.initiateAuth),
    String(f.calls.throttledTotal),
    `${f.outcome.created}/${f.outcome.existing}/${f.outcome.failed}`,
    e ? `${e.confirmedInGroup}/${e.expected}` : "-",
  ]);
  const head = `bulk users: N=${bulk.users} Password users with one group each; createUsers with progress: false and default options; ` +
    `every run in its own sandbox (user pool); first four on one emulator without quotas, the "round trip" ones on one with SEEDTEST_NETWORK_LATENCY_MS, ` +
    `the "default quotas" ones on one with SEEDTEST_COGNITO_QUOTAS=1`;
  const table = textTable(["run", "time", "users/s", "ms/user", "client CPU/user", "calls/user", "InitiateAuth", "throttled", "created/existing/failed", "CONFIRMED+group"], lines);
  const checkTable = textTable(["check (issue #11)", "value", "target", "met?"],
    checks.map((c) => [c.label, c.text, c.target, c.met == null ? "" : c.met ? "yes" : "NO"]));
  const failures = runs.filter(([, f]) => f.failures?.length).map(([label, f]) =>
    `  ${label}: first failures: ${f.failures.map((x) => `${x.username} ${x.name}: ${x.message}`).join("; ")}`);
  const notes = [];
  const ops = (f) => Object.entries(f.calls.byOp).filter(([op]) => op.startsWith("cognito-idp:"))
    .map(([op, n]) => `${op.split(":")[1]} ${(n / f.users).toFixed(2)}`).join(", ");
  notes.push(`note: calls per user, re-run: ${ops(u.oursRerun)}; first run: ${ops(u.oursBulk)}.`);
  if (q?.bound) {
    notes.push(`note: the quota emulator's buckets start full (${q.bound.burst} group changes at once); with that burst the exact bound for N=${bulk.users} is ` +
      `${q.bound.withBurstUsersPerSecond == null ? "-" : `${q.bound.withBurstUsersPerSecond.toFixed(1)} users/s`} (the share above is against ${q.bound.usersPerSecond} users/s).`);
  }
  return [head, table, "", checkTable, ...failures, ...notes].join("\n");
}

/** The long mode's figures as text. */
export function formatLong(long) {
  const s = long.rssSummary;
  const at = Object.entries(long.rssAt).map(([n, x]) => (x ? `${n}: ${fmtMB(x.rss)} (${x.done} done, ${fmtS(x.t)})` : `${n}: -`)).join("; ");
  const e = long.endState;
  return [
    `long mode: ${long.users} users in one createUsers call: ${fmtS(long.ms)}, ${long.usersPerSecond.toFixed(1)} users/s, ` +
      `created/existing/failed ${long.outcome.created}/${long.outcome.existing}/${long.outcome.failed}`,
    `  RSS of the seeding process, ${s.n} samples (every 250 ms and at each progress report): min ${fmtMB(s.min)}, median ${fmtMB(s.median)}, max ${fmtMB(s.max)}; ` +
      `before the call ${fmtMB(long.rss.before)}, peak (VmHWM) ${fmtMB(long.rss.peak)}`,
    `  RSS at users done: ${at}; growth from the first mark to the end ${long.growthBytesPerUser == null ? "-" : `${(long.growthBytesPerUser / 1024).toFixed(2)} KiB/user`}`,
    `  end state: ${e.confirmed}/${e.expected} CONFIRMED, ${e.inGroup} in the group, ${e.found} found` +
      `${Object.keys(e.otherStatuses).length ? `, other statuses ${JSON.stringify(e.otherStatuses)}` : ""} (ListUsers ${e.pages.listUsers} pages)`,
  ].join("\n");
}

const fmtPct = (x) => (x == null || !Number.isFinite(x) ? "-" : `${(x * 100).toFixed(0)}%`);
const MIB = 2 ** 20;
const fmtSize = (bytes) => (bytes == null ? "-" : bytes >= MIB ? `${(bytes / MIB).toFixed(0)} MiB` : `${(bytes / 1e3).toFixed(0)} kB`);

/** The data part's rows of the main table: ours next to aws-amplify in the upstream app. */
export function dataRows(d) {
  const rows = [];
  if (!d) return rows;
  const rec = d.records?.loopback;
  if (rec) {
    rows.push(row("data.recordLoop", `data: ${d.recordCount} records, per record (ours createRecords; upstream: aws-amplify loop)`, "ms",
      rec.ours.msPerItem, rec.loop.msPerItem, { note: "upstream column: aws-amplify's models.Todo.create in the upstream app, one awaited call at a time; total time / records; loopback" }));
    rows.push(row("data.recordBatches", "data: per record (ours createRecords; upstream: aws-amplify Promise.all x16)", "ms",
      rec.ours.msPerItem, rec.batches.msPerItem, { note: "upstream column: the same calls in Promise.all batches of 16; loopback" }));
    rows.push(row("data.recordCpu", "data: client CPU per record (vs aws-amplify Promise.all x16)", "ms",
      rec.ours.cpuMsPerItem, rec.batches.cpuMsPerItem, { note: "process.cpuUsage of the child, all threads" }));
  }
  const rtt = d.records?.roundTrip;
  if (rtt) {
    rows.push(row("data.recordLoopRtt", `data: per record, ${rtt.latencyMs} ms round trip (upstream: aws-amplify loop)`, "ms",
      rtt.ours.msPerItem, rtt.loop.msPerItem, { note: `an emulator answering every request ${rtt.latencyMs} ms late (SEEDTEST_NETWORK_LATENCY_MS)` }));
  }
  const f = d.files;
  if (f) {
    rows.push(row("files.perFile", `files: ${d.fileCount} x ${fmtSize(d.fileBytes)}, per file (ours uploadFiles; upstream: uploadData loop)`, "ms",
      f.ours.msPerItem, f.loop.msPerItem, { note: "upstream column: aws-amplify's uploadData in the upstream app, one at a time; loopback" }));
    rows.push(row("files.cpuPerMB", "files: client CPU per MB (vs aws-amplify uploadData Promise.all x16)", "ms",
      f.ours.cpuMsPerMB, f.batches.cpuMsPerMB));
  }
  const big = d.big;
  if (big?.amplifyShim && big.amplifyShim.outcome.failed === 0) {
    rows.push(row("files.big", `files: one ${fmtSize(d.bigBytes)} file (upstream: uploadData + the bench's FileReader shim)`, "ms",
      big.ours.ms, big.amplifyShim.ms, { note: "as shipped, aws-amplify 6.14.4's multipart upload fails in Node (no FileReader); both through the in-flight proxy" }));
  }
  return rows;
}

/**
 * The data part's checks against issue #13's targets (reported, never asserted): each
 * {id, label, value, text, target, met}.
 */
export function buildDataChecks(d, { oursWholeFileMax = 16 * MIB } = {}) {
  if (!d) return [];
  const checks = [];
  const add = (id, label, value, text, target, met) => checks.push({ id, label, value, text, target, met });
  const r = d.ratios;
  const passes = [["records.loopback", "loopback", r.records, d.records?.loopback], ["records.roundTrip", `${d.records?.roundTrip?.latencyMs} ms round trip`, r.recordsRoundTrip, d.records?.roundTrip]];
  for (const [id, label, x, p] of passes) {
    if (!x) continue;
    add(`${id}.overLoop`, `records, ${label}: ours createRecords / aws-amplify sequential loop (records/s)`, x.oursOverLoop,
      `${fmtRatio(x.oursOverLoop)} (${p.ours.perSecond.toFixed(0)} vs ${p.loop.perSecond.toFixed(0)}/s)`, ">= 10x", x.oursOverLoop >= 10);
    add(`${id}.overBatches`, `records, ${label}: ours createRecords / aws-amplify Promise.all x${d.concurrency} (records/s)`, x.oursOverBatches,
      `${fmtRatio(x.oursOverBatches)} (${p.batches.perSecond.toFixed(0)}/s)`, ">= 1x (no slower)", x.oursOverBatches >= 1);
    add(`${id}.cpu`, `records, ${label}: client CPU per record, ours / aws-amplify Promise.all x${d.concurrency}`, x.cpuOursOverBatches,
      `${fmtPct(x.cpuOursOverBatches)} (${fmtMs(p.ours.cpuMsPerItem)} vs ${fmtMs(p.batches.cpuMsPerItem)})`, "< 100% (a fraction)", x.cpuOursOverBatches < 1);
  }
  if (r.files) {
    const f = d.files;
    add("files.overLoop", "files: ours uploadFiles / aws-amplify uploadData loop (files/s)", r.files.oursOverLoop,
      `${fmtRatio(r.files.oursOverLoop)} (${f.ours.perSecond.toFixed(0)} vs ${f.loop.perSecond.toFixed(0)}/s)`, "", null);
    add("files.overBatches", `files: ours uploadFiles / aws-amplify uploadData Promise.all x${d.concurrency} (files/s)`, r.files.oursOverBatches,
      `${fmtRatio(r.files.oursOverBatches)} (${f.batches.perSecond.toFixed(0)}/s)`, ">= 1x (no slower)", r.files.oursOverBatches >= 1);
    add("files.cpu", `files: client CPU per MB, ours / aws-amplify Promise.all x${d.concurrency}`, r.files.cpuOursOverBatches,
      `${fmtPct(r.files.cpuOursOverBatches)} (${fmtMs(f.ours.cpuMsPerMB)} vs ${fmtMs(f.batches.cpuMsPerMB)} per MB)`, "< 100% (a fraction)", r.files.cpuOursOverBatches < 1);
  }
  const big = d.big;
  if (big?.ours) {
    const m = big.ours.multipart;
    const size = fmtSize(d.bigBytes);
    if (d.bigBytes <= oursWholeFileMax && m.uploadParts === 0) {
      add("big.parts", `${size} file: ours' UploadPart calls, most in flight at once`, null,
        `none: sent whole (${Object.entries(m.byOp).map(([op, n]) => `${op} ${n}`).join(", ")}); ours uses parts above ${fmtSize(oursWholeFileMax)}`, "> 1 at once", null);
    } else {
      add("big.parts", `${size} file: ours' UploadPart calls, most in flight at once`, m.maxInFlight,
        `${m.uploadParts} parts, ${m.maxInFlight} at once`, "> 1 at once", m.maxInFlight > 1 && big.ours.outcome.failed === 0);
    }
    const a = big.amplify;
    add("big.amplifyAsShipped", `${size} file: aws-amplify uploadData as shipped`, a.outcome.failed,
      a.outcome.failed ? `failed: ${a.failures[0]?.name}: ${a.failures[0]?.message}` : `ok, ${fmtS(a.ms)} (${a.multipart.uploadParts} parts, ${a.multipart.maxInFlight} at once)`, "", null);
    const s = big.amplifyShim;
    if (s) {
      add("big.amplifyShim", `${size} file: aws-amplify uploadData + FileReader shim: UploadPart calls, most in flight`, s.multipart.maxInFlight,
        s.outcome.failed ? `failed: ${s.failures[0]?.name}: ${s.failures[0]?.message}` : `${s.multipart.uploadParts} parts, ${s.multipart.maxInFlight} at once`, "", null);
    }
    if (r.big?.amplifyOverOurs != null) {
      add("big.time", `${size} file: aws-amplify (shim) time / ours' time`, r.big.amplifyOverOurs,
        `${fmtRatio(r.big.amplifyOverOurs)} (${fmtS(s.ms)} vs ${fmtS(big.ours.ms)}); client CPU per MB ours / aws-amplify ${fmtPct(r.big.cpuOursOverAmplify)}`, "", null);
    }
  }
  // Failures: every run but the as-shipped aws-amplify big file (which is expected to fail in Node).
  const runs = dataRunList(d).filter(([key]) => key !== "big.amplify");
  const failed = runs.filter(([, , f]) => f.outcome.failed > 0);
  add("data.failed", "failed records / files (every run but aws-amplify's as-shipped big file)", failed.length,
    failed.length ? failed.map(([, label, f]) => `${label}: ${f.outcome.failed}`).join("; ") : "0", "0", failed.length === 0);
  const ends = runs.filter(([, , , e]) => e);
  const bad = ends.filter(([, , , e]) => !e.ok);
  add("data.endState", "end state: what each run reported written is in its table / bucket (DynamoDB Scan, ListObjectsV2)", bad.length === 0,
    bad.length ? bad.map(([, label, , e]) => `${label}: ${e.found}/${e.expected}`).join("; ") : `all ${ends.length} runs`, "all", bad.length === 0);
  return checks;
}

/** [key, label, figures, endState] of every run of the data part, in order. */
function dataRunList(d) {
  const list = [];
  const size = fmtSize(d.bigBytes);
  const rec = (p, suffix, key) => p && list.push(
    [`${key}.ours`, `ours createRecords${suffix}`, p.ours, p.endState?.ours],
    [`${key}.loop`, `aws-amplify create, sequential loop${suffix}`, p.loop, p.endState?.loop],
    [`${key}.batches`, `aws-amplify create, Promise.all x${d.concurrency}${suffix}`, p.batches, p.endState?.batches],
  );
  rec(d.records?.loopback, "", "records");
  rec(d.records?.roundTrip, `, ${d.records?.roundTrip?.latencyMs} ms round trip`, "recordsRtt");
  if (d.files) {
    const each = `${d.fileCount} x ${fmtSize(d.fileBytes)}`;
    list.push(
      ["files.ours", `ours uploadFiles, ${each}`, d.files.ours, d.files.endState?.ours],
      ["files.loop", `aws-amplify uploadData loop, ${each}`, d.files.loop, d.files.endState?.loop],
      ["files.batches", `aws-amplify uploadData Promise.all x${d.concurrency}, ${each}`, d.files.batches, d.files.endState?.batches],
    );
  }
  if (d.big) {
    list.push(["big.ours", `ours uploadFiles, ${size}`, d.big.ours, d.big.endState?.ours]);
    list.push(["big.amplify", `aws-amplify uploadData, ${size}, as shipped`, d.big.amplify, d.big.endState?.amplify]);
    if (d.big.amplifyShim) list.push(["big.amplifyShim", `aws-amplify uploadData, ${size}, FileReader shim`, d.big.amplifyShim, d.big.endState?.amplifyShim]);
  }
  return list;
}

/** The data part as text: one line per run, then the checks. */
export function formatData(d, checks) {
  const lines = dataRunList(d).map(([, label, f, e]) => [
    label,
    fmtMs(f.ms),
    f.perSecond.toFixed(f.perSecond >= 10 ? 0 : 2),
    fmtMs(f.msPerItem),
    fmtMs(f.cpuMsPerItem),
    f.cpuMsPerMB == null ? "-" : fmtMs(f.cpuMsPerMB),
    f.calls.perItem.toFixed(2),
    `${f.outcome.ok}/${f.outcome.failed}`,
    e ? `${e.found}/${e.expected}` : "-",
  ]);
  const head = `data and files (issue #13): R=${d.recordCount} Todo records with ids as a signed-in user (owner rule), F=${d.fileCount} files of ${fmtSize(d.fileBytes)}` +
    `${d.big ? ` and one of ${fmtSize(d.bigBytes)}` : ""}; ours in the ours app, aws-amplify 6.14.4 in the upstream app (signed in with upstream's signInUser); ` +
    `every run its own child process and sandbox; loopback unless "round trip" (an emulator with SEEDTEST_NETWORK_LATENCY_MS); the big-file runs through the in-flight proxy`;
  const table = textTable(["run", "time", "items/s", "ms/item", "client CPU/item", "client CPU/MB", "calls/item", "ok/failed", "in table/bucket"], lines);
  const checkTable = textTable(["check (issue #13)", "value", "target", "met?"],
    checks.map((c) => [c.label, c.text, c.target, c.met == null ? "" : c.met ? "yes" : "NO"]));
  const failures = dataRunList(d).filter(([, , f]) => f.failures?.length).map(([, label, f]) =>
    `  ${label}: first failures: ${f.failures.map((x) => `${x.index ?? x.path ?? ""} ${x.name}: ${x.message}`).join("; ")}`);
  const notes = [];
  if (d.big) {
    for (const [label, f] of [["ours", d.big.ours], ["aws-amplify + shim", d.big.amplifyShim]]) {
      if (!f) continue;
      const m = f.multipart;
      notes.push(`note: ${fmtSize(d.bigBytes)} file, ${label}: requests while timed ${Object.entries(m.byOp).map(([op, n]) => `${op} ${n}`).join(", ") || "none"}` +
        (m.partBytes ? `; part sizes ${fmtSize(m.partBytes.min)}-${fmtSize(m.partBytes.max)}, each ${fmtMs(m.partMs.min)}-${fmtMs(m.partMs.max)}` : ""));
    }
  }
  return [head, table, "", checkTable, ...failures, ...notes].join("\n");
}
