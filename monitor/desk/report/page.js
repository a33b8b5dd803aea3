// The flagged-items table: rows are built from the embedded JSON with textContent only (posts
// are attacker-controlled), filtered and sorted in memory and drawn one page at a time.
(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const C = Object.fromEntries(data.columns.map((c, i) => [c, i]));
  const rows = data.rows;
  const SEARCHED = ['kind', 'label', 'platform', 'author_handle', 'text', 'detector', 'evidence',
                    'actions', 'status', 'url'];
  const hay = rows.map(haystack);
  const byId = new Map(rows.map((r, i) => [r[C.id], i]));
  // The table opens on the queue still to decide (status new); the status menu offers all.
  const state = {q: '', kind: '', platform: '', status: data.status || '', sort: 'posted_at',
                 dir: -1, page: 0, size: 100};
  const $ = (id) => document.getElementById(id);
  const timing = window.reportTiming = {applyMs: 0, filterMs: 0, sortMs: 0, drawMs: 0, applied: 0};
  let view = [];

  function haystack(r) {
    return SEARCHED.map((c) => r[C[c]] ?? '').join('\u0001').toLowerCase();
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function matches(i) {
    const r = rows[i];
    return (!state.kind || r[C.kind] === state.kind) &&
      (!state.platform || r[C.platform] === state.platform) &&
      (!state.status || r[C.status] === state.status) &&
      (!state.q || hay[i].includes(state.q));
  }

  // An item's time is its post's; the flag's only when the platform gave the post none.
  function when(r) {
    return r[C.posted_at] || r[C.flagged_at] || '';
  }

  // Sort keys are read once per sort, not once per comparison; ties go newest first.
  function sortView() {
    const col = C[state.sort], dir = state.dir;
    const read = state.sort === 'posted_at' ? when : (r) => r[col] ?? '';
    const key = new Map(view.map((i) => [i, read(rows[i])]));
    view.sort((a, b) => {
      const x = key.get(a), y = key.get(b);
      return (x < y ? -dir : x > y ? dir : 0) || rows[b][C.id] - rows[a][C.id];
    });
  }

  // Filter and sort everything, then draw the first page; timed for the performance figures.
  function apply() {
    const t0 = performance.now();
    view = [];
    for (let i = 0; i < rows.length; i++) if (matches(i)) view.push(i);
    const t1 = performance.now();
    sortView();
    timing.filterMs = t1 - t0;
    timing.sortMs = performance.now() - t1;
    state.page = 0;
    draw();
    timing.applyMs = performance.now() - t0;
    timing.applied += 1;
    document.body.dataset.applied = String(timing.applied);
  }

  function draw() {
    const t0 = performance.now();
    const pages = Math.max(1, Math.ceil(view.length / state.size));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * state.size;
    const frag = document.createDocumentFragment();
    for (const i of view.slice(start, start + state.size)) frag.appendChild(rowNode(rows[i]));
    $('rows').replaceChildren(frag);
    const shown = view.length ? `${start + 1}–${Math.min(start + state.size, view.length)}` : '0';
    $('count').textContent = `Showing ${shown} of ${view.length.toLocaleString('en')} matching ` +
      `(${rows.length.toLocaleString('en')} in this report)`;
    $('page').textContent = `page ${state.page + 1} of ${pages}`;
    $('prev').disabled = state.page === 0;
    $('next').disabled = state.page >= pages - 1;
    for (const th of document.querySelectorAll('th[data-sort]')) {
      th.setAttribute('aria-sort', th.dataset.sort === state.sort
        ? (state.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
    timing.drawMs = performance.now() - t0;
  }

  function rowNode(r) {
    const tr = el('tr');
    tr.dataset.id = r[C.id];
    if (data.live) tr.append(decideCell(r));
    tr.append(timeCell(r),
      el('td', r[C.kind], 'kind k-' + r[C.kind]), el('td', r[C.label], 'label'),
      el('td', Number(r[C.score]).toFixed(2), 'num'), platformCell(r),
      el('td', r[C.author_handle] ? '@' + r[C.author_handle] : '', 'author'),
      el('td', r[C.text], 'text'), signalsCell(r), el('td', r[C.actions] || '—', 'actions'),
      el('td', r[C.status], 'status s-' + r[C.status]));
    return tr;
  }

  function stamp(iso) {
    return (iso || '').replace('T', ' ').slice(0, 16);
  }

  function after(posted, flagged) {
    const minutes = Math.round((Date.parse(flagged) - Date.parse(posted)) / 60000);
    if (!(minutes >= 0)) return stamp(flagged);  // a clock ahead of the platform's, or no time
    if (minutes < 1) return 'at once';
    if (minutes < 60) return `${minutes} min later`;
    if (minutes < 2880) return `${Math.round(minutes / 60)} h later`;
    return `${Math.round(minutes / 1440)} days later`;
  }

  // The post's time, and under it how long after it was flagged (a replay flags old posts at
  // once); both in full in the tooltip.
  function timeCell(r) {
    const posted = r[C.posted_at], flagged = r[C.flagged_at];
    const td = el('td', posted ? stamp(posted) : stamp(flagged), 'when');
    td.append(el('small', posted ? 'flagged ' + after(posted, flagged) : 'flagged; no post time'));
    td.title = (posted ? `posted ${posted}, ` : 'the platform gave no post time; ') +
      `flagged ${flagged} (UTC)`;
    return td;
  }

  function platformCell(r) {
    const td = el('td');
    const url = r[C.url] || '';
    // Only web links become links: a javascript: or data: URL from a post stays plain text.
    if (/^https?:\/\//i.test(url)) {
      const a = el('a', r[C.platform]);
      a.href = url;
      a.rel = 'noopener noreferrer nofollow';
      a.target = '_blank';
      a.title = url;
      td.append(a);
    } else {
      td.textContent = r[C.platform];
    }
    return td;
  }

  // One line until opened: the evidence of a look-alike can run to a paragraph.
  function signalsCell(r) {
    const td = el('td', null, 'signals');
    const details = el('details'), summary = el('summary');
    summary.append(el('span', r[C.detector], 'detector'),
      document.createTextNode(': ' + (r[C.evidence] || '')));
    summary.title = 'show all signals';
    details.append(summary);
    td.append(details);
    return td;
  }

  function decideCell(r) {
    const td = el('td', null, 'decide');
    for (const [verb, status] of [['confirm', 'confirmed'], ['dismiss', 'false_positive'],
                                  ['resolve', 'resolved']]) {
      const b = el('button', verb[0].toUpperCase() + verb.slice(1));
      b.dataset.verb = verb;
      b.disabled = r[C.status] === status;
      td.append(b);
    }
    if (data.allow && r[C.kind] === 'impersonation') {
      const b = el('button', 'Dismiss + allow links', 'allow');
      b.dataset.verb = 'dismiss';
      b.dataset.allow = '1';
      b.title = 'false positive: put its look-alike links on the allow list';
      b.disabled = r[C.status] === 'false_positive';
      td.append(b);
    }
    for (const [actionId, kind] of r[C.held] || []) {
      const b = el('button', `Approve held ${kind}`, 'approve');
      b.dataset.approve = actionId;
      td.append(b);
    }
    // An admin's page: a sent restriction or ban is undone (an unban goes out), a held or
    // planned one skipped before it goes out.
    for (const [actionId, kind, status] of r[C.undo] || []) {
      const sent = status === 'sent';
      const b = el('button', sent ? `Undo ${kind}` : `Skip ${status} ${kind}`, 'undo');
      b.dataset.undo = actionId;
      b.title = sent ? `lift the ${kind}: an unban goes out` : `the ${kind} will not go out`;
      td.append(b);
    }
    return td;
  }

  async function post(url, body) {
    const res = await fetch(url, {method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
      headers: {'Content-Type': 'application/json', 'X-Monitor-Request': '1'}});
    const out = await res.json().catch(() => ({error: res.statusText}));
    if (!res.ok) throw new Error(out.error || res.statusText);
    return out;
  }

  async function onDecide(event) {
    const b = event.target.closest('button');
    if (!b || !data.live) return;
    const id = Number(b.closest('tr').dataset.id);
    const url = b.dataset.approve ? `api/actions/${b.dataset.approve}/approve`
      : b.dataset.undo ? `api/actions/${b.dataset.undo}/undo`
      : `api/findings/${id}/${b.dataset.verb}`;
    b.disabled = true;
    try {
      const out = await post(url, b.dataset.allow ? {allow_links: true} : {});
      for (const row of out.rows) replaceRow(row, false);
      say(out.message, false);
    } catch (err) {
      say(err.message, true);
    }
    draw();
  }

  function replaceRow(obj, add) {
    let i = byId.get(obj.id);
    if (i === undefined) {
      if (!add) return;
      i = rows.length;  // a post just flagged: a new item of the queue
      byId.set(obj.id, i);
    }
    rows[i] = data.columns.map((c) => obj[c] ?? null);
    hay[i] = haystack(rows[i]);
  }

  // The served page's search over stored posts (their stored, redacted text), a page at a
  // time; each result's Flag button makes it a confirmed finding, added to the table.
  const found = {q: '', platform: '', offset: 0, limit: 20};

  async function searchPosts() {
    const params = new URLSearchParams({q: found.q, platform: found.platform,
      limit: String(found.limit), offset: String(found.offset)});
    try {
      const res = await fetch(`api/posts?${params}`, {credentials: 'same-origin'});
      const out = await res.json().catch(() => ({error: res.statusText}));
      if (!res.ok) throw new Error(out.error || res.statusText);
      drawPosts(out);
    } catch (err) {
      say(err.message, true);
    }
  }

  function drawPosts(out) {
    const frag = document.createDocumentFragment();
    for (const p of out.posts) frag.appendChild(postNode(p));
    $('post-rows').replaceChildren(frag);
    $('posts').hidden = out.posts.length === 0;
    $('search-pager').hidden = false;
    const last = found.offset + out.posts.length;
    $('search-count').textContent = out.posts.length
      ? `stored posts ${found.offset + 1}–${last}${out.more ? ', more after' : ''}`
      : 'no stored post matches';
    $('search-prev').disabled = found.offset === 0;
    $('search-next').disabled = !out.more;
    document.body.dataset.searched = String(Number(document.body.dataset.searched || 0) + 1);
  }

  function postNode(p) {
    const tr = el('tr');
    tr.dataset.platform = p.platform;
    tr.dataset.post = p.post_id;
    const flag = el('td', null, 'decide');
    const b = el('button', 'Flag', 'flag');
    b.title = 'flag this post (confirmed at once, with your name)';
    flag.append(b);
    const posted = p.posted_at || p.seen_at;
    tr.append(flag, el('td', stamp(posted), 'when'), el('td', p.platform),
      el('td', p.author_handle ? '@' + p.author_handle : '', 'author'),
      el('td', p.text, 'text'), el('td', p.findings || '—', 'findings'));
    return tr;
  }

  async function onFlag(event) {
    const b = event.target.closest('button.flag');
    if (!b) return;
    const tr = b.closest('tr');
    b.disabled = true;
    try {
      const out = await post('api/flag', {platform: tr.dataset.platform,
        post_id: tr.dataset.post, kind: $('flag-kind').value, label: $('flag-label').value,
        note: $('flag-note').value});
      for (const row of out.rows) replaceRow(row, true);
      tr.querySelector('td.findings').textContent =
        out.rows.map((r) => `${r.kind}:${r.status}`).join(', ');
      state.status = '';  // the flag is confirmed at once: show it whatever the status filter
      $('f-status').value = '';
      apply();
      say(out.message, false);
    } catch (err) {
      b.disabled = false;
      say(err.message, true);
    }
  }

  if ($('search')) {
    $('search').addEventListener('submit', (e) => {
      e.preventDefault();
      found.q = $('search-q').value.trim();
      found.platform = $('search-platform').value;
      found.offset = 0;
      searchPosts();
    });
    $('search-prev').addEventListener('click', () => {
      found.offset = Math.max(0, found.offset - found.limit);
      searchPosts();
    });
    $('search-next').addEventListener('click', () => { found.offset += found.limit; searchPosts(); });
    $('post-rows').addEventListener('click', onFlag);
  }

  function say(text, isError) {
    $('message').textContent = text;
    $('message').className = isError ? 'error' : 'ok';
  }

  function debounce(fn, ms) {
    let timer = 0;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  function fillSelect(id, column, fixed) {
    const values = fixed || [...new Set(rows.map((r) => r[C[column]]))].filter(Boolean).sort();
    for (const v of values) { const o = el('option', v); o.value = v; $(id).append(o); }
    $(id).value = state[column];
    $(id).addEventListener('change', (e) => { state[column] = e.target.value; apply(); });
  }

  function sortBy(column) {
    state.dir = state.sort === column ? -state.dir
      : (column === 'posted_at' || column === 'score' ? -1 : 1);
    state.sort = column;
    apply();
  }

  $('q').addEventListener('input', debounce((e) => { state.q = e.target.value.trim().toLowerCase(); apply(); }, 120));
  fillSelect('f-kind', 'kind');
  fillSelect('f-platform', 'platform');
  fillSelect('f-status', 'status', data.statuses);
  $('size').addEventListener('change', (e) => { state.size = Number(e.target.value); apply(); });
  $('prev').addEventListener('click', () => { state.page -= 1; draw(); });
  $('next').addEventListener('click', () => { state.page += 1; draw(); });
  for (const th of document.querySelectorAll('th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => sortBy(th.dataset.sort));
  }
  $('rows').addEventListener('click', onDecide);
  apply();
  performance.mark('report-ready');
  document.body.dataset.ready = '1';
})();
