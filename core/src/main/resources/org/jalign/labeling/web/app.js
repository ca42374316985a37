// jalign labeling page. Every piece of model or user text goes into the page through
// textContent (see el()), never as HTML: a completion such as <img src=x onerror=...> shows
// literally. The server's CSP forbids inline script as a second wall.
'use strict';

const state = { me: null, sets: [], setId: null, item: null, progress: null, placements: [], focus: 0 };
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

// ---- DOM helpers ------------------------------------------------------------------------------

/** el('p', {class: 'x'}, 'text', child) — strings become text nodes. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function show(...nodes) {
  const main = document.getElementById('main');
  main.replaceChildren(...nodes);
}

let toastTimer = null;
function toast(message, ok) {
  const t = document.getElementById('toast');
  t.textContent = message;
  t.className = ok ? 'ok' : '';
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, ok ? 2000 : 8000);
}

/**
 * The instructions' Markdown, a safe subset: # headings, - or * or 1. lists, blank-line paragraphs,
 * **bold**, *italic* and `code`. Built from DOM nodes with text content only, so a guide can never
 * inject markup; anything else shows as written.
 */
function markdown(text) {
  const inline = (line) => line.split(/(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*)/).filter((part) => part !== '').map((part) => {
    if (part.startsWith('**') && part.endsWith('**') && part.length > 4) return el('strong', {}, part.slice(2, -2));
    if (part.startsWith('`') && part.endsWith('`') && part.length > 2) return el('code', {}, part.slice(1, -1));
    if (part.startsWith('*') && part.endsWith('*') && part.length > 2) return el('em', {}, part.slice(1, -1));
    return part;
  });
  const blocks = [];
  let list = null;
  let paragraph = null;
  for (const raw of String(text).split(/\r?\n/)) {
    const line = raw.trimEnd();
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const item = /^\s*(?:[-*]|\d+[.)])\s+(.*)$/.exec(line);
    if (heading) {
      list = paragraph = null;
      blocks.push(el('h' + Math.min(6, heading[1].length + 2), {}, inline(heading[2])));
    } else if (item) {
      paragraph = null;
      if (!list) { list = el(/^\s*\d/.test(line) ? 'ol' : 'ul', {}); blocks.push(list); }
      list.append(el('li', {}, inline(item[1])));
    } else if (line.trim() === '') {
      list = paragraph = null;
    } else {
      list = null;
      if (!paragraph) { paragraph = el('p', {}); blocks.push(paragraph); } else paragraph.append(el('br'));
      paragraph.append(...inline(line).map((n) => (n instanceof Node ? n : document.createTextNode(n))));
    }
  }
  return blocks;
}

// ---- API --------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const headers = {};
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (state.me) headers['X-CSRF-Token'] = state.me.csrf;
  }
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: method === 'GET' ? undefined : JSON.stringify(body || {}),
  });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    throw new ApiError(response.status, (data && data.error) || ('HTTP ' + response.status));
  }
  return data;
}

function failed(error) {
  if (error instanceof ApiError && error.status === 401) {
    state.me = null;
    showSignedOut(error.message);
    return;
  }
  toast(error.message || String(error));
}

// ---- routing ----------------------------------------------------------------------------------

