// A chat client that stays connected: the browser's own WebSocket, no library, no build step.
// Copy it as a template; each part says why it is there.
'use strict';

(() => {
  const params = new URLSearchParams(location.search);
  const millis = (name, fallback) => {
    const value = Number(params.get(name));
    return value > 0 ? value : fallback;
  };

  // Timings. The URL may shorten them (?heartbeat=500&timeout=1500), as tests and demos do.
  const HEARTBEAT_EVERY = millis('heartbeat', 5000); // our own heartbeat: measures RTT, keeps proxies from idling us out
  const DEAD_AFTER = millis('timeout', 15000);       // silence this long means dead: a half-open TCP never fires onclose
  const BACKOFF_MIN = millis('backoffMin', 250);     // never hammer a server that just went down...
  const BACKOFF_MAX = millis('backoffMax', 10000);   // ...and never wait so long that the user gives up
  const STABLE_AFTER = millis('stable', 10000);      // a connection that lasted this long resets the backoff
  const OUTBOX_LIMIT = 100;                          // messages typed while offline, sent on reconnect
  const MESSAGES_KEPT = 500;                         // the list must not grow for ever in a tab left open

  // Close codes after which reconnecting would only repeat the same refusal (or fight another tab).
  const TERMINAL = {
    4500: 'This chat was opened in another tab/window — not reconnecting. Press Join to use this one.',
    1008: 'The server refused this connection (policy violation) — not reconnecting.',
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'), rtt: $('rtt'), reconnects: $('reconnects'), name: $('name'),
    join: $('join'), messages: $('messages'), users: $('users'), compose: $('compose'), input: $('input'),
  };

  let user = params.get('user') || 'guest-' + Math.random().toString(16).slice(2, 6);
  let socket = null;       // the current WebSocket; events of an abandoned one are ignored
  let attempt = 0;         // connections failed in a row: drives the backoff
  let reconnects = 0;      // reconnection attempts since the page loaded
  let openedAt = 0;
  let stopped = false;     // after a terminal close nothing reconnects
  let heartbeatSentAt = 0; // acks carry no id: the RTT is that of the latest heartbeat
  let retryTimer, heartbeatTimer, deadTimer;
  const outbox = [];

  let statusText = '';
  function setStatus(state, text = statusText) {
    statusText = text;
    ui.status.dataset.state = state;
    ui.status.textContent = outbox.length && state !== 'connected' ? `${text} (${outbox.length} waiting to send)` : text;
  }

  function connect() {
    clearTimeout(retryTimer);
    stopped = false;
    const url = new URL('ws', location.href); // same host and path prefix as the page, so it works behind a proxy
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = new URLSearchParams({ user }).toString();
    setStatus(reconnects ? 'reconnecting' : 'connecting', `${reconnects ? 'reconnecting' : 'connecting'} as ${user}…`);

    const ws = new WebSocket(url);
    socket = ws;
    expectLife(); // a handshake that hangs (a frozen proxy) must time out too, not wait for ever
    ws.onopen = () => {
      if (ws !== socket) return;
      openedAt = Date.now();
      setStatus('connected', `connected as ${user}`);
      while (outbox.length && ws.readyState === WebSocket.OPEN) ws.send(outbox.shift());
      sendHeartbeat(); // at once, so the RTT shows without waiting an interval
      heartbeatTimer = setInterval(sendHeartbeat, HEARTBEAT_EVERY);
      expectLife();
    };
    ws.onmessage = (event) => {
      if (ws !== socket) return;
      expectLife(); // any message proves the server alive, not only heartbeats
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // not ours to fix: skip it and keep the connection
      }
      onMessage(ws, message);
    };
    // onerror carries no detail and is always followed by onclose, which decides what to do.
    ws.onclose = (event) => {
      if (ws !== socket) return;
      disconnected(event.code, event.reason);
    };
  }

  function onMessage(ws, message) {
    switch (message.type) {
      case 'heartbeat':
        // Answer at once, here and not from a timer: browsers throttle timers in background tabs, not
        // events, and the server closes a connection that stops answering (4408).
        ws.send(JSON.stringify({ type: 'heartbeat_ack' }));
        break;
      case 'heartbeat_ack':
        if (heartbeatSentAt) ui.rtt.textContent = `rtt ${Math.round(performance.now() - heartbeatSentAt)} ms`;
        heartbeatSentAt = 0;
        break;
      case 'welcome':
        user = message.user || user; // the server may have normalised the name
        ui.name.value = user;
        setStatus('connected', `connected as ${user}`);
        break;
      case 'chat':
        showMessage(message);
        break;
      case 'presence':
        ui.users.replaceChildren(...(message.users || []).map((name) => {
          const li = document.createElement('li');
          li.textContent = name;
          return li;
        }));
        break;
      default:
        break; // newer servers may send more types: ignoring them keeps old pages working
    }
  }

  function sendHeartbeat() {
    if (socket && socket.readyState === WebSocket.OPEN) {
      heartbeatSentAt = performance.now();
      socket.send(JSON.stringify({ type: 'heartbeat' }));
    }
  }

  // Restarted by every message; if it fires, the connection is dead even though the browser
  // has not noticed (a laptop lid, a dropped Wi-Fi, a proxy that froze).
  function expectLife() {
    clearTimeout(deadTimer);
    deadTimer = setTimeout(() => {
      const dead = socket;
      abandon();
      dead.close(4000, 'server silent');
      disconnected(4000, `server silent for ${DEAD_AFTER} ms`);
    }, DEAD_AFTER);
  }

  // Forget the current socket: its late events must not start a second reconnect.
  function abandon() {
    clearInterval(heartbeatTimer);
    clearTimeout(deadTimer);
    socket = null;
  }

  function disconnected(code, reason) {
    abandon();
    const why = `closed ${code}${reason ? ' ' + reason : ''}`;
    if (TERMINAL[code]) {
      stopped = true;
      ui.users.replaceChildren(); // no longer known from here
      setStatus('closed', `${why} — ${TERMINAL[code]}`);
      return;
    }
    if (openedAt && Date.now() - openedAt >= STABLE_AFTER) attempt = 0; // it was healthy: start small again
    openedAt = 0;
    // Exponential backoff with full jitter above a floor: a server restart must not bring every
    // tab back in the same millisecond.
    const ceiling = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** (attempt + 1));
    const delay = Math.round(BACKOFF_MIN + Math.random() * (ceiling - BACKOFF_MIN));
    attempt++;
    setStatus('reconnecting', `reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${attempt}) — ${why}`);
    retryTimer = setTimeout(reconnect, delay);
  }

  function reconnect() {
    reconnects++;
    ui.reconnects.textContent = reconnects;
    connect();
  }

  function showMessage(message) {
    const li = document.createElement('li');
    li.textContent = `${message.user}: ${message.text}`; // textContent, never innerHTML: chat text is untrusted
    if (message.user === user) li.className = 'mine';
    if (message.time) li.title = new Date(message.time).toLocaleTimeString();
    ui.messages.append(li);
    while (ui.messages.childElementCount > MESSAGES_KEPT) ui.messages.firstElementChild.remove();
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  ui.compose.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text) return;
    const frame = JSON.stringify({ type: 'chat', text });
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(frame);
    } else if (stopped) {
      return; // keep the text: the user may press Join and send it from this tab
    } else if (outbox.length < OUTBOX_LIMIT) {
      outbox.push(frame); // sent in order once reconnected
      setStatus(ui.status.dataset.state); // shows how many wait
    } else {
      return; // full: the text stays in the box rather than being dropped silently
    }
    ui.input.value = '';
  });

  // A new name (or Join after another tab took over) starts a fresh connection at once.
  ui.join.addEventListener('submit', (event) => {
    event.preventDefault();
    user = ui.name.value.trim() || user;
    const url = new URL(location.href);
    url.searchParams.set('user', user);
    history.replaceState(null, '', url); // a reload keeps the name
    const old = socket;
    abandon();
    if (old) old.close(1000, 'rejoining');
    attempt = 0;
    connect();
  });

  // Back online: do not wait out the backoff.
  window.addEventListener('online', () => {
    if (!socket && !stopped) connect();
  });
  // Leaving the page: say goodbye, so the server counts a normal close rather than an error.
  window.addEventListener('pagehide', () => {
    const old = socket;
    abandon();
    clearTimeout(retryTimer);
    if (old) old.close(1000, 'page closed');
  });
  // Back from the back/forward cache: the old connection is gone.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && !stopped) connect();
  });

  ui.name.value = user;
  connect();
})();
