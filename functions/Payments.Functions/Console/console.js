// The operator console: plain JavaScript, no framework, no build. Every value from the server is
// written with textContent (never innerHTML), so a callback's payload cannot inject markup.
'use strict';

const base = location.pathname.replace(/\/$/, '');

// The function key, when the page was opened with ?code=: taken once into this tab's session storage
// and out of the address bar (so not into history, bookmarks or a shared link), then sent as the
// x-functions-key header on the data calls, never in a URL. The page and its files need no key.
const keyItem = 'payments-console-function-key';
const opened = new URL(location.href);
if (opened.searchParams.has('code')) {
  sessionStorage.setItem(keyItem, opened.searchParams.get('code'));
  opened.searchParams.delete('code');
  history.replaceState(history.state, '', opened);
}
const functionKey = sessionStorage.getItem(keyItem);
const $ = (selector) => document.querySelector(selector);
const state = { view: 'search', orderId: null };

function el(tag, { dataset, ...props } = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  Object.assign(node.dataset, dataset);
  for (const child of children) node.append(child ?? '');
  return node;
}

function url(path, params = {}) {
  const u = new URL(base + path, location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') u.searchParams.set(key, value);
  }
  return u;
}

// The operator's name goes with every call: in Azure, App Service authentication replaces it with the signed-in identity.
async function api(path, { params, body } = {}) {
  const headers = { 'X-MS-CLIENT-PRINCIPAL-NAME': $('#operator').value.trim() || 'local' };
  if (functionKey) headers['x-functions-key'] = functionKey;
  if (body) headers['Content-Type'] = 'application/json';
  const response = await fetch(url(path, params), {
    method: body ? 'POST' : 'GET',
    headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = (response.headers.get('Content-Type') || '').includes('json') && text ? JSON.parse(text) : text;
  if (!response.ok) throw new Error(json.title ? `${json.title} ${(json.errors || []).join(' ')}` : `HTTP ${response.status}`);
  return json;
}

function showError(error) {
  $('#error').hidden = !error;
  $('#error').textContent = error ? String(error.message || error) : '';
}

function fill(table, rows) {
  const tbody = $(table).tBodies[0];
  tbody.replaceChildren(...rows);
}

const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

// ---- search & timeline ----

async function search(query) {
  const hits = await api('/search', { params: { q: query } });
  fill('#hits', hits.map((hit) => el('tr', {},
    el('td', {}, el('a', { href: '#', className: 'open-order', textContent: hit.orderId, onclick: (e) => { e.preventDefault(); guard(openTimeline)(hit.orderId); } })),
    el('td', { textContent: hit.paymentId }), el('td', { textContent: hit.customerId }), el('td', { textContent: hit.provider }),
    el('td', { textContent: hit.status }), el('td', { textContent: hit.matchedBy }))));
  if (hits.length === 0) $('#timeline').replaceChildren(el('p', { textContent: `Nothing found for "${query}".` }));
  else if (hits.length === 1) await openTimeline(hits[0].orderId);
}

async function openTimeline(orderId) {
  state.orderId = orderId;
  const timeline = await api(`/timeline/${encodeURIComponent(orderId)}`);
  const order = timeline.order;
  const summary = el('div', { className: 'summary' },
    el('h2', { textContent: `Order ${order.orderId}: ${timeline.status}${order.reason ? ` (${order.reason})` : ''}` }),
    el('div', { textContent: `Payment ${order.paymentId} via ${order.provider}, ${order.amountMinor} ${order.currency}, customer ${order.customerId}` +
      (order.paidAmountMinor != null ? `, paid ${order.paidAmountMinor}` : '') }),
    el('div', { textContent: timeline.fromDurableHistory ? 'Saga steps from the Durable history.' : 'Saga steps: this backend serves no Durable history; instance status shown.' }));
  const table = el('table', { id: 'timeline-table' },
    el('thead', {}, el('tr', {}, ...['When', 'Source', 'What', 'Detail', ''].map((h) => el('th', { textContent: h })))),
    el('tbody', {}, ...timeline.entries.map(timelineRow)));
  $('#timeline').replaceChildren(summary, table);
}

function timelineRow(entry) {
  const detail = el('td', { className: 'detail', textContent: entry.detail });
  const button = entry.body ? el('button', { type: 'button', className: 'raw-body', textContent: 'raw body', onclick: () => guard(toggleBody)(detail, entry.body) }) : '';
  return el('tr', { className: `entry entry-${entry.source}` },
    el('td', { textContent: when(entry.at) }), el('td', {}, el('span', { className: `src src-${entry.source}`, textContent: entry.source })),
    el('td', { textContent: entry.title }), detail, el('td', {}, button));
}

async function toggleBody(cell, ref) {
  const shown = cell.querySelector('pre.body');
  if (shown) { shown.remove(); return; }
  const [provider, ...rest] = ref.split('/');
  const body = await api(`/callbacks/${encodeURIComponent(provider)}/${encodeURIComponent(rest.join('/'))}/body`);
  cell.append(el('pre', { className: 'body', textContent: body }));
}

// ---- work queue & actions ----

async function loadWork() {
  const work = await api('/work');
  fill('#groups', work.groups.map((g) => el('tr', {},
    el('td', { textContent: g.kind }), el('td', { textContent: g.reason }), el('td', { textContent: g.count }),
    el('td', { textContent: g.oldestAgeMinutes }),
    el('td', {}, el('button', { type: 'button', className: 'use-filter', textContent: 'filter', onclick: () => { $('#f-kind').value = g.kind; $('#f-reason').value = g.reason; } })))));
  const checked = new Set([...document.querySelectorAll('#items input:checked')].map((c) => c.value));
  fill('#items', work.items.map((item) => el('tr', { dataset: { id: item.id } },
    el('td', {}, el('input', { type: 'checkbox', value: item.id, checked: checked.has(item.id) })),
    el('td', { textContent: item.id }), el('td', { textContent: item.kind }), el('td', { textContent: item.reason }),
    el('td', {}, item.orderId ? el('a', { href: '#', textContent: item.orderId, onclick: (e) => { e.preventDefault(); show('search'); guard(openTimeline)(item.orderId); } }) : ''),
    el('td', { textContent: item.provider ?? '' }), el('td', { textContent: when(item.since) }), el('td', { className: 'detail', textContent: item.detail }),
    el('td', {}, ...item.actions.map((action) => el('button', {
      type: 'button', className: `act act-${action}`, textContent: action.replace('_', ' '),
      onclick: guard(() => act(action, { ids: [item.id] }, false)),
    }))))));
}

function filterFromForm() {
  const age = $('#f-age').value;
  return { kind: $('#f-kind').value.trim() || null, reason: $('#f-reason').value.trim() || null,
    provider: $('#f-provider').value.trim() || null, olderThanMinutes: age === '' ? null : Number(age) };
}

async function act(action, filter, dryRun) {
  const report = await api('/actions', { body: { action, filter, dryRun,
    reason: $('#reason').value.trim() || null, perSecond: Number($('#per-second').value) || 5 } });
  const title = `${report.dryRun ? 'Dry run: would' : 'Done:'} ${report.action} ${report.items.length} of ${report.matched} matching` + (report.truncated ? ' (more remain; run again)' : '');
  $('#bulk-result').replaceChildren(el('h3', { textContent: title }),
    el('ul', { id: 'bulk-items' }, ...report.items.map((i) => el('li', { textContent: `${i.id} (${i.kind}${i.orderId ? `, order ${i.orderId}` : ''}): ${i.outcome}` }))));
  if (!report.dryRun) await loadWork();
}

// ---- audit, reports, live counts ----

async function loadAudit() {
  const entries = await api('/audit');
  fill('#audit', entries.map((a) => el('tr', {}, ...[when(a.at), a.operator, a.action, a.target, a.orderId ?? '', a.reason ?? ''].map((t) => el('td', { textContent: t })))));
}

async function loadReports() {
  const reports = await api('/reports');
  fill('#reports', reports.map((r) => el('tr', {}, ...[r.date, r.lines, r.newDiscrepancies, r.finished ? 'finished' : `${r.chunksDone}/${r.chunks} chunks`].map((t) => el('td', { textContent: t })))));
}

// Every payment that breaks a money rule now, each a click from its timeline (a points finding: the customer's orders).
async function loadMoney() {
  const { lastRun, findings } = await api('/money');
  $('#money-run').textContent = lastRun ? `(last run ${when(lastRun.ranAt)})` : '(has not run yet)';
  $('#money-counts').textContent = lastRun
    ? Object.entries(lastRun.findingsByRule).map(([rule, n]) => `${rule} ${n}`).join(', ')
      + ` · captures watched ${lastRun.capturesWatched}, open refunds ${lastRun.openRefunds}, customers checked ${lastRun.customersChecked}`
    : '';
  fill('#money', findings.map(({ finding: f, timeline }) => {
    const target = f.orderId ?? f.customerId;
    // The server's link (console?q=…) works in a new tab; a plain click opens the timeline in place.
    const link = el('a', { href: timeline.replace(/^ops\/console/, base), className: 'open-timeline', textContent: target,
      onclick: (e) => { e.preventDefault(); show('search'); $('#q').value = target; guard(search)(target); } });
    return el('tr', { className: `finding finding-${f.rule}` },
      el('td', { textContent: f.rule }), el('td', {}, link), el('td', { textContent: f.paymentId ?? '' }), el('td', { textContent: f.customerId ?? '' }),
      el('td', { textContent: f.provider ?? '' }), el('td', { textContent: f.amountMinor != null ? `${f.amountMinor} ${f.currency}` : '' }),
      el('td', { textContent: when(f.since) }), el('td', { className: 'detail', textContent: f.detail }));
  }));
}

async function loadLive() {
  const live = await api('/live');
  $('#live').replaceChildren(el('span', { textContent: `orders ${live.orders}` }),
    ...Object.entries(live.ordersByStatus).map(([status, n]) => el('span', { className: `count-${status}`, textContent: `${status} ${n}` })),
    el('span', { textContent: `dead letters ${live.deadLettersParked}` }), el('span', { textContent: `parked ${live.parkedItemsOpen}` }));
}

const loaders = { work: loadWork, audit: loadAudit, reports: loadReports, money: loadMoney };

function show(view) {
  state.view = view;
  for (const button of document.querySelectorAll('nav button')) button.classList.toggle('active', button.dataset.view === view);
  for (const section of document.querySelectorAll('section')) section.hidden = section.id !== `view-${view}`;
  if (loaders[view]) loaders[view]().catch(showError);
}

// Refreshed by polling, without reloading the page: the live counts always, the open view's list too.
async function poll() {
  try {
    await loadLive();
    if (loaders[state.view]) await loaders[state.view]();
    showError(null);
  } catch (error) {
    showError(error);
  }
}

const guard = (fn) => (...args) => fn(...args).then(() => showError(null), showError);

for (const button of document.querySelectorAll('nav button')) button.addEventListener('click', () => show(button.dataset.view));
$('#search-form').addEventListener('submit', (e) => { e.preventDefault(); guard(search)($('#q').value.trim()); });
$('#dry-run').addEventListener('click', guard(() => act($('#action').value, filterFromForm(), true)));
$('#run').addEventListener('click', guard(() => act($('#action').value, filterFromForm(), false)));
$('#run-selected').addEventListener('click', guard(() => act($('#action').value,
  { ids: [...document.querySelectorAll('#items input:checked')].map((c) => c.value) }, false)));

const initial = new URLSearchParams(location.search).get('q');
if (initial) { $('#q').value = initial; guard(search)(initial); }
poll();
setInterval(poll, 3000);