async function route() {
  const invite = new URLSearchParams(location.hash.slice(1)).get('invite');
  if (location.pathname === '/signin' && invite) {
    showSignIn(invite);
    return;
  }
  try {
    state.me = await api('GET', '/api/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { showSignedOut(); return; }
    failed(error);
    return;
  }
  renderNav();
  if (location.pathname === '/admin') {
    if (state.me.role !== 'admin') { show(el('p', {}, 'This page is for admins.')); return; }
    await showAdmin();
  } else {
    await showSets();
  }
}

function renderNav() {
  const nav = document.getElementById('nav');
  nav.replaceChildren(
    el('span', { id: 'who' }, state.me.name + (state.me.role === 'admin' ? ' (admin)' : '')),
    state.me.role === 'admin' ? el('a', { href: location.pathname === '/admin' ? '/' : '/admin' },
      location.pathname === '/admin' ? 'Label' : 'Admin') : null,
    el('button', { id: 'signout', onclick: signOut }, 'Sign out'));
}

async function signOut() {
  try { await api('POST', '/api/signout'); } catch (error) { /* signed out either way */ }
  state.me = null;
  document.getElementById('nav').replaceChildren();
  showSignedOut('Signed out.');
}

function showSignedOut(message) {
  document.getElementById('nav').replaceChildren();
  show(el('div', { class: 'panel' },
    el('h1', {}, 'Not signed in'),
    message ? el('p', { class: 'muted' }, message) : null,
    el('p', {}, 'Open the invite link an admin gave you to sign in.')));
}

function showSignIn(invite) {
  const button = el('button', { class: 'primary', id: 'signin' }, 'Sign in');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      state.me = await api('POST', '/api/signin', { invite });
      history.replaceState(null, '', '/'); // the one-time token leaves the address bar and history
      await route();
    } catch (error) {
      button.disabled = false;
      if (error instanceof ApiError && error.status === 401) {
        show(el('div', { class: 'panel' }, el('h1', {}, 'Sign-in failed'), el('p', {}, error.message)));
      } else {
        failed(error);
      }
    }
  });
  show(el('div', { class: 'panel' },
    el('h1', {}, 'Welcome to jalign labeling'),
    el('p', {}, 'This one-time link signs you in on this browser. It stops working once used.'),
    button));
}

// ---- labeling ---------------------------------------------------------------------------------

async function showSets() {
  state.sets = await api('GET', '/api/sets');
  if (state.sets.length === 0) {
    show(el('p', {}, 'There is nothing to label yet.'));
    return;
  }
  const wanted = Number(new URLSearchParams(location.search).get('set'));
  const chosen = state.sets.find((s) => s.id === wanted) || (state.sets.length === 1 ? state.sets[0] : null);
  if (chosen) {
    state.setId = chosen.id;
    await loadNext();
    return;
  }
  show(el('div', { class: 'panel' }, el('h1', {}, 'Choose a set'),
    el('ul', {}, state.sets.map((s) => el('li', {},
      el('a', { href: '/?set=' + s.id }, s.name), ' — ', s.criterion, ' — ',
      s.progress.done + ' / ' + s.progress.assigned + ' done')))));
}

async function loadNext() {
  try {
    const answer = await api('GET', '/api/sets/' + state.setId + '/next');
    state.item = answer.item;
    state.progress = answer.progress;
    state.placements = state.item ? state.item.completions.map(() => null) : [];
    state.focus = 0;
    renderItem();
  } catch (error) {
    failed(error);
  }
}

function progressView() {
  const p = state.progress;
  return el('div', { class: 'progress', id: 'progress' },
    el('progress', { max: Math.max(p.assigned, 1), value: p.done }),
    ' ', el('span', { id: 'progress-text' }, p.done + ' done / ' + p.assigned + ' assigned'));
}

