// The page of scalpel serve: uids (or conn.log lines holding them) in, connections, plots and downloads out.
// Everything it shows comes from /api/v1/connections and /api/v1/slice of the server that served it.
"use strict";
(function () {
  const UID = /\bC[A-Za-z0-9]{8,40}\b/g; // Zeek's connection uids: 'C' and base62
  const form = document.getElementById("ask");
  const pasted = document.getElementById("pasted");
  const query = document.getElementById("query");
  const token = document.getElementById("token");
  const status = document.getElementById("status");
  const table = document.getElementById("connections");
  const rows = table.querySelector("tbody");
  const downloadAll = document.getElementById("download-all");
  let found = [];
  let asked = null; // the query expression of the rows shown, or null for uids

  token.value = sessionStorage.getItem("scalpel-token") || "";

  function headers() {
    sessionStorage.setItem("scalpel-token", token.value);
    return token.value ? { Authorization: "Bearer " + token.value.trim() } : {};
  }

  function say(text, error) {
    status.textContent = text;
    status.className = error ? "error" : "";
  }

  async function failure(response) {
    try {
      return (await response.json()).error || response.statusText;
    } catch (e) {
      return response.status + " " + response.statusText;
    }
  }

  function uidsOf(text) {
    return Array.from(new Set(text.match(UID) || []));
  }

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
    return td;
  }

  function endpoint(host, port) {
    return (host.includes(":") ? "[" + host + "]" : host) + ":" + port;
  }

  // Packets over time: originator to responder above the axis, responder to originator below, by wire length.
  function plot(td, c) {
    const order = c.packet_ts.map((t, i) => i).sort((a, b) => c.packet_ts[a] - c.packet_ts[b]);
    const t0 = order.length ? c.packet_ts[order[0]] : 0;
    const xs = order.map(i => c.packet_ts[i] - t0);
    const fromOrig = order.map(i => (c.packet_from_orig[i] ? c.packet_len[i] : null));
    const fromResp = order.map(i => (c.packet_from_orig[i] ? null : -c.packet_len[i]));
    const noLine = () => null;
    const most = Math.max(1, ...order.map(i => c.packet_len[i]));
    const last = Math.max(0.001, xs.length ? xs[xs.length - 1] : 0);
    const chart = new uPlot({
      width: 440, height: 170, legend: { show: false }, cursor: { show: false },
      scales: { x: { time: false, range: [0, last] }, y: { range: [-most * 1.1, most * 1.1] } },
      axes: [{ label: "seconds from the first packet", size: 36 }, { label: "bytes", size: 50 }],
      series: [{},
        { label: "originator to responder", stroke: "#1a73e8", paths: noLine, points: { show: true, size: 5, fill: "#1a73e8" } },
        { label: "responder to originator", stroke: "#e8711a", paths: noLine, points: { show: true, size: 5, fill: "#e8711a" } }]
    }, [xs, fromOrig, fromResp], td);
    chart.root.setAttribute("role", "img");
    chart.root.setAttribute("aria-label", c.packets + " packets of " + c.uid + " over " + c.duration + " seconds: "
      + fromOrig.filter(v => v !== null).length + " from the originator, "
      + fromResp.filter(v => v !== null).length + " from the responder" + (c.packets > xs.length ? " (first " + xs.length + " drawn)" : ""));
  }

  // what: the query string of a slice (uid=..., flow=...&from=&to=, query=...); count: how many connections
  async function download(what, count, name) {
    say("Slicing " + count + " connection" + (count > 1 ? "s" : "") + "...");
    const response = await fetch("/api/v1/slice?" + what, { headers: headers() });
    if (!response.ok) {
      say("Download failed: " + await failure(response), true);
      return;
    }
    const blob = await response.blob();
    const disposition = response.headers.get("Content-Disposition") || "";
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = (disposition.match(/filename="([^"]+)"/) || [null, name])[1];
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    say("Downloaded " + a.download + " (" + blob.size + " bytes).");
  }

  function show(connections) {
    rows.replaceChildren();
    for (const c of connections) {
      const tr = document.createElement("tr");
      tr.dataset.uid = c.uid || "";
      cell(tr, c.uid || "");
      cell(tr, c.capture);
      cell(tr, c.proto || "");
      cell(tr, c.service || "-");
      cell(tr, c.orig_h ? endpoint(c.orig_h, c.orig_p) : "");
      cell(tr, c.resp_h ? endpoint(c.resp_h, c.resp_p) : "");
      cell(tr, c.ts === null ? "" : new Date(c.ts * 1000).toISOString().replace("T", " ").replace("Z", ""));
      cell(tr, c.duration.toFixed(6), "num");
      cell(tr, String(c.packets), "num");
      cell(tr, String(c.bytes), "num");
      const td = cell(tr, "", "plot");
      const get = cell(tr, "");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Download";
      const label = c.uid || c.flow;
      button.setAttribute("aria-label", "Download the packets of " + label);
      button.disabled = c.packets === 0;
      const what = c.uid ? "uid=" + encodeURIComponent(c.uid)
        : "flow=" + encodeURIComponent(c.flow) + "&from=" + c.from + "&to=" + c.to + "&capture=" + encodeURIComponent(c.capture);
      button.addEventListener("click", () => download(what, 1, "scalpel-" + (c.uid || "flow") + ".pcap"));
      get.appendChild(button);
      rows.appendChild(tr);
      if (c.packets > 0 && c.packet_ts) {
        plot(td, c);
      } else {
        td.textContent = c.packets > 0 ? "download to see them" : "no packets";
      }
    }
    table.hidden = connections.length === 0;
  }

  form.addEventListener("submit", async event => {
    event.preventDefault();
    const expression = query.value.trim();
    const uids = uidsOf(pasted.value);
    if (!expression && uids.length === 0) {
      say("No Zeek uid in what was pasted (a uid is C and letters or digits, e.g. CHhAvVGS1DHFjwGM9), and no query.", true);
      return;
    }
    asked = expression || null;
    say(asked ? "Running the query..." : "Looking up " + uids.length + " uid" + (uids.length > 1 ? "s" : "") + "...");
    const response = await fetch("/api/v1/connections?" + (asked ? "query=" + encodeURIComponent(asked)
      : "uid=" + encodeURIComponent(uids.join(","))), { headers: headers() });
    if (!response.ok) {
      const body = await response.clone().json().catch(() => ({}));
      say("Look-up failed: " + await failure(response), true);
      if (asked && body.column) {
        query.focus();
        query.setSelectionRange(body.column - 1, body.column);
      }
      return;
    }
    const body = await response.json();
    found = body.connections.filter(c => c.packets > 0).map(c => c.uid);
    show(body.connections);
    downloadAll.disabled = found.length === 0;
    say(body.connections.length + " connection" + (body.connections.length === 1 ? "" : "s") + " found"
      + (body.unknown.length ? "; not in the logs: " + body.unknown.join("; ") : "")
      + (body.truncated ? " (the first " + body.connections.length + " listed: narrow the query)" : "") + ".");
  });

  downloadAll.addEventListener("click", () => asked
    ? download("query=" + encodeURIComponent(asked), found.length, "scalpel-query.pcap")
    : download("uid=" + encodeURIComponent(found.join(",")), found.length, "scalpel.pcap"));
})();
