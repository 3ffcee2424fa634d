// Switchboard live dashboard. Polls /api/v1/overview once a second and updates the page in place;
// changes go to the same API with the admin token (kept in this browser's localStorage).
(function () {
  "use strict";
  const API = "/api/v1";
  const TOKEN_KEY = "switchboard.adminToken";
  const $ = (sel, root) => (root || document).querySelector(sel);
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("data-")) e.setAttribute(k, v); else e[k] = v;
    }
    for (const k of kids) e.append(k);
    return e;
  };
  let token = localStorage.getItem(TOKEN_KEY) || "";
  let changesEnabled = true;
  let polling = false;
  const pools = new Map(); // name -> {section, rows: Map(name -> row refs)}

  // ---- token ------------------------------------------------------------------------------
  const tokenInput = $("#token");
  tokenInput.value = token;
  // "unset", "checking", "saved" (the server accepted it), "refused" (401/403), "unchecked" (no answer)
  let tokenStatus = token ? "checking" : "unset";
  let tokenReason = "";
  function showTokenState() {
    const s = $("#token-state");
    s.title = tokenReason;
    if (!changesEnabled) { s.textContent = "server is read-only"; s.className = "token-state"; }
    else if (tokenStatus === "saved") { s.textContent = "token saved"; s.className = "token-state set"; }
    else if (tokenStatus === "refused") { s.textContent = "token refused"; s.className = "token-state bad"; }
    else if (tokenStatus === "checking") { s.textContent = "checking…"; s.className = "token-state"; }
    else if (tokenStatus === "unchecked") { s.textContent = "token not checked"; s.className = "token-state bad"; }
    else { s.textContent = "not set"; s.className = "token-state"; }
  }
  // A token is kept only once the server has accepted it: POST /api/v1/token changes nothing and
  // needs the token even from loopback, where reads would pass without one.
  async function checkToken(candidate, announce) {
    tokenStatus = "checking"; tokenReason = ""; showTokenState();
    let r;
    try {
      r = await fetch(`${API}/token`, { method: "POST", headers: { "Authorization": "Bearer " + candidate }, cache: "no-store" });
    } catch (e) {
      tokenStatus = "unchecked"; tokenReason = e.message; showTokenState();
      if (announce) toast("Could not reach the server to check the token", true);
      return;
    }
    if (r.ok) {
      token = candidate;
      localStorage.setItem(TOKEN_KEY, token);
      tokenStatus = "saved"; tokenReason = "";
      showTokenState();
      if (announce) toast("Token accepted and saved in this browser");
      return;
    }
    const j = await r.json().catch(() => ({}));
    tokenReason = j.error || `HTTP ${r.status}`;
    if (r.status === 401 || r.status === 403) {
      token = "";
      localStorage.removeItem(TOKEN_KEY);
      tokenStatus = "refused";
      showTokenState();
      if (announce) toast("Token refused: " + tokenReason, true);
    } else {
      tokenStatus = "unchecked";
      showTokenState();
      if (announce) toast("Could not check the token: " + tokenReason, true);
    }
  }
  $("#token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const candidate = tokenInput.value.trim();
    if (!candidate) {
      token = ""; tokenStatus = "unset"; tokenReason = "";
      localStorage.removeItem(TOKEN_KEY);
      showTokenState();
      toast("Token cleared");
      return;
    }
    checkToken(candidate, true);
  });

  function headers(json) {
    const h = {};
    if (token) h["Authorization"] = "Bearer " + token;
    if (json) h["Content-Type"] = "application/json";
    return h;
  }

  // ---- formatting -------------------------------------------------------------------------
  const fmtInt = (n) => n.toLocaleString("en-US");
  const fmtRps = (n) => (n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(1));
  const fmtMs = (n) => (n == null ? "–" : n >= 1000 ? (n / 1000).toFixed(2) + " s" : n >= 10 ? n.toFixed(0) + " ms" : n.toFixed(1) + " ms");
  function fmtBytes(n) {
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + u[i];
  }
  function fmtUptime(s) {
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
  }
  const fmtTime = (ms) => new Date(ms).toLocaleTimeString("en-GB", { hour12: false });

  // ---- sparklines -------------------------------------------------------------------------
  function spark(canvas, values, color, fixedMax) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== w * dpr || canvas.height !== h * dpr) { canvas.width = w * dpr; canvas.height = h * dpr; }
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.strokeStyle = "rgba(131,145,165,0.18)";
    g.beginPath(); g.moveTo(0, h - 0.5); g.lineTo(w, h - 0.5); g.stroke();
    const n = 60;
    if (!values || values.length === 0) return;
    let max = fixedMax || 0;
    for (const v of values) if (v != null && v > max) max = v;
    if (max <= 0) max = 1;
    const x = (i) => ((n - values.length + i) / (n - 1)) * (w - 3) + 1;
    const y = (v) => h - 2 - (v / max) * (h - 5);
    // filled area per run of non-null points, then the line on top
    let run = [];
    const runs = [];
    values.forEach((v, i) => { if (v == null) { if (run.length) runs.push(run); run = []; } else run.push([x(i), y(v)]); });
    if (run.length) runs.push(run);
    for (const r of runs) {
      g.beginPath();
      g.moveTo(r[0][0], h - 1);
      for (const [px, py] of r) g.lineTo(px, py);
      g.lineTo(r[r.length - 1][0], h - 1);
      g.closePath();
      g.fillStyle = color + "22";
      g.fill();
      g.beginPath();
      r.forEach(([px, py], i) => (i ? g.lineTo(px, py) : g.moveTo(px, py)));
      g.strokeStyle = color; g.lineWidth = 1.4; g.lineJoin = "round"; g.stroke();
    }
    const last = runs.length ? runs[runs.length - 1] : null;
    if (last) {
      const [px, py] = last[last.length - 1];
      g.fillStyle = color; g.beginPath(); g.arc(px, py, 2.2, 0, Math.PI * 2); g.fill();
    }
  }

  // ---- toasts -----------------------------------------------------------------------------
  function toast(msg, err) {
    const t = el("div", { class: "toast" + (err ? " err" : "") }, msg);
    $("#toasts").append(t);
    setTimeout(() => t.remove(), err ? 7000 : 3500);
  }

  // ---- changes ----------------------------------------------------------------------------
  async function change(pool, backend, body, what) {
    if (!token) {
      toast("Enter the admin token (top right) to make changes", true);
      tokenInput.focus();
      return;
    }
    try {
      const r = await fetch(`${API}/pools/${encodeURIComponent(pool)}/backends/${encodeURIComponent(backend)}`, {
        method: "PATCH", headers: headers(true), body: JSON.stringify(body),
      });
      const j = await r.json().catch(() => ({}));
      if (!r.ok) {
        toast(`${pool}/${backend}: ${j.error || r.status + " " + r.statusText}`, true);
        if (r.status === 401 || r.status === 403) tokenInput.focus();
        return;
      }
      toast(`${pool}/${backend}: ${what}`);
      poll();
    } catch (e) {
      toast(`${pool}/${backend}: ${e.message}`, true);
    }
  }

  // ---- rendering --------------------------------------------------------------------------
  function poolSection(p) {
    let s = pools.get(p.name);
    if (s) return s;
    const spark = el("canvas", { class: "spark wide" });
    const section = el("section", { class: "pool", "data-pool": p.name },
      el("div", { class: "pool-head" },
        el("h2", {}, p.name),
        el("span", { class: "chip algo" }, p.algorithm),
        el("span", { class: "chip panic", hidden: true }, "all down: ignoring health"),
        el("div", { class: "pool-stats" }),
        el("div", { class: "pool-spark" }, el("span", {}, "req/s"), spark)),
      el("table", {},
        el("thead", {}, el("tr", {},
          el("th", {}, "Back end"), el("th", {}, "State"), el("th", {}, "Weight"),
          el("th", { class: "r" }, "In flight"), el("th", { class: "r" }, "Req/s"), el("th", { class: "r" }, "p99"),
          el("th", { class: "r" }, "2xx · 4xx · 5xx"), el("th", { class: "r" }, "Traffic"), el("th", { class: "r" }, ""))),
        el("tbody", {})),
      el("details", { class: "history", open: true }, el("summary", {}, "Recent transitions"), el("ol", {})));
    s = { section, spark, rows: new Map() };
    pools.set(p.name, s);
    $("#pools").append(section);
    return s;
  }

  function backendRow(s, pool, b) {
    let r = s.rows.get(b.name);
    if (r) return r;
    const weightInput = el("input", { type: "number", min: 0, max: 256, step: 1, value: b.weight, title: "weight 0-256" });
    const setWeight = el("button", { "data-action": "weight" }, "Set");
    const buttons = {
      drain: el("button", { class: "drain", "data-action": "drain", title: "No new requests; requests in flight finish" }, "Drain"),
      ready: el("button", { class: "ready", "data-action": "ready", title: "Back in service" }, "Enable"),
      maint: el("button", { class: "maint", "data-action": "maint", title: "Out of service, not probed" }, "Maint"),
    };
    const tr = el("tr", { "data-backend": b.name },
      el("td", {}, el("div", { class: "be-name" }, b.name), el("div", { class: "be-addr" }, b.address)),
      el("td", {}, el("span", { class: "state" }), el("div", { class: "cause" })),
      el("td", {}, el("div", { class: "weight" }, weightInput, setWeight, el("span", { class: "eff" }))),
      el("td", { class: "r num inflight" }),
      el("td", { class: "r" }, el("div", { class: "metric" }, el("canvas", { class: "spark rps" }), el("span", { class: "num rpsv" }))),
      el("td", { class: "r" }, el("div", { class: "metric" }, el("canvas", { class: "spark p99" }), el("span", { class: "num p99v" }))),
      el("td", { class: "r classes" }),
      el("td", { class: "r num traffic" }),
      el("td", {}, el("div", { class: "actions" }, buttons.drain, buttons.ready, buttons.maint)));
    const name = b.name;
    buttons.drain.addEventListener("click", () => change(pool, name, { state: "drain" }, "draining"));
    buttons.ready.addEventListener("click", () => change(pool, name, { state: "ready" }, "enabled"));
    buttons.maint.addEventListener("click", () => change(pool, name, { state: "maint" }, "in maintenance"));
    const submitWeight = () => {
      const w = Number(weightInput.value);
      if (!Number.isInteger(w) || w < 0 || w > 256) { toast("Weight must be a whole number 0-256", true); return; }
      change(pool, name, { weight: w }, "weight " + w);
      weightInput.blur();
    };
    setWeight.addEventListener("click", submitWeight);
    weightInput.addEventListener("keydown", (e) => { if (e.key === "Enter") submitWeight(); });
    r = { tr, weightInput, buttons,
      state: $(".state", tr), cause: $(".cause", tr), eff: $(".eff", tr), inflight: $(".inflight", tr),
      rps: $("canvas.rps", tr), rpsv: $(".rpsv", tr), p99: $("canvas.p99", tr), p99v: $(".p99v", tr),
      classes: $(".classes", tr), traffic: $(".traffic", tr) };
    s.rows.set(b.name, r);
    return r;
  }

  function render(o) {
    $("#version").textContent = /^\d/.test(o.version) ? "v" + o.version : o.version;
    const facts = $("#facts");
    facts.replaceChildren(
      el("span", {}, "up ", el("b", {}, fmtUptime(o.uptimeSeconds))),
      ...o.listeners.map((l) => el("span", {}, l.name + " ", el("b", {}, `${l.address}:${l.port}`), " → " + l.defaultPool)),
      el("span", {}, "config ", el("b", {}, o.configFile || "embedded")));
    renderRoutes(o.listeners);
    changesEnabled = o.changesEnabled;
    showTokenState();
    $("#empty").hidden = o.pools.length > 0;
    if (!o.pools.length) $("#empty").textContent = "No pools.";

    const seenPools = new Set();
    for (const p of o.pools) {
      seenPools.add(p.name);
      const s = poolSection(p);
      const sc = p.statusClasses;
      $(".pool-stats", s.section).replaceChildren(
        el("span", {}, el("b", {}, `${p.eligible}/${p.size}`), " eligible"),
        el("span", {}, el("b", {}, fmtInt(p.inFlight)), " in flight"),
        el("span", {}, el("b", {}, fmtInt(p.queued)), " queued"),
        el("span", {}, el("b", {}, fmtRps(p.rps)), " req/s"),
        el("span", {}, el("b", {}, fmtInt(p.requests)), " requests"),
        el("span", {}, el("b", {}, fmtInt(sc["5xx"])), " 5xx"),
        el("span", {}, el("b", {}, fmtInt(p.noBackend)), " without back end"));
      $(".chip.panic", s.section).hidden = !p.panic;
      // pool req/s: the sum of its back ends' series, aligned on the newest point
      const len = Math.max(0, ...p.backends.map((b) => b.series.rps.length));
      const sum = new Array(len).fill(0);
      for (const b of p.backends) {
        const off = len - b.series.rps.length;
        b.series.rps.forEach((v, i) => (sum[off + i] += v));
      }
      spark(s.spark, sum, "#4fd1c5");

      const tbody = $("tbody", s.section);
      const seen = new Set();
      p.backends.forEach((b, i) => {
        seen.add(b.name);
        const r = backendRow(s, p.name, b);
        if (tbody.children[i] !== r.tr) tbody.insertBefore(r.tr, tbody.children[i] || null);
        r.state.className = "state " + b.state;
        r.state.textContent = b.state;
        r.cause.textContent = b.cause;
        r.cause.title = b.cause;
        if (document.activeElement !== r.weightInput) r.weightInput.value = b.weight;
        r.eff.textContent = b.effectiveWeight !== b.weight ? `eff ${b.effectiveWeight}` : "";
        r.inflight.textContent = fmtInt(b.inFlight);
        spark(r.rps, b.series.rps, "#7aa2ff");
        r.rpsv.textContent = fmtRps(b.rps);
        spark(r.p99, b.series.p99Ms, "#d29922");
        const lastP99 = b.series.p99Ms.length ? b.series.p99Ms[b.series.p99Ms.length - 1] : null;
        r.p99v.textContent = fmtMs(lastP99 != null ? lastP99 : b.latency.p99Ms);
        r.p99v.title = `last ${b.latency.windowSeconds}s: p50 ${fmtMs(b.latency.p50Ms)}, p90 ${fmtMs(b.latency.p90Ms)}, p99 ${fmtMs(b.latency.p99Ms)}`;
        const c = b.statusClasses;
        r.classes.replaceChildren(el("span", { class: "c2" }, fmtInt(c["2xx"])), " · ",
          el("span", { class: "c4" }, fmtInt(c["4xx"])), " · ", el("span", { class: "c5" }, fmtInt(c["5xx"])));
        r.traffic.textContent = `↑${fmtBytes(b.bytesIn)} ↓${fmtBytes(b.bytesOut)}`;
        r.buttons.drain.disabled = !changesEnabled || b.admin === "drain";
        r.buttons.ready.disabled = !changesEnabled || b.admin === "ready";
        r.buttons.maint.disabled = !changesEnabled || b.admin === "maint";
      });
      for (const [name, r] of s.rows) if (!seen.has(name)) { r.tr.remove(); s.rows.delete(name); }

      const ol = $("details.history ol", s.section);
      ol.replaceChildren(...p.history.map((t) => el("li", {},
        el("time", {}, fmtTime(t.epochMillis)),
        el("b", {}, t.backend),
        el("span", { class: "arrow" }, `${t.from || "new"} → ${t.to}`),
        el("span", { class: "muted" }, t.cause))));
      $("details.history summary", s.section).textContent = `Recent transitions (${p.history.length})`;
    }
    for (const [name, s] of pools) if (!seenPools.has(name)) { s.section.remove(); pools.delete(name); }
  }

  // One small table per listener with routes: name, conditions, action, hits (the last row: the default).
  function renderRoutes(listeners) {
    const box = $("#routes");
    const withRoutes = listeners.filter((l) => l.routes && l.routes.length);
    box.hidden = withRoutes.length === 0;
    box.replaceChildren(...withRoutes.map((l) => el("div", { class: "route-table" },
      el("h3", {}, `Routes of ${l.name}`),
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, "route"), el("th", {}, "when"),
          el("th", {}, "then"), el("th", { class: "num" }, "hits"))),
        el("tbody", {}, ...l.routes.map((r, i) => el("tr", {},
          el("td", { class: "muted" }, i === l.routes.length - 1 ? "" : String(i + 1)),
          el("td", {}, r.name), el("td", { class: "muted" }, r.conditions), el("td", {}, r.action),
          el("td", { class: "num" }, fmtInt(r.hits)))))))));
  }

  // The members of this node's cluster and who holds which virtual address; shown only when
  // /api/v1/cluster answers 200. A 404 (no cluster section) is final: a reload cannot add one.
  let clusterState = "unknown"; // "unknown", "none" (404 seen), "shown"
  async function pollCluster() {
    if (clusterState === "none") return;
    const box = $("#cluster");
    let r;
    try {
      r = await fetch(`${API}/cluster`, { headers: headers(false), cache: "no-store" });
    } catch (e) {
      return;
    }
    if (r.status === 404) { clusterState = "none"; box.hidden = true; return; }
    if (!r.ok) return;
    const c = await r.json();
    clusterState = "shown";
    renderCluster(box, c);
  }

  function renderCluster(box, c) {
    box.hidden = false;
    const rp = c.replication;
    box.replaceChildren(
      el("h3", {}, `Cluster ${c.group}`,
        el("span", { class: "muted" }, `view ${c.viewId} · coordinator ${c.coordinator || "–"} · this node ${c.self}`
          + ` · holds ${c.held.length ? c.held.join(", ") : "no address"}`
          + ` · replication ${fmtInt(rp.sent)} sent, ${fmtInt(rp.applied)}/${fmtInt(rp.received)} applied, ${fmtInt(rp.dropped)} dropped`)),
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "member"), el("th", {}, "address"), el("th", {}, "joined"),
          el("th", {}, "role"), el("th", {}, "virtual addresses"))),
        el("tbody", {}, ...c.members.map((m) => el("tr", { class: m.self ? "self" : "", "data-member": m.name },
          el("td", {}, m.name + (m.self ? " (this node)" : "")),
          el("td", { class: "muted" }, m.endpoint || ""),
          el("td", { class: "muted" }, fmtTime(m.joinedAtMillis)),
          el("td", { class: m.mature ? "" : "young" }, (m.coordinator ? "coordinator" : "member") + (m.mature ? "" : ", maturing")),
          el("td", { class: "vips" }, m.vips.length ? m.vips.join(", ") : "–"))))));
  }

  function live(ok, text) {
    const l = $("#live");
    l.className = "live " + (ok ? "ok" : "bad");
    $("#live-text").textContent = text;
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const r = await fetch(`${API}/overview`, { headers: headers(false), cache: "no-store" });
      if (!r.ok) {
        const j = await r.json().catch(() => ({}));
        live(false, j.error ? `${r.status}: ${j.error}` : `HTTP ${r.status}`);
        return;
      }
      render(await r.json());
      await pollCluster();
      live(true, "live · " + new Date().toLocaleTimeString("en-GB", { hour12: false }));
    } catch (e) {
      live(false, "disconnected");
    } finally {
      polling = false;
    }
  }

  showTokenState();
  if (token) checkToken(token, false);
  poll();
  setInterval(poll, 1000);
})();