function renderItem() {
  const item = state.item;
  if (!item) {
    show(progressView(), el('div', { class: 'panel', id: 'all-done' },
      el('h1', {}, 'All done'), el('p', {}, 'Nothing is left for you in this set. Thank you!')));
    return;
  }
  const instructions = el('details', { class: 'panel', id: 'instructions', open: state.progress.done === 0 },
    el('summary', {}, 'Instructions (version ' + item.instructionsVersion + ')'),
    el('div', { class: 'instructions', id: 'instructions-text' }, markdown(item.instructions)));
  const criterion = el('p', {},
    el('span', { class: 'criterion' }, 'Criterion: ' + item.criterion),
    item.criterionText ? ' — ' + item.criterionText : '');
  const prompt = el('div', { class: 'panel' }, el('h2', {}, 'Prompt'), el('div', { class: 'prompt', id: 'prompt' }, item.prompt));
  const comment = el('textarea', { id: 'comment', placeholder: 'Comment (optional)', maxlength: 10000 });
  if (item.mode === 'thumbs') {
    show(progressView(), criterion, instructions, prompt,
      el('section', { class: 'card', tabindex: 0, id: 'card-1' },
        el('header', {}, el('span', { class: 'name' }, 'Completion')),
        el('div', { class: 'text' }, item.completions[0])),
      el('p', { class: 'keys' }, 'Keys: ', el('kbd', {}, 'U'), ' good, ', el('kbd', {}, 'D'), ' bad.'),
      comment,
      el('div', { class: 'actions' },
        el('button', { class: 'primary', id: 'thumb-up', onclick: () => rate(true) }, '👍 Good'),
        el('button', { id: 'thumb-down', onclick: () => rate(false) }, '👎 Bad'),
        el('button', { id: 'skip', onclick: skip }, 'Skip')));
    return;
  }
  const n = item.completions.length;
  const cards = el('div', { class: 'cards', id: 'cards' },
    item.completions.map((text, i) => el('section', {
      class: 'card', tabindex: 0, id: 'card-' + (i + 1), 'data-index': i, draggable: 'true',
      onfocus: () => { state.focus = i; },
      ondragstart: (event) => event.dataTransfer.setData('text/plain', String(i)),
    },
    el('header', {},
      el('span', { class: 'name' }, 'Completion ' + LETTERS[i]),
      el('span', { class: 'badge', id: 'badge-' + (i + 1) }),
      el('span', { class: 'choices' },
        Array.from({ length: n }, (_, r) => el('button', {
          class: 'choice', 'data-rank': r + 1, title: 'Rank ' + (r + 1),
          onclick: () => place(i, r + 1),
        }, String(r + 1))),
        el('button', { class: 'choice flag', 'data-rank': 'F', title: 'Flag as nonsensical / unrankable',
          onclick: () => place(i, 'F') }, 'F'))),
    el('div', { class: 'text' }, text))));
  const submit = el('button', { class: 'primary', id: 'submit', onclick: submitRanking }, 'Submit ranking');
  show(progressView(), criterion, instructions, prompt,
    el('p', { class: 'keys' }, 'Rank best to worst. Keys: ', el('kbd', {}, '↑'), el('kbd', {}, '↓'),
      ' move, ', el('kbd', {}, '1'), '…', el('kbd', {}, String(Math.min(n, 9))), ' rank, ', el('kbd', {}, 'F'),
      ' flag as nonsense, ', el('kbd', {}, '0'), ' clear, ', el('kbd', {}, 'Enter'),
      ' submit. Or drag completions onto the ranking board.'),
    el('div', { class: 'panel' }, el('h2', {}, 'Ranking'), el('div', { class: 'board', id: 'board' }),
      el('div', { id: 'tie-notice' })),
    cards, comment,
    el('div', { class: 'actions' }, submit, el('button', { id: 'skip', onclick: skip }, 'Skip'),
      el('span', { class: 'muted', id: 'status' })));
  renderPlacements();
  document.getElementById('card-1').focus();
}

/** Sets completion i's placement: a rank 1..N, 'F' (flag), or null (clear). */
function place(i, placement) {
  state.placements[i] = placement;
  renderPlacements();
}

