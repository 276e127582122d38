// Live dashboard: one snapshot a tick over Server-Sent Events, drawn as plain DOM and inline SVG.
// No chart library: two small charts are easier to read (and copy) than a dependency.
'use strict';

(() => {
  const WINDOW_MS = 2 * 60 * 1000; // how much history the line chart keeps
  const MIN_SPAN_MS = 10 * 1000;    // a fresh page still draws a readable time axis
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  const samples = []; // {time, active}, oldest first

  // EventSource reconnects by itself after a drop (and the server's restart), so the page needs
  // no retry logic of its own: it only says when the feed is down.
  const feed = new EventSource('dashboard/events');
  feed.onopen = () => setFeed('live', 'live');
  feed.onerror = () => setFeed('reconnecting', 'feed lost — reconnecting…');
  feed.onmessage = (event) => {
    let snapshot;
    try {
      snapshot = JSON.parse(event.data);
    } catch {
      return; // one bad event must not stop the dashboard
    }
    render(snapshot);
  };

  function setFeed(state, text) {
    $('feed').dataset.state = state;
    $('feed').textContent = text;
  }

  function render(s) {
    const time = s.time || Date.now();
    setFeed('live', `live · updated ${new Date(time).toLocaleTimeString()}`);
    $('active').textContent = s.active;
    $('opened').textContent = s.totalOpened;
    $('transport').textContent = s.transport || '–';
    const rtt = s.rtt || {};
    $('p50').textContent = rtt.count ? formatMs(rtt.p50Ms) : '–';
    $('p99').textContent = rtt.count ? formatMs(rtt.p99Ms) : '–';
    $('rtt-count').textContent = rtt.count || 0;
    const hb = s.heartbeats || {};
    $('hb-sent').textContent = hb.sent ?? '–';
    $('hb-answered').textContent = hb.answered ?? '–';
    $('hb-missed').textContent = hb.missed ?? '–';
    renderClosed(s.closed || {});

    samples.push({ time, active: s.active });
    while (samples.length && samples[0].time < time - WINDOW_MS) samples.shift();
    drawTimeline($('timeline'), samples, time);
    drawHistogram($('histogram'), rtt.buckets || []);
  }

  function formatMs(value) {
    if (value == null) return '–';
    return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
  }

  // Whatever causes the server reports, in its order: a new cause needs no page change.
  function renderClosed(closed) {
    const rows = Object.entries(closed).map(([cause, count]) => {
      const tr = document.createElement('tr');
      tr.dataset.cause = cause;
      const name = document.createElement('th');
      name.textContent = cause.replace(/_/g, ' ');
      const value = document.createElement('td');
      value.textContent = count;
      tr.append(name, value);
      return tr;
    });
    $('closed').tBodies[0].replaceChildren(...rows);
  }

  function node(name, attributes = {}, text) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    if (text != null) element.textContent = text;
    return element;
  }

  // A round upper bound for an axis: 1, 2, 5, 10, 20, 50...
  function niceMax(value) {
    if (value <= 1) return 1;
    const magnitude = 10 ** Math.floor(Math.log10(value));
    return [1, 2, 5, 10].map((step) => step * magnitude).find((bound) => bound >= value);
  }

  const BOX = { width: 600, height: 220, left: 44, right: 12, top: 12, bottom: 26 };
  const plotWidth = BOX.width - BOX.left - BOX.right;
  const plotHeight = BOX.height - BOX.top - BOX.bottom;

  function axes(svg, max, format) {
    for (const fraction of [0, 0.5, 1]) {
      const y = BOX.top + plotHeight * (1 - fraction);
      svg.append(node('line', { x1: BOX.left, x2: BOX.width - BOX.right, y1: y, y2: y, class: 'grid' }));
      svg.append(node('text', { x: BOX.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, format(max * fraction)));
    }
  }

  function formatSpan(ms) {
    return ms >= 60000 ? `${+(ms / 60000).toFixed(1)} min` : `${Math.round(ms / 1000)} s`;
  }

  function drawTimeline(svg, points, now) {
    // The axis grows with the history it has, up to the window: no empty two minutes on a new page.
    const span = Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, now - points[0].time));
    $('span').textContent = formatSpan(span);
    const max = niceMax(Math.max(...points.map((p) => p.active)));
    const x = (time) => BOX.left + plotWidth * (1 - (now - time) / span);
    const y = (active) => BOX.top + plotHeight * (1 - active / max);
    svg.replaceChildren();
    axes(svg, max, (v) => (Number.isInteger(v) ? v : v.toFixed(1)));
    svg.append(node('text', { x: BOX.left, y: BOX.height - 6, class: 'axis' }, `-${formatSpan(span)}`));
    svg.append(node('text', { x: BOX.width - BOX.right, y: BOX.height - 6, 'text-anchor': 'end', class: 'axis' }, 'now'));
    // Steps, not slopes: the count changes at an instant and holds until the next change.
    let path = `M${x(points[0].time)},${y(points[0].active)}`;
    for (const p of points.slice(1)) path += ` H${x(p.time)} V${y(p.active)}`;
    const bottom = BOX.top + plotHeight;
    svg.append(node('path', { d: `${path} V${bottom} H${x(points[0].time)} Z`, class: 'area' }));
    svg.append(node('path', { d: path, class: 'line' }));
  }

  function drawHistogram(svg, buckets) {
    svg.replaceChildren();
    const total = buckets.reduce((sum, b) => sum + b.count, 0);
    if (!total) {
      svg.append(node('text', { x: BOX.width / 2, y: BOX.height / 2, 'text-anchor': 'middle', class: 'axis' }, 'no round trips yet'));
      return;
    }
    const max = niceMax(Math.max(...buckets.map((b) => b.count)));
    axes(svg, max, (v) => Math.round(v));
    const slot = plotWidth / buckets.length;
    const labelEvery = Math.ceil(buckets.length / 12); // keep the labels from overlapping
    buckets.forEach((bucket, i) => {
      const height = plotHeight * (bucket.count / max);
      const left = BOX.left + i * slot;
      const label = bucket.leMs == null ? '+∞' : `≤${bucket.leMs}`;
      const bar = node('rect', { x: left + 1, y: BOX.top + plotHeight - height, width: Math.max(1, slot - 2), height, class: 'bar' });
      bar.append(node('title', {}, `${label} ms: ${bucket.count}`));
      svg.append(bar);
      if (i % labelEvery === 0) {
        svg.append(node('text', { x: left + slot / 2, y: BOX.height - 8, 'text-anchor': 'middle', class: 'axis' }, label));
      }
    });
  }
})();
