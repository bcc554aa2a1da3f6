/**
 * The browser side of the HTML timeline, kept as text and inlined into the page after D3.
 * It is plain ES2020 in an IIFE (no imports, no backticks, no `${`), so it needs no bundler and
 * tsc leaves it alone; the browser tests exercise it in real Chromium.
 */
export const TIMELINE_CLIENT_JS = String.raw`// The browser side of Debbie's HTML timeline. Inlined into the page after D3; reads the columns
// from the JSON data element (id "debbie-data") and draws them on a canvas.
// Plain ES2020 in an IIFE: no globals except window.debbieTimeline (the test and automation hook).
(function () {
  'use strict';
  var d3 = window.d3;
  var D = JSON.parse(document.getElementById('debbie-data').textContent);
  var N = D.count;
  var SOURCE_ORDER = ['session', 'agent', 'ai_service', 'tool', 'websocket', 'server', 'user_script', 'python_exec', 'debbie', 'debbie_comment'];
  var COLORS = {
    session: '#7f8c9d', agent: '#4e79a7', ai_service: '#9c6ade', tool: '#2a9d8f', websocket: '#e9a03b',
    server: '#8a7f72', user_script: '#5aa9e6', python_exec: '#c06c84', debbie: '#d4568f', debbie_comment: '#b04fd1',
  };
  var LEVEL_ERR = { ERROR: true, CRITICAL: true };
  var ROW_H = 18, BAR_H = 12, LANE_PAD = 6, MAX_ROWS = 8, AXIS_H = 26, OV_H = 46;

  var $ = function (id) { return document.getElementById(id); };
  var commentSrc = D.sources.indexOf('debbie_comment');
  var errLevel = D.levels.map(function (l) { return !!LEVEL_ERR[l]; });
  var maxDur = 0, spanEnd = 0;
  for (var i = 0; i < N; i++) {
    var end = D.start[i] + Math.max(0, D.dur[i]);
    if (D.dur[i] > maxDur) maxDur = D.dur[i];
    if (end > spanEnd) spanEnd = end;
  }
  if (spanEnd <= 0) spanEnd = 1;
  var t0ms = D.t0_us / 1000;

  var state = {
    mode: 'source', lanes: [], laneOf: new Int32Array(N), rowOf: new Int32Array(N), laneTop: [], laneRows: [],
    shown: new Uint8Array(N).fill(1), shownCount: N, hiddenSources: {}, hiddenLevels: {}, text: '',
    selected: -1, highlightCorr: -1, marks: null, markCount: 0, merged: 0, inView: 0, drawPending: false,
  };
  var marksX = new Float32Array(N + 16), marksY = new Float32Array(N + 16), marksW = new Float32Array(N + 16),
    marksH = new Float32Array(N + 16), marksI = new Int32Array(N + 16);

  // ---------- header and controls ----------
  $('title').textContent = 'Session ' + D.session_id;
  $('meta').textContent = N + ' events' + (D.dropped ? ' (' + D.dropped + ' more left out: over the embed limit)' : '') +
    ' · from ' + (D.t0 || '-') + ' · ' + fmtMs(spanEnd) + ' · ' + D.gaps.length + ' stall(s) ≥ ' + fmtMs(D.gap_threshold_ms) +
    ' · ' + D.agents.length + ' agent(s)';

  function checkbox(container, name, label, color, onChange) {
    var l = document.createElement('label');
    l.className = 'chip';
    var c = document.createElement('input');
    c.type = 'checkbox'; c.checked = true; c.name = name; c.value = label;
    c.addEventListener('change', function () { onChange(c.checked); });
    var sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = color;
    l.appendChild(c); l.appendChild(sw); l.appendChild(document.createTextNode(label));
    container.appendChild(l);
  }
  sortedSources().forEach(function (s) {
    checkbox($('sources'), 'source', D.sources[s], COLORS[D.sources[s]] || '#999', function (on) {
      state.hiddenSources[s] = !on; applyFilters();
    });
  });
  ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'].forEach(function (name) {
    var li = D.levels.indexOf(name);
    if (li < 0) return;
    checkbox($('levels'), 'level', name, LEVEL_ERR[name] ? '#d9485f' : name === 'WARNING' ? '#e39b2d' : '#bbc', function (on) {
      state.hiddenLevels[li] = !on; applyFilters();
    });
  });
  var textTimer = 0;
  $('search').addEventListener('input', function () {
    clearTimeout(textTimer);
    textTimer = setTimeout(function () { state.text = $('search').value.trim().toLowerCase(); applyFilters(); }, 120);
  });
  $('mode').addEventListener('change', function () { state.mode = $('mode').value; layout(); });
  $('reset').addEventListener('click', function () { canvasSel.call(zoom.transform, d3.zoomIdentity); });
  $('clear').addEventListener('click', function () { select(-1); });
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') select(-1); });

  function sortedSources() {
    return D.sources.map(function (_, i) { return i; }).sort(function (a, b) {
      var ra = SOURCE_ORDER.indexOf(D.sources[a]), rb = SOURCE_ORDER.indexOf(D.sources[b]);
      return (ra < 0 ? 99 : ra) - (rb < 0 ? 99 : rb);
    });
  }

  function applyFilters() {
    var t = state.text, count = 0;
    // match each distinct string once, then events by index
    var has = function (list) { return list.map(function (v) { return v.toLowerCase().indexOf(t) >= 0; }); };
    var mSum = t ? has(D.summaries) : null, mExt = t ? has(D.extras) : null, mComp = t ? has(D.components) : null,
      mAct = t ? has(D.actions) : null, mAgent = t ? D.agents.map(function (a) { return a.toLowerCase() === t; }) : null,
      mCorr = t ? has(D.correlations) : null;
    for (var i = 0; i < N; i++) {
      var ok = !state.hiddenSources[D.src[i]] && !state.hiddenLevels[D.lvl[i]];
      if (ok && t) {
        ok = mSum[D.sum[i]] || mExt[D.ext[i]] || mComp[D.comp[i]] || mAct[D.act[i]] ||
          (D.agent[i] >= 0 && mAgent[D.agent[i]]) || (D.corr[i] >= 0 && mCorr[D.corr[i]]) || D.id[i].toLowerCase().indexOf(t) >= 0;
      }
      state.shown[i] = ok ? 1 : 0;
      count += ok ? 1 : 0;
    }
    state.shownCount = count;
    updateLabels();
    requestDraw();
  }

  // ---------- lanes ----------
  function layout() {
    var lanes = [], laneIndex = {};
    if (state.mode === 'source') {
      sortedSources().forEach(function (s) { laneIndex[s] = lanes.length; lanes.push({ name: D.sources[s], color: COLORS[D.sources[s]] || '#999' }); });
      for (var i = 0; i < N; i++) state.laneOf[i] = laneIndex[D.src[i]];
    } else {
      var order = D.agents.map(function (_, a) { return a; }).sort(function (a, b) { return D.agents[a] < D.agents[b] ? -1 : 1; });
      order.forEach(function (a) { laneIndex[a] = lanes.length; lanes.push({ name: 'agent ' + D.agents[a], color: '#4e79a7' }); });
      var none = -1;
      for (var j = 0; j < N; j++) {
        if (D.agent[j] < 0) {
          if (none < 0) { none = lanes.length; lanes.push({ name: '(no agent)', color: '#7f8c9d' }); }
          state.laneOf[j] = none;
        } else state.laneOf[j] = laneIndex[D.agent[j]];
      }
    }
    // a row inside the lane per nesting level among ancestors in the same lane
    var rows = lanes.map(function () { return 1; });
    for (var k = 0; k < N; k++) {
      var p = D.parent[k], r = 0, steps = 0;
      while (p >= 0 && steps++ < 64) {
        if (state.laneOf[p] === state.laneOf[k]) { r = state.rowOf[p] + 1; break; }
        p = D.parent[p];
      }
      if (r >= MAX_ROWS) r = MAX_ROWS - 1;
      state.rowOf[k] = r;
      if (r + 1 > rows[state.laneOf[k]]) rows[state.laneOf[k]] = r + 1;
    }
    // rows grow to fill the window when there are few of them (18..40 px)
    var totalRows = rows.reduce(function (a, b) { return a + b; }, 0);
    var avail = $('chartwrap').clientHeight - AXIS_H - OV_H - 8 - lanes.length * 2 * LANE_PAD;
    ROW_H = Math.max(18, Math.min(40, Math.floor(avail / Math.max(1, totalRows))));
    BAR_H = Math.round(ROW_H * 0.7);
    var top = 0;
    state.laneTop = lanes.map(function (_, li) { var t = top; top += rows[li] * ROW_H + 2 * LANE_PAD; return t; });
    state.laneRows = rows;
    state.lanes = lanes;
    state.height = top;
    resize();
    updateLabels();
  }

  function updateLabels() {
    var per = state.lanes.map(function () { return [0, 0]; });
    for (var i = 0; i < N; i++) { per[state.laneOf[i]][1]++; if (state.shown[i]) per[state.laneOf[i]][0]++; }
    var box = $('labels');
    box.textContent = '';
    box.style.height = state.height + 'px';
    state.lanes.forEach(function (lane, li) {
      var d = document.createElement('div');
      d.className = 'lane-label';
      d.dataset.lane = lane.name;
      d.dataset.count = String(per[li][1]);
      d.dataset.shown = String(per[li][0]);
      d.style.top = state.laneTop[li] + 'px';
      d.style.height = (state.laneRows[li] * ROW_H + 2 * LANE_PAD) + 'px';
      d.style.borderLeftColor = lane.color;
      var name = document.createElement('b'); name.textContent = lane.name;
      var c = document.createElement('small'); c.textContent = per[li][0] === per[li][1] ? String(per[li][1]) : per[li][0] + ' / ' + per[li][1];
      d.appendChild(name); d.appendChild(c);
      box.appendChild(d);
    });
    $('status').textContent = state.shownCount + ' of ' + N + ' events shown';
  }

  // ---------- canvas, scales, zoom, brush ----------
  var canvas = $('canvas'), ctx = canvas.getContext('2d');
  var canvasSel = d3.select(canvas);
  var W = 600, H = 100, dpr = window.devicePixelRatio || 1;
  var x0 = d3.scaleLinear().domain([-spanEnd * 0.01, spanEnd * 1.01]), x = x0.copy();
  var fromBrush = false; // a zoom the brush asked for must not move the brush back
  var zoom = d3.zoom().scaleExtent([1, Math.max(10, spanEnd * 50)]).on('zoom', function (ev) {
    x = ev.transform.rescaleX(x0);
    if (!fromBrush) syncBrush();
    requestDraw();
  });
  canvasSel.call(zoom).on('dblclick.zoom', null);
  var ov = d3.select('#overview');
  var xo = d3.scaleLinear().domain(x0.domain());
  var brush = d3.brushX().on('brush end', function (ev) {
    if (!ev.sourceEvent) return;
    var sel = ev.selection;
    fromBrush = true;
    if (!sel || sel[1] - sel[0] < 2) canvasSel.call(zoom.transform, d3.zoomIdentity);
    else canvasSel.call(zoom.transform, d3.zoomIdentity.scale(W / (sel[1] - sel[0])).translate(-sel[0], 0));
    fromBrush = false;
  });
  var brushG;

  function resize() {
    W = Math.max(200, $('plot').clientWidth);
    H = Math.max(40, state.height);
    dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
    canvas.style.width = W + 'px'; canvas.style.height = H + 'px';
    var t = d3.zoomTransform(canvas);
    x0.range([0, W]); xo.range([0, W]);
    x = t.rescaleX(x0);
    zoom.extent([[0, 0], [W, H]]).translateExtent([[0, 0], [W, H]]);
    drawOverview();
    requestDraw();
  }
  window.addEventListener('resize', function () { layout(); });

  function syncBrush() {
    if (!brushG) return;
    var d = x.domain();
    var full = d[0] <= x0.domain()[0] + 1e-9 && d[1] >= x0.domain()[1] - 1e-9;
    brushG.call(brush.move, full ? null : [Math.max(0, xo(d[0])), Math.min(W, xo(d[1]))]);
  }

  function drawOverview() {
    ov.attr('width', W).attr('height', OV_H);
    ov.selectAll('*').remove();
    var bins = new Float64Array(Math.max(1, Math.floor(W / 3)));
    var bw = W / bins.length;
    for (var i = 0; i < N; i++) { var b = Math.floor(xo(D.start[i]) / bw); if (b >= 0 && b < bins.length) bins[b]++; }
    var maxBin = d3.max(bins) || 1;
    var y = d3.scaleSqrt().domain([0, maxBin]).range([OV_H - 2, 4]);
    D.gaps.forEach(function (g) {
      ov.append('rect').attr('class', 'ov-gap').attr('x', xo(g[0])).attr('width', Math.max(1, xo(g[0] + g[1]) - xo(g[0]))).attr('y', 0).attr('height', OV_H);
    });
    var area = d3.area().x(function (_, i) { return (i + 0.5) * bw; }).y0(OV_H - 2).y1(function (d) { return y(d); }).curve(d3.curveStep);
    ov.append('path').attr('class', 'ov-area').attr('d', area(Array.from(bins)));
    brush.extent([[0, 0], [W, OV_H]]);
    brushG = ov.append('g').attr('class', 'brush').call(brush);
    syncBrush();
  }

  function requestDraw() {
    if (state.drawPending) return;
    state.drawPending = true;
    requestAnimationFrame(function () { state.drawPending = false; draw(); });
  }

  // 24-hour UTC clock labels: 21:05, :15, .250 (D3's default multi-scale format is 12-hour)
  var fmtMilli = d3.utcFormat('.%L'), fmtSecond = d3.utcFormat(':%S'), fmtMinute = d3.utcFormat('%H:%M'), fmtDay = d3.utcFormat('%b %d');
  function tickFormat(date) {
    return (d3.utcSecond(date) < date ? fmtMilli : d3.utcMinute(date) < date ? fmtSecond : d3.utcDay(date) < date ? fmtMinute : fmtDay)(date);
  }

  function drawAxis() {
    var xt = d3.scaleUtc().domain(x.domain().map(function (ms) { return new Date(t0ms + ms); })).range(x.range());
    d3.select('#axis').attr('width', W).attr('height', AXIS_H).selectAll('g.ax').data([0]).join('g').attr('class', 'ax')
      .attr('transform', 'translate(0,' + (AXIS_H - 1) + ')').call(d3.axisTop(xt).ticks(Math.max(2, Math.floor(W / 110))).tickFormat(tickFormat));
  }

  function draw() {
    drawAxis();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    // lane backgrounds
    state.lanes.forEach(function (_, li) {
      ctx.fillStyle = li % 2 ? '#f7f8fc' : '#ffffff';
      ctx.fillRect(0, state.laneTop[li], W, state.laneRows[li] * ROW_H + 2 * LANE_PAD);
    });
    var dom = x.domain(), lo = dom[0], hi = dom[1];
    // stalls: highlighted gaps across every lane
    D.gaps.forEach(function (g) {
      var gx = x(g[0]), gw = Math.max(2, x(g[0] + g[1]) - gx);
      if (gx > W || gx + gw < 0) return;
      ctx.fillStyle = 'rgba(217,72,95,0.10)';
      ctx.fillRect(gx, 0, gw, H);
      ctx.strokeStyle = 'rgba(217,72,95,0.55)';
      ctx.setLineDash([4, 3]);
      ctx.strokeRect(gx + 0.5, 0.5, gw - 1, H - 1);
      ctx.setLineDash([]);
      ctx.fillStyle = '#b3263c';
      ctx.font = '11px system-ui, sans-serif';
      var label = 'stall ' + fmtMs(g[1]);
      if (ctx.measureText(label).width + 8 <= gw) ctx.fillText(label, Math.max(gx + 4, 4), 12);
    });
    var hl = state.highlightCorr;
    var mc = 0, merged = 0, inView = 0;
    var lastPx = new Float64Array(state.lanes.length * MAX_ROWS).fill(-1e9);
    var errs = [];
    // first candidate: nothing that starts before lo - maxDur can reach the view
    var first = d3.bisectLeft(D.start, lo - maxDur);
    for (var i = first; i < N; i++) {
      var s = D.start[i];
      if (s > hi) break;
      var du = D.dur[i];
      var e = du >= 0 ? s + du : s;
      if (e < lo || !state.shown[i]) continue;
      inView++;
      if (errLevel[D.lvl[i]] || D.src[i] === commentSrc) { errs.push(i); continue; }
      var lane = state.laneOf[i], row = state.rowOf[i];
      var y = state.laneTop[lane] + LANE_PAD + row * ROW_H;
      var px = x(s), slot = lane * MAX_ROWS + row;
      var w = du >= 0 ? x(e) - px : 0;
      if (w < 1.5) {
        // aggregation: one mark per pixel column and row when zoomed out
        if (Math.floor(px) <= lastPx[slot]) { merged++; continue; }
        lastPx[slot] = Math.floor(px);
      } else if (x(e) > lastPx[slot]) lastPx[slot] = Math.floor(x(e));
      ctx.globalAlpha = hl >= 0 && D.corr[i] !== hl ? 0.22 : 1;
      var color = COLORS[D.sources[D.src[i]]] || '#999';
      if (du >= 0) {
        ctx.fillStyle = color;
        var rw = Math.max(1, w);
        ctx.fillRect(px, y + (ROW_H - BAR_H) / 2, rw, BAR_H);
        if (D.levels[D.lvl[i]] === 'WARNING') { ctx.strokeStyle = '#e39b2d'; ctx.strokeRect(px + 0.5, y + (ROW_H - BAR_H) / 2 + 0.5, rw - 1, BAR_H - 1); }
        if (rw > 40) {
          ctx.save(); ctx.beginPath(); ctx.rect(px, y, rw, ROW_H); ctx.clip();
          ctx.fillStyle = '#fff'; ctx.font = '10px system-ui, sans-serif';
          ctx.fillText(D.summaries[D.sum[i]], Math.max(px, 0) + 3, y + ROW_H / 2 + 3.5);
          ctx.restore();
        }
        mc = mark(mc, px, y + (ROW_H - BAR_H) / 2, rw, BAR_H, i);
      } else {
        ctx.fillStyle = color;
        diamond(px, y + ROW_H / 2, 4);
        mc = mark(mc, px - 4, y + ROW_H / 2 - 5, 8, 10, i);
      }
    }
    // An error bar says why it failed (details.error_cause): inside the bar when it fits, else after it.
    function causeLabel(j, bx, by, bw) {
      if (!D.cause || D.cause[j] < 0) return;
      var text = D.causes[D.cause[j]].replace(/_/g, ' ');
      ctx.font = '10px system-ui, sans-serif';
      var tw = ctx.measureText(text).width;
      ctx.fillStyle = tw + 6 <= bw ? '#fff' : '#d9485f';
      ctx.fillText(text, tw + 6 <= bw ? bx + 3 : bx + bw + 3, by + ROW_H / 2 + 3.5);
    }
    // errors and comments are never merged away, and are drawn on top
    for (var k = 0; k < errs.length; k++) {
      var j = errs[k], ln = state.laneOf[j], yy = state.laneTop[ln] + LANE_PAD + state.rowOf[j] * ROW_H;
      var sx = x(D.start[j]);
      ctx.globalAlpha = hl >= 0 && D.corr[j] !== hl ? 0.22 : 1;
      if (D.src[j] === commentSrc) {
        ctx.strokeStyle = 'rgba(176,79,209,0.55)';
        ctx.setLineDash([2, 3]);
        ctx.beginPath(); ctx.moveTo(Math.round(sx) + 0.5, 0); ctx.lineTo(Math.round(sx) + 0.5, H); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = '#b04fd1';
        flag(sx, yy + (ROW_H - BAR_H) / 2);
        mc = mark(mc, sx - 5, yy, 14, ROW_H, j);
      } else if (D.dur[j] >= 0) {
        var ew = Math.max(2, x(D.start[j] + D.dur[j]) - sx);
        ctx.fillStyle = '#d9485f';
        ctx.fillRect(sx, yy + (ROW_H - BAR_H) / 2, ew, BAR_H);
        causeLabel(j, sx, yy, ew);
        mc = mark(mc, sx, yy + (ROW_H - BAR_H) / 2, ew, BAR_H, j);
      } else {
        ctx.fillStyle = '#d9485f';
        diamond(sx, yy + ROW_H / 2, 5.5);
        causeLabel(j, sx + 6, yy, 0);
        mc = mark(mc, sx - 6, yy + ROW_H / 2 - 6, 12, 12, j);
      }
    }
    ctx.globalAlpha = 1;
    // the selected event: outlined
    if (state.selected >= 0) {
      for (var m = 0; m < mc; m++) {
        if (marksI[m] === state.selected) {
          ctx.strokeStyle = '#111'; ctx.lineWidth = 2;
          ctx.strokeRect(marksX[m] - 1, marksY[m] - 1, marksW[m] + 2, marksH[m] + 2);
          ctx.lineWidth = 1;
        }
      }
    }
    state.markCount = mc; state.merged = merged; state.inView = inView;
    $('viewinfo').textContent = inView + ' in view · ' + mc + ' marks' + (merged ? ' (' + merged + ' aggregated)' : '');
    if (!document.body.dataset.ready) {
      document.body.dataset.ready = '1';
      if (window.performance && performance.mark) performance.mark('debbie-timeline-ready');
    }
  }

  function mark(mc, mx, my, mw, mh, idx) {
    if (mc >= marksI.length) return mc;
    marksX[mc] = mx; marksY[mc] = my; marksW[mc] = mw; marksH[mc] = mh; marksI[mc] = idx;
    return mc + 1;
  }
  function diamond(cx, cy, r) {
    ctx.beginPath(); ctx.moveTo(cx, cy - r); ctx.lineTo(cx + r, cy); ctx.lineTo(cx, cy + r); ctx.lineTo(cx - r, cy); ctx.closePath(); ctx.fill();
  }
  function flag(fx, fy) {
    ctx.fillRect(Math.round(fx), fy, 2, BAR_H);
    ctx.beginPath(); ctx.moveTo(fx + 2, fy); ctx.lineTo(fx + 11, fy + 4); ctx.lineTo(fx + 2, fy + 8); ctx.closePath(); ctx.fill();
  }

  // ---------- picking and details ----------
  function pick(mx, my) {
    var best = -1, bestW = Infinity;
    for (var m = state.markCount - 1; m >= 0; m--) {
      if (mx >= marksX[m] - 2 && mx <= marksX[m] + marksW[m] + 2 && my >= marksY[m] - 1 && my <= marksY[m] + marksH[m] + 1) {
        if (marksW[m] < bestW) { best = marksI[m]; bestW = marksW[m]; }
      }
    }
    return best;
  }
  canvas.addEventListener('click', function (ev) {
    var r = canvas.getBoundingClientRect();
    select(pick(ev.clientX - r.left, ev.clientY - r.top));
  });
  var tip = $('tip');
  canvas.addEventListener('mousemove', function (ev) {
    var r = canvas.getBoundingClientRect();
    var i = pick(ev.clientX - r.left, ev.clientY - r.top);
    canvas.style.cursor = i >= 0 ? 'pointer' : 'grab';
    if (i < 0) { tip.style.display = 'none'; return; }
    tip.textContent = D.summaries[D.sum[i]] + (D.dur[i] >= 0 ? ' · ' + fmtMs(D.dur[i]) : '') + ' · ' + D.sources[D.src[i]] +
      (D.agent[i] >= 0 ? ' · agent ' + D.agents[D.agent[i]] : '');
    tip.style.display = 'block';
    tip.style.left = Math.min(ev.clientX + 12, window.innerWidth - tip.offsetWidth - 8) + 'px';
    tip.style.top = (ev.clientY + 14) + 'px';
  });
  canvas.addEventListener('mouseleave', function () { tip.style.display = 'none'; });

  function isoAt(i) {
    var us = D.t0_us + Math.round(D.start[i] * 1000);
    var ms = Math.floor(us / 1000);
    return new Date(ms).toISOString().slice(0, 23) + String(Math.round(us - ms * 1000)).padStart(3, '0') + 'Z';
  }

  function select(i) {
    state.selected = i;
    state.highlightCorr = i >= 0 ? D.corr[i] : -1;
    var pane = $('details');
    pane.textContent = '';
    if (i < 0) {
      var p = document.createElement('p'); p.className = 'hint';
      p.textContent = 'Click an event to see its details. Drag to pan, scroll to zoom, brush the overview to pick a range.';
      pane.appendChild(p);
      requestDraw();
      return;
    }
    var h = document.createElement('h3');
    h.textContent = D.summaries[D.sum[i]] || '(no summary)';
    pane.appendChild(h);
    var dl = document.createElement('dl');
    var rows = [
      ['event', D.id[i]], ['time', isoAt(i)], ['source', D.sources[D.src[i]]], ['level', D.levels[D.lvl[i]]],
      ['agent', D.agent[i] >= 0 ? D.agents[D.agent[i]] : '—'], ['component', D.components[D.comp[i]]],
      ['action', D.actions[D.act[i]] || '—'], ['duration', D.dur[i] >= 0 ? fmtMs(D.dur[i]) : 'point event'],
    ];
    if (D.cause && D.cause[i] >= 0) rows.push(['cause', D.causes[D.cause[i]].replace(/_/g, ' ')]);
    rows.forEach(function (r) {
      var dt = document.createElement('dt'); dt.textContent = r[0];
      var dd = document.createElement('dd'); dd.textContent = r[1];
      if (r[0] === 'level' && LEVEL_ERR[r[1]]) dd.className = 'err';
      dl.appendChild(dt); dl.appendChild(dd);
    });
    if (D.corr[i] >= 0) {
      var n = 0;
      for (var k = 0; k < N; k++) if (D.corr[k] === D.corr[i]) n++;
      var dt = document.createElement('dt'); dt.textContent = 'correlation';
      var dd = document.createElement('dd'); dd.textContent = D.correlations[D.corr[i]] + ' (' + n + ' events highlighted)';
      dl.appendChild(dt); dl.appendChild(dd);
    }
    if (D.parent[i] >= 0) {
      var pdt = document.createElement('dt'); pdt.textContent = 'parent';
      var pdd = document.createElement('dd');
      var a = document.createElement('a'); a.href = '#'; a.textContent = D.summaries[D.sum[D.parent[i]]] || D.id[D.parent[i]];
      var parentIdx = D.parent[i];
      a.addEventListener('click', function (ev) { ev.preventDefault(); select(parentIdx); });
      pdd.appendChild(a); dl.appendChild(pdt); dl.appendChild(pdd);
    }
    pane.appendChild(dl);
    var pre = document.createElement('pre');
    var txt = D.extras[D.ext[i]];
    try { txt = JSON.stringify(JSON.parse(txt), null, 2); } catch (err) { /* truncated JSON: show as is */ }
    pre.textContent = txt;
    pane.appendChild(pre);
    requestDraw();
  }

  function fmtMs(ms) {
    if (ms < 1) return ms.toFixed(3) + ' ms';
    if (ms < 1000) return (ms < 100 ? ms.toFixed(1) : ms.toFixed(0)) + ' ms';
    if (ms < 120000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
    return (ms / 60000).toFixed(1) + ' min';
  }

  // ---------- automation hook (tests, bench, scripts) ----------
  window.debbieTimeline = {
    lanes: function () { return state.lanes.map(function (l) { return l.name; }); },
    /** Rows per lane: one per nesting level of spans inside the lane. */
    rows: function () { return state.laneRows.slice(); },
    eventCount: N,
    shownCount: function () { return state.shownCount; },
    view: function () { return { marks: state.markCount, merged: state.merged, inView: state.inView }; },
    stalls: D.gaps.length,
    comments: function () { var c = 0; for (var i = 0; i < N; i++) if (D.src[i] === commentSrc) c++; return c; },
    selected: function () { return state.selected >= 0 ? D.id[state.selected] : null; },
    highlighted: function () { return state.highlightCorr >= 0 ? D.correlations[state.highlightCorr] : null; },
    /** Page coordinates of the centre of an event's mark, or null when it is not drawn. */
    positionOf: function (id) {
      var r = canvas.getBoundingClientRect();
      for (var m = 0; m < state.markCount; m++) {
        if (D.id[marksI[m]] === id) return { x: r.left + marksX[m] + Math.min(marksW[m], 8) / 2, y: r.top + marksY[m] + marksH[m] / 2 };
      }
      return null;
    },
    /** Draws now (not on the next frame) and returns how long the frame took, in ms. */
    drawMs: function () { var t = performance.now(); draw(); return performance.now() - t; },
    /** Zooms to [fromMs, toMs] since the first event. */
    zoomTo: function (fromMs, toMs) {
      var k = (x0.domain()[1] - x0.domain()[0]) / Math.max(1e-6, toMs - fromMs);
      canvasSel.call(zoom.transform, d3.zoomIdentity.scale(k).translate(-x0(fromMs), 0));
    },
    drawnIds: function () { var out = []; for (var m = 0; m < state.markCount; m++) out.push(D.id[marksI[m]]); return out; },
  };

  select(-1);
  layout();
})();
`;