function renderPlacements() {
  const n = state.placements.length;
  state.placements.forEach((p, i) => {
    const badge = document.getElementById('badge-' + (i + 1));
    badge.textContent = p === null ? 'unranked' : p === 'F' ? 'flagged' : 'rank ' + p;
    badge.className = 'badge' + (p === null ? ' unranked' : p === 'F' ? ' flag' : '');
    const card = document.getElementById('card-' + (i + 1));
    card.classList.toggle('flagged', p === 'F');
    for (const button of card.querySelectorAll('.choice')) {
      button.setAttribute('aria-pressed', String(button.dataset.rank === String(p)));
    }
  });
  // the board: one drop zone per rank, one for flagged, one for unranked
  const board = document.getElementById('board');
  const slot = (label, value) => {
    const zone = el('div', { class: 'slot', 'data-slot': value === null ? 'none' : value },
      el('span', { class: 'label' }, label),
      state.placements.map((p, i) => (p === value ? el('span', {
        class: 'chip' + (value === 'F' ? ' flag' : value === null ? ' none' : ''), draggable: 'true',
        title: 'Completion ' + LETTERS[i], ondragstart: (event) => event.dataTransfer.setData('text/plain', String(i)),
      }, LETTERS[i]) : null)));
    zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      const i = Number(event.dataTransfer.getData('text/plain'));
      if (Number.isInteger(i) && i >= 0 && i < n) place(i, value);
    });
    return zone;
  };
  board.replaceChildren(
    ...Array.from({ length: n }, (_, r) => slot(r === 0 ? '1 (best)' : r === n - 1 ? n + ' (worst)' : String(r + 1), r + 1)),
    slot('Flagged', 'F'), slot('Unranked', null));
  // ties are allowed, but should be rare
  const byRank = new Map();
  state.placements.forEach((p, i) => {
    if (typeof p === 'number') byRank.set(p, (byRank.get(p) || []).concat(LETTERS[i]));
  });
  const ties = [...byRank.entries()].filter(([, letters]) => letters.length > 1);
  const notice = document.getElementById('tie-notice');
  notice.replaceChildren(...ties.map(([rank, letters]) => el('p', { class: 'notice' },
    'Tie: ' + letters.join(' and ') + ' share rank ' + rank + '. Ties are allowed, but use them sparingly: '
    + 'only when you truly cannot prefer one.')));
  const complete = state.placements.every((p) => p !== null);
  document.getElementById('submit').disabled = !complete;
  document.getElementById('status').textContent = complete ? '' : state.placements.filter((p) => p === null).length
    + ' still to rank or flag';
}

async function submitRanking() {
  if (!state.placements.every((p) => p !== null)) return;
  await send('/labels', { placements: state.placements });
}

async function skip() {
  await send('/labels', { skip: true });
}

async function rate(up) {
  await send('/thumbs', { up });
}

async function send(path, fields) {
  const item = state.item;
  const comment = document.getElementById('comment').value;
  const body = Object.assign({ promptId: item.promptId, instructionsVersion: item.instructionsVersion }, fields);
  if (comment.trim()) body.comment = comment;
  for (const b of document.querySelectorAll('.actions button')) b.disabled = true;
  try {
    await api('POST', '/api/sets/' + state.setId + path, body);
    toast('Saved', true);
    await loadNext();
  } catch (error) {
    for (const b of document.querySelectorAll('.actions button')) b.disabled = false;
    if (document.getElementById('submit')) renderPlacements();
    failed(error);
  }
}

document.addEventListener('keydown', (event) => {
  const target = event.target;
  if (!state.item || event.altKey || event.ctrlKey || event.metaKey) return;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement) return;
  if (state.item.mode === 'thumbs') {
    if (event.key === 'u' || event.key === 'U') { event.preventDefault(); rate(true); }
    if (event.key === 'd' || event.key === 'D') { event.preventDefault(); rate(false); }
    return;
  }
  const n = state.placements.length;
  const focusCard = (i) => {
    state.focus = Math.max(0, Math.min(n - 1, i));
    document.getElementById('card-' + (state.focus + 1)).focus();
  };
  if (event.key === 'ArrowDown' || event.key === 'j') { event.preventDefault(); focusCard(state.focus + 1); }
  else if (event.key === 'ArrowUp' || event.key === 'k') { event.preventDefault(); focusCard(state.focus - 1); }
  else if (/^[1-9]$/.test(event.key) && Number(event.key) <= n) {
    event.preventDefault();
    place(state.focus, Number(event.key));
    focusCard(state.focus + 1);
  } else if (event.key === 'f' || event.key === 'F') {
    event.preventDefault();
    place(state.focus, 'F');
    focusCard(state.focus + 1);
  } else if (event.key === '0' || event.key === 'Backspace' || event.key === 'Delete') {
    event.preventDefault();
    place(state.focus, null);
  } else if (event.key === 'Enter' && !(target instanceof HTMLButtonElement)) {
    event.preventDefault();
    submitRanking();
  }
});

