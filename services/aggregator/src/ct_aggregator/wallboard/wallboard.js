// The wallboard: one tile per queue, redrawn from /v1/stream (Server-Sent Events).
// The server judges every measure (ok / warning / breach) against the charter; this
// script only draws. Text goes in with textContent, never as HTML.
"use strict";
(function () {
  const TOKEN_KEY = "ct-read-token";
  const CHANNELS = [
    ["phone", "Phone", "waiting", "waiting"],
    ["email", "Email", "pending", "awaiting reply"],
    ["web", "Web forms", "pending", "awaiting reply"],
    ["face_to_face", "Reception", "waiting", "waiting"],
  ];
  const STANDARDS = {
    "phone.service_level": "Service level",
    "phone.abandonment": "Abandonment",
    "phone.answer_rings": "Answered within rings",
    "email.acknowledge": "Not acknowledged by return",
    "email.follow_up": "Follow-up deadline",
    "visit.queue_time": "Queue time",
    "complaint.stage_response": "Complaint response",
    "all.first_contact_resolution": "First-contact resolution",
    "all.satisfaction_nps": "Net Promoter Score",
  };
  const WINDOWS = { rolling_15m: "15 min", rolling_30m: "30 min", rolling_60m: "60 min",
    today: "today", month_to_date: "month to date" };
  const SEVERITY = { warning: 1, raised: 2, escalated: 3 };
  const MAX_ALERT_ROWS = 8;
  const STATE_TEXT = { ok: "On target", warning: "Warning", breach: "Breach", none: "" };

  // --- the read token: taken once from ?token=, then kept in this tab only ---
  const params = new URLSearchParams(window.location.search);
  let token = params.get("token");
  if (token) {
    window.sessionStorage.setItem(TOKEN_KEY, token);
    params.delete("token");
    const rest = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
  } else {
    token = window.sessionStorage.getItem(TOKEN_KEY);
  }

  const views = new Map(); // scope key -> view (an item of /v1/queues)
  const alerts = new Map(); // alert key -> open alert
  const tiles = new Map(); // scope key -> tile element
  const board = document.getElementById("board");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function title(name) {
    const words = String(name).replace(/[_-]+/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function clockTime(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  }

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s >= 86400) return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
    if (s >= 3600) return Math.floor(s / 3600) + " h " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + " m";
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function percent(ratio) {
    const p = (ratio * 100).toFixed(1);
    return (p.endsWith(".0") ? p.slice(0, -2) : p) + "%";
  }

  function format(value, unit) {
    if (value === null || value === undefined) return "—";
    if (unit === "seconds") return duration(value);
    if (unit === "ratio") return percent(value);
    return String(value);
  }

  function targetText(m) {
    const parts = [];
    if (m.window) parts.push(WINDOWS[m.window] || m.window);
    if (m.note) {
      parts.push(m.note);
    } else if (m.target !== null && m.target !== undefined) {
      const t = format(m.target, m.unit);
      parts.push(m.unit === "seconds" ? "limit " + t : (m.direction === "max" ? "max " : "target ") + t);
    }
    return parts.join(" · ");
  }

  // --- sections and tiles ---
  function section(channel) {
    let node = document.getElementById("channel-" + channel);
    if (node) return node;
    const spec = CHANNELS.find((c) => c[0] === channel);
    node = el("section", "channel");
    node.id = "channel-" + channel;
    node.dataset.channel = channel;
    const head = el("header", "channel-head");
    head.append(el("h2", "", spec[1]), el("p", "summary"));
    node.append(head, el("div", "tiles"));
    const order = CHANNELS.map((c) => c[0]);
    const after = [...board.querySelectorAll("section.channel")].find(
      (s) => order.indexOf(s.dataset.channel) > order.indexOf(channel));
    board.insertBefore(node, after || null);
    return node;
  }

  function tileFor(view) {
    let tile = tiles.get(view.scope);
    if (tile) return tile;
    tile = el("article", "tile");
    tile.dataset.scope = view.scope;
    tile.dataset.queue = view.queue;
    const head = el("header", "tile-head");
    head.append(el("h3", "", title(view.queue)), el("span", "flag"), el("span", "badge"));
    tile.append(head, el("div", "measures"), el("p", "as-of"));
    const holder = section(view.channel).querySelector(".tiles");
    const after = [...holder.children].find((t) => t.dataset.queue > view.queue);
    holder.insertBefore(tile, after || null);
    tiles.set(view.scope, tile);
    return tile;
  }

  function renderMeasure(holder, m) {
    let box = holder.querySelector('[data-key="' + m.key + '"]');
    if (!box) {
      box = el("div", "measure");
      box.dataset.key = m.key;
      box.append(el("span", "label"), el("span", "value"), el("span", "target"));
      holder.append(box);
    }
    if (box.dataset.state && box.dataset.state !== m.state) {
      box.classList.remove("changed");
      void box.offsetWidth; // restart the highlight animation
      box.classList.add("changed");
    }
    box.dataset.state = m.state;
    box.querySelector(".label").textContent = m.label;
    box.querySelector(".value").textContent = format(m.value, m.unit);
    box.querySelector(".target").textContent = targetText(m);
  }

  function renderTile(view) {
    if (!CHANNELS.some((c) => c[0] === view.channel) || view.queue === "all") return;
    const tile = tileFor(view);
    tile.dataset.state = view.state;
    tile.querySelector(".badge").textContent = STATE_TEXT[view.state] || "";
    const holder = tile.querySelector(".measures");
    view.measures.forEach((m) => renderMeasure(holder, m));
    tile.querySelector(".as-of").textContent = "as of " + clockTime(view.live_as_of);
    renderSummary(view.channel);
    document.getElementById("empty").hidden = tiles.size > 0;
  }

  function renderSummary(channel) {
    const spec = CHANNELS.find((c) => c[0] === channel);
    let total = 0;
    views.forEach((v) => {
      if (v.channel !== channel || v.queue === "all") return;
      const m = v.measures.find((x) => x.key === spec[2]);
      total += m && typeof m.value === "number" ? m.value : 0;
    });
    section(channel).querySelector(".summary").textContent = total + " " + spec[3];
  }

  // --- alerts ---
  function alertKey(a) {
    return [a.scope, a.standard, a.window || "", a.subject || ""].join("|");
  }

  function renderAlerts() {
    const groups = new Map();
    alerts.forEach((a) => {
      const key = [a.scope, a.standard, a.window || ""].join("|");
      const g = groups.get(key) || { alert: a, count: 0, state: a.state };
      g.count += 1;
      if ((SEVERITY[a.state] || 0) > (SEVERITY[g.state] || 0)) g.state = a.state;
      groups.set(key, g);
    });
    const list = document.getElementById("alert-list");
    list.replaceChildren();
    const ordered = [...groups.values()].sort((x, y) =>
      (SEVERITY[y.state] || 0) - (SEVERITY[x.state] || 0) || x.alert.scope.localeCompare(y.alert.scope));
    ordered.slice(0, MAX_ALERT_ROWS).forEach((g) => {
      const [channel, queue] = g.alert.scope.split("/");
      const item = el("li", "alert");
      item.dataset.state = g.state;
      item.dataset.scope = g.alert.scope;
      item.dataset.standard = g.alert.standard;
      const channelName = (CHANNELS.find((c) => c[0] === channel) || [0, title(channel)])[1];
      const queueName = queue === "all" ? "all queues" : title(queue || "");
      const where = queueName === channelName ? channelName : channelName + " · " + queueName;
      const what = (STANDARDS[g.alert.standard] || g.alert.standard) +
        (g.alert.window ? " · " + (WINDOWS[g.alert.window] || g.alert.window) : "") +
        (g.count > 1 ? " × " + g.count : "");
      item.append(el("span", "alert-state", g.state), el("strong", "", where), el("span", "what", what));
      list.append(item);
    });
    if (ordered.length > MAX_ALERT_ROWS) {
      list.append(el("li", "alert more", "+ " + (ordered.length - MAX_ALERT_ROWS) + " more"));
    }
    document.getElementById("alert-count").textContent = String(alerts.size);
    document.getElementById("alerts").hidden = alerts.size === 0;
    tiles.forEach((tile, scope) => {
      const open = [...alerts.values()].filter((a) => a.scope === scope).length;
      tile.querySelector(".flag").textContent = open ? "⚑ " + open : "";
    });
  }

  // --- the stream ---
  function applySync(state) {
    views.clear();
    alerts.clear();
    state.snapshots.forEach((v) => views.set(v.scope, v));
    state.alerts.forEach((a) => alerts.set(alertKey(a), a));
    tiles.forEach((tile, scope) => { if (!views.has(scope)) { tile.remove(); tiles.delete(scope); } });
    views.forEach(renderTile);
    renderAlerts();
  }

  function applyAlert(a) {
    if (SEVERITY[a.state]) alerts.set(alertKey(a), a);
    else alerts.delete(alertKey(a));
    renderAlerts();
  }

  function setConnection(state, text) {
    document.body.dataset.connection = state;
    document.getElementById("connection-text").textContent = text;
  }

  let source = null;
  function connect() {
    const url = "/v1/stream" + (token ? "?token=" + encodeURIComponent(token) : "");
    source = new EventSource(url);
    source.addEventListener("open", () => setConnection("live", "Live"));
    source.addEventListener("error", () => {
      setConnection("reconnecting", "Reconnecting…");
      if (source.readyState === EventSource.CLOSED) {
        // the server refused or is down hard: EventSource gives up, so start a new one
        source.close();
        window.setTimeout(connect, 3000);
      }
    });
    source.addEventListener("sync", (e) => applySync(JSON.parse(e.data)));
    source.addEventListener("snapshot", (e) => {
      const view = JSON.parse(e.data);
      views.set(view.scope, view);
      renderTile(view);
    });
    source.addEventListener("alert", (e) => applyAlert(JSON.parse(e.data)));
  }

  function tickClock() {
    document.getElementById("clock").textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function loadCharter() {
    const headers = token ? { Authorization: "Bearer " + token } : {};
    fetch("/v1/standards", { headers: headers, cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((charter) => {
        if (charter && charter.version) {
          document.getElementById("charter").textContent = "Judged against " + charter.version;
        }
      })
      .catch(() => {});
  }

  tickClock();
  window.setInterval(tickClock, 1000);
  loadCharter();
  connect();
})();