// ---- admin ------------------------------------------------------------------------------------

async function showAdmin() {
  const [labelers, sets] = await Promise.all([api('GET', '/api/admin/labelers'), api('GET', '/api/sets')]);
  const name = el('input', { type: 'text', id: 'new-labeler', placeholder: 'name' });
  const isAdmin = el('input', { type: 'checkbox', id: 'new-admin' });
  const invite = el('div', { id: 'invite' });
  const add = el('button', { class: 'primary', id: 'add-labeler' }, 'Create and get invite link');
  add.addEventListener('click', async () => {
    try {
      const created = await api('POST', '/api/admin/labelers', { name: name.value, admin: isAdmin.checked });
      await showAdmin();
      showInvite(created);
    } catch (error) { failed(error); }
  });
  const rows = labelers.map((l) => el('tr', {},
    el('td', {}, l.name), el('td', {}, l.role), el('td', {}, l.disabled ? 'disabled' : l.signedIn ? 'signed in' : 'invited'),
    el('td', {}, l.progress.map((p) => el('div', {}, p.set + ': ' + p.done + ' / ' + p.assigned))),
    el('td', {},
      el('button', { onclick: async () => {
        try { showInvite(await api('POST', '/api/admin/labelers/' + l.id + '/invite')); } catch (e) { failed(e); }
      } }, 'New invite'), ' ',
      l.id === state.me.id ? null : el('button', { onclick: async () => {
        try { await api('POST', '/api/admin/labelers/' + l.id + '/disabled', { disabled: !l.disabled }); await showAdmin(); }
        catch (e) { failed(e); }
      } }, l.disabled ? 'Enable' : 'Disable'))));
  const setPanels = sets.map((s) => {
    const text = el('textarea', { placeholder: 'New instructions (Markdown or plain text)' });
    const report = el('pre', { class: 'report' });
    return el('div', { class: 'panel' },
      el('h2', {}, s.name + ' — ' + s.criterion),
      el('details', {}, el('summary', {}, 'Publish new instructions'), text,
        el('button', { onclick: async () => {
          try {
            const v = await api('POST', '/api/admin/sets/' + s.id + '/instructions', { text: text.value });
            toast('Instructions version ' + v.version + ' published', true);
          } catch (e) { failed(e); }
        } }, 'Publish')),
      el('button', { onclick: async () => {
        try { report.textContent = (await api('GET', '/api/admin/sets/' + s.id + '/report')).text; } catch (e) { failed(e); }
      } }, 'Agreement report'), report);
  });
  show(
    el('div', { class: 'panel' }, el('h1', {}, 'Labelers'),
      el('table', {}, el('thead', {}, el('tr', {}, ['Name', 'Role', 'State', 'Done / assigned', ''].map((h) => el('th', {}, h)))),
        el('tbody', { id: 'labelers' }, rows)),
      el('h2', {}, 'Invite a labeler'), name, el('label', {}, isAdmin, ' admin'), ' ', add, invite),
    ...setPanels);
}

function showInvite(created) {
  document.getElementById('invite').replaceChildren(el('p', {},
    'One-time invite link for ' + created.name + ' (shown once; send it privately): ',
    el('span', { class: 'link', id: 'invite-link' }, created.inviteLink)));
}

window.addEventListener('DOMContentLoaded', route);
