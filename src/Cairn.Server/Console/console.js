// Cairn's web console: one page, routed by the URL's fragment (#/buckets, #/b/BUCKET/PREFIX,
// #/o/BUCKET/KEY, #/settings/BUCKET, #/users, #/usage, #/work). Everything it shows comes from a
// signed call (s3.js); everything it writes into the page goes in as text (el()), never as markup.

import { CairnClient, CallError } from './s3.js';

const main = document.getElementById('main');
const statusLine = document.getElementById('status');

let client = null;
let isRoot = false;

// --- small helpers ------------------------------------------------------------------------------

/** An element with attributes (on* as listeners) and children (strings become text nodes). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function show(...nodes) {
  main.replaceChildren(...nodes);
}

function say(message, kind = '') {
  statusLine.replaceChildren(el('span', { class: kind }, message));
}

function failed(error) {
  say(error instanceof CallError ? `${error.code} (${error.status}): ${error.message.replace(/^[^:]*: /, '')}` : String(error), 'error');
}

/**
 * Runs an action with the status line telling what happens; errors land there too. When the action
 * succeeds, then() runs before the status says so (a view reloaded shows what the server now holds).
 */
async function act(doing, action, done, then) {
  say(doing + '…');
  try {
    const result = await action();
    if (then) await then(result);
    say(done ?? 'Done.', 'ok');
    return result;
  } catch (error) {
    failed(error);
    return undefined;
  }
}

function bytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function count(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function table(headers, rows, attributes = {}) {
  return el('table', attributes,
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { class: /^(Size|Bytes|Objects|Versions|Seq|Pending|Keys)/.test(h) ? 'number' : '' }, h)))),
    el('tbody', {}, rows));
}

function rootOnly(what) {
  return el('p', { class: 'muted' }, `${what} needs the root credentials; these keys belong to a user.`);
}

const segment = value => encodeURIComponent(value);

// --- signing in --------------------------------------------------------------------------------

async function region() {
  const settings = await (await fetch('settings.json', { cache: 'no-store' })).json();
  return settings.region;
}

function signInView(message) {
  const accessKey = el('input', { type: 'text', id: 'access-key', name: 'access-key', autocomplete: 'username', required: true, spellcheck: 'false' });
  const secretKey = el('input', { type: 'password', id: 'secret-key', name: 'secret-key', autocomplete: 'current-password', required: true });
  const error = el('p', { class: 'error', id: 'sign-in-error' }, message ?? '');
  const form = el('form', { class: 'login', id: 'sign-in' },
    el('h1', {}, 'Sign in'),
    el('p', { class: 'muted' }, 'With an access key of the root credentials or of a user. The keys stay in this tab and sign each call; they are never sent.'),
    el('label', {}, 'Access key', accessKey),
    el('label', {}, 'Secret key', secretKey),
    el('button', { type: 'submit' }, 'Sign in'),
    error);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.textContent = '';
    try {
      await signIn(accessKey.value.trim(), secretKey.value, await region());
      await go('#/buckets');
    } catch (failure) {
      error.textContent = failure instanceof CallError ? `${failure.code}: ${failure.message.replace(/^[^:]*: /, '')}` : String(failure);
    }
  });
  shownRequest++; // nothing started before shows over the form
  document.getElementById('nav').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('who').textContent = '';
  show(form);
  accessKey.focus();
}

async function signIn(accessKey, secretKey, regionName) {
  const candidate = new CairnClient(accessKey, secretKey, regionName);
  await candidate.listBuckets(); // proves the keys
  try {
    await candidate.admin('GET', 'users');
    isRoot = true;
  } catch (error) {
    if (!(error instanceof CallError && error.status === 403)) throw error;
    isRoot = false;
  }
  client = candidate; // in this page's memory only: a reload asks again, and nothing of the keys is stored
  document.getElementById('nav').hidden = false;
  document.getElementById('sign-out').hidden = false;
  document.getElementById('who').textContent = `${accessKey}${isRoot ? ' (root)' : ''}`;
}

function signOut() {
  client = null;
  history.replaceState(null, '', location.pathname); // no hash change, so no second form over this one
  signInView('Signed out.');
}

// --- buckets -------------------------------------------------------------------------------------

async function bucketsView() {
  const buckets = await client.listBuckets();
  const name = el('input', { type: 'text', id: 'new-bucket', placeholder: 'new-bucket-name', required: true, spellcheck: 'false' });
  const create = el('form', { class: 'inline', id: 'create-bucket' }, name, el('button', { type: 'submit' }, 'Create bucket'));
  create.addEventListener('submit', async event => {
    event.preventDefault();
    await act(`Creating ${name.value}`, () => client.createBucket(name.value.trim()), `Bucket ${name.value.trim()} created.`, route);
  });
  return [
    el('h1', {}, 'Buckets'),
    create,
    buckets.length === 0 ? el('p', { class: 'muted' }, 'No buckets yet.') : table(['Name', 'Created', ''], buckets.map(b => el('tr', { 'data-bucket': b.name },
      el('td', {}, el('a', { href: `#/b/${segment(b.name)}/` }, b.name)),
      el('td', {}, when(b.created)),
      el('td', {}, el('a', { href: `#/settings/${segment(b.name)}` }, 'Settings'), ' ',
        el('button', { type: 'button', class: 'danger', onclick: () => deleteBucket(b.name) }, 'Delete')))))];
}

async function deleteBucket(bucket) {
  if (!confirm(`Delete the bucket ${bucket}? It must be empty.`)) return;
  await act(`Deleting ${bucket}`, () => client.deleteBucket(bucket), `Bucket ${bucket} deleted.`, () => go('#/buckets'));
}

// --- objects -------------------------------------------------------------------------------------

function crumbs(bucket, prefix) {
  const parts = prefix.split('/').filter(Boolean);
  const links = [el('a', { href: '#/buckets' }, 'Buckets'), '/', el('a', { href: `#/b/${segment(bucket)}/` }, bucket)];
  let path = '';
  for (const part of parts) {
    path += part + '/';
    links.push('/', el('a', { href: `#/b/${segment(bucket)}/${segment(path)}` }, part));
  }
  return el('p', { class: 'crumbs' }, links);
}

async function download(bucket, key, versionId) {
  const url = new URL(await client.presignDownload(bucket, key, versionId), location.origin);
  if (url.origin !== location.origin) {
    throw new Error('A download link must stay on this server.');
  }
  const link = el('a', { href: url.href, download: key.split('/').pop() || 'download' });
  document.body.append(link);
  link.click();
  link.remove();
}

async function objectsView(bucket, prefix) {
  const list = el('div', { id: 'listing' });
  const files = el('input', { type: 'file', id: 'upload-files', multiple: true });
  const upload = el('form', { class: 'inline', id: 'upload' }, el('span', {}, `Upload to ${prefix || '/'}:`), files,
    el('button', { type: 'submit' }, 'Upload'));
  upload.addEventListener('submit', async event => {
    event.preventDefault();
    const chosen = [...files.files];
    for (const [index, file] of chosen.entries()) {
      const ok = await act(`Uploading ${file.name} (${index + 1} of ${chosen.length}, ${bytes(file.size)})`,
        () => client.putObject(bucket, prefix + file.name, file), `Uploaded ${file.name}.`);
      if (!ok) return;
    }
    if (chosen.length > 0) {
      say(`Uploaded ${chosen.length} file${chosen.length === 1 ? '' : 's'}.`, 'ok');
      route();
    }
  });
  const filter = el('input', { type: 'text', id: 'prefix-filter', placeholder: 'go to prefix…', value: prefix, spellcheck: 'false' });
  const goTo = el('form', { class: 'inline' }, filter, el('button', { type: 'submit', class: 'secondary' }, 'Go'));
  goTo.addEventListener('submit', event => {
    event.preventDefault();
    go(`#/b/${segment(bucket)}/${segment(filter.value)}`);
  });
  await listMore(bucket, prefix, list, undefined);
  return [el('h1', {}, bucket), crumbs(bucket, prefix),
    el('p', {}, el('a', { href: `#/settings/${segment(bucket)}` }, 'Bucket settings')), upload, goTo, list];
}

async function listMore(bucket, prefix, list, token) {
  const page = await client.listObjects(bucket, prefix, token);
  const rows = [
    ...page.folders.map(folder => el('tr', { 'data-prefix': folder },
      el('td', {}, el('a', { href: `#/b/${segment(bucket)}/${segment(folder)}` }, folder.slice(prefix.length))),
      el('td', {}, ''), el('td', {}, ''), el('td', {}, ''))),
    ...page.objects.map(o => el('tr', { 'data-key': o.key },
      el('td', {}, el('a', { href: `#/o/${segment(bucket)}/${segment(o.key)}` }, o.key.slice(prefix.length) || o.key)),
      el('td', { class: 'number' }, bytes(o.size)),
      el('td', {}, when(o.modified)),
      el('td', {},
        el('button', { type: 'button', class: 'secondary', onclick: () => act(`Preparing ${o.key}`, () => download(bucket, o.key), 'Download started.') }, 'Download'), ' ',
        el('button', { type: 'button', class: 'danger', onclick: () => deleteObject(bucket, o.key) }, 'Delete')))),
  ];
  list.querySelector('#more')?.remove();
  const body = list.querySelector('tbody');
  if (body) {
    body.append(...rows);
  } else {
    list.replaceChildren(rows.length === 0 && !page.next ? el('p', { class: 'muted', id: 'empty' }, 'Nothing under this prefix.')
      : table(['Name', 'Size', 'Modified', ''], rows, { id: 'objects' }));
  }
  if (page.next) {
    const more = el('button', { type: 'button', class: 'secondary', id: 'more', onclick: () => {
      more.disabled = true; // one page at a time, however often it is clicked
      act('Listing more', () => listMore(bucket, prefix, list, page.next), 'Listed.').then(() => { more.disabled = false; });
    } }, 'More');
    list.append(more);
  }
}

async function deleteObject(bucket, key, versionId, then = route) {
  const what = versionId ? `version ${versionId} of ${key}` : key;
  if (!confirm(`Delete ${what}?`)) return;
  await act(`Deleting ${what}`, () => client.deleteObject(bucket, key, versionId), `Deleted ${what}.`, then);
}

const HIDDEN_HEADERS = new Set(['date', 'server', 'connection', 'keep-alive', 'transfer-encoding', 'accept-ranges', 'x-amz-request-id', 'x-amz-id-2']);

async function objectView(bucket, key) {
  const [headers, tags, versions] = await Promise.all([
    client.headObject(bucket, key).catch(error => error),
    client.getTags(bucket, key).catch(error => error),
    client.listVersions(bucket, key).catch(error => error),
  ]);
  const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
  const tagRows = el('tbody');
  const addTagRow = (tag = { key: '', value: '' }) => tagRows.append(el('tr', {},
    el('td', {}, el('input', { type: 'text', class: 'tag-key', value: tag.key })),
    el('td', {}, el('input', { type: 'text', class: 'tag-value', value: tag.value })),
    el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: event => event.target.closest('tr').remove() }, 'Remove'))));
  if (Array.isArray(tags)) tags.forEach(addTagRow);
  const saveTags = () => act('Saving tags', () => client.putTags(bucket, key, [...tagRows.children].map(row => ({
    key: row.querySelector('.tag-key').value, value: row.querySelector('.tag-value').value,
  })).filter(tag => tag.key !== '')), 'Tags saved.');
  return [
    el('h1', { class: 'mono' }, key), crumbs(bucket, folder),
    el('div', { class: 'row' },
      el('button', { type: 'button', id: 'download', onclick: () => act(`Preparing ${key}`, () => download(bucket, key), 'Download started.') }, 'Download'),
      // Deleted from its own page: back to its folder (in a versioned bucket its versions stay listed there).
      el('button', { type: 'button', class: 'danger', onclick: () => deleteObject(bucket, key, undefined, () => go(`#/b/${segment(bucket)}/${segment(folder)}`)) }, 'Delete')),
    el('h2', {}, 'Metadata'),
    Array.isArray(headers)
      ? table(['Header', 'Value'], headers.filter(([name]) => !HIDDEN_HEADERS.has(name)).map(([name, value]) =>
        el('tr', {}, el('td', { class: 'mono' }, name), el('td', { class: 'mono' }, value))), { id: 'metadata' })
      : el('p', { class: 'error' }, `The current version cannot be read: ${headers.message}`),
    el('h2', {}, 'Tags'),
    Array.isArray(tags)
      ? el('div', {}, el('table', { id: 'tags' }, el('thead', {}, el('tr', {}, el('th', {}, 'Key'), el('th', {}, 'Value'), el('th', {}, ''))), tagRows),
        el('div', { class: 'row' }, el('button', { type: 'button', class: 'secondary', onclick: () => addTagRow() }, 'Add tag'),
          el('button', { type: 'button', id: 'save-tags', onclick: saveTags }, 'Save tags')))
      : el('p', { class: 'muted' }, `No tags to show: ${tags.message}`),
    el('h2', {}, 'Versions'),
    Array.isArray(versions)
      ? table(['Version', 'Size', 'Modified', ''], versions.map(v => el('tr', { 'data-version': v.versionId },
        el('td', { class: 'mono' }, v.versionId, v.latest ? ' (current)' : '', v.deleteMarker ? ' delete marker' : ''),
        el('td', { class: 'number' }, bytes(v.size)),
        el('td', {}, when(v.modified)),
        el('td', {}, v.deleteMarker ? '' : el('button', { type: 'button', class: 'secondary', onclick: () => act('Preparing download', () => download(bucket, key, v.versionId), 'Download started.') }, 'Download'), ' ',
          el('button', { type: 'button', class: 'danger', onclick: () => deleteObject(bucket, key, v.versionId) }, 'Delete version')))), { id: 'versions' })
      : el('p', { class: 'muted' }, versions.message)];
}

// --- bucket settings -----------------------------------------------------------------------------

function documentEditor(id, label, loaded, save, remove) {
  const area = el('textarea', { id, spellcheck: 'false', 'aria-label': label });
  area.value = loaded ?? '';
  return el('div', {}, area, el('div', { class: 'row' },
    el('button', { type: 'button', id: `${id}-save`, onclick: () => save(area.value) }, `Save ${label.toLowerCase()}`),
    el('button', { type: 'button', class: 'danger', id: `${id}-delete`, onclick: remove }, `Delete ${label.toLowerCase()}`),
    loaded === null ? el('span', { class: 'muted' }, `No ${label.toLowerCase()} set.`) : ''));
}

async function settingsView(bucket) {
  const [versioning, lifecycle, policy] = await Promise.all([
    client.getVersioning(bucket),
    client.getConfiguration(bucket, 'lifecycle', 'NoSuchLifecycleConfiguration').catch(error => error),
    client.getConfiguration(bucket, 'policy', 'NoSuchBucketPolicy').catch(error => error),
  ]);
  const setVersioning = status => act(`Setting versioning to ${status}`, () => client.putVersioning(bucket, status), `Versioning ${status}.`, route);
  const tree = el('div', { id: 'tree' });
  if (!isRoot) {
    tree.append(rootOnly('The bucket root'));
  } else {
    await fillTree(bucket, tree);
  }
  return [
    el('h1', {}, `${bucket}: settings`),
    el('p', { class: 'crumbs' }, el('a', { href: '#/buckets' }, 'Buckets'), '/', el('a', { href: `#/b/${segment(bucket)}/` }, bucket)),
    el('h2', {}, 'Versioning'),
    el('div', { class: 'row' }, el('span', { id: 'versioning-status' }, versioning),
      el('button', { type: 'button', id: 'versioning-enable', disabled: versioning === 'Enabled', onclick: () => setVersioning('Enabled') }, 'Enable'),
      el('button', { type: 'button', class: 'secondary', id: 'versioning-suspend', disabled: versioning !== 'Enabled', onclick: () => setVersioning('Suspended') }, 'Suspend')),
    el('h2', {}, 'Lifecycle'),
    lifecycle instanceof Error ? el('p', { class: 'error' }, lifecycle.message) : documentEditor('lifecycle', 'Lifecycle', lifecycle ?? null,
      body => act('Saving the lifecycle', () => client.putConfiguration(bucket, 'lifecycle', body, 'application/xml'), 'Lifecycle saved.', route),
      () => act('Deleting the lifecycle', () => client.deleteConfiguration(bucket, 'lifecycle'), 'Lifecycle deleted.', route)),
    el('h2', {}, 'Policy'),
    policy instanceof Error ? el('p', { class: 'error' }, policy.message) : documentEditor('policy', 'Policy', policy ?? null,
      body => act('Saving the policy', () => client.putConfiguration(bucket, 'policy', body, 'application/json'), 'Policy saved.', route),
      () => act('Deleting the policy', () => client.deleteConfiguration(bucket, 'policy'), 'Policy deleted.', route)),
    el('h2', {}, 'Bucket root'),
    tree,
    el('h2', {}, 'Delete'),
    el('button', { type: 'button', class: 'danger', id: 'delete-bucket', onclick: () => deleteBucket(bucket) }, 'Delete bucket')];
}

/** The bucket's latest commit (the journal folded to now first) and its Verify button. */
async function fillTree(bucket, tree) {
  const showHead = head => tree.replaceChildren(
    table(['Seq', 'Commit', 'Root', 'Committed'], [el('tr', {}, el('td', { class: 'number', id: 'tree-seq' }, head.seq), el('td', { class: 'mono' }, head.commit),
      el('td', { class: 'mono', id: 'tree-root' }, head.root), el('td', {}, when(head.committedAt)))]),
    el('div', { class: 'row' },
      el('button', { type: 'button', id: 'verify', onclick: () => verify(bucket, result) }, 'Verify'),
      el('span', {}, 'Folds the journal up to now, then checks every stored block of the bucket against this root.')),
    result);
  const result = el('div', { id: 'verify-result' });
  try {
    showHead(await client.admin('GET', `buckets/${segment(bucket)}/tree`, { flush: 'true' }));
  } catch (error) {
    tree.replaceChildren(el('p', { class: 'muted' }, error.message));
  }
}

async function verify(bucket, result) {
  result.replaceChildren(el('p', { class: 'muted' }, 'Verifying…'));
  const found = await act(`Verifying ${bucket}`, () => client.admin('GET', `buckets/${segment(bucket)}/verify`), 'Verification finished.');
  if (!found) {
    result.replaceChildren();
    return;
  }
  result.replaceChildren(
    el('p', { class: found.valid ? 'ok' : 'error', id: 'verify-outcome' }, found.valid
      ? `Verified: seq ${found.seq}, root ${found.root}; ${count(found.keys, 'key')}, ${count(found.manifests, 'manifest')}, ${count(found.chunks, 'chunk')}, ${bytes(found.bytes)}.`
      : `Does not verify at seq ${found.seq} (${found.errors.length} problems).`),
    found.errors.length ? el('ul', {}, found.errors.map(e => el('li', { class: 'mono' }, e))) : '');
}

// --- users and keys ------------------------------------------------------------------------------

function newKeyBox(made) {
  return el('div', { class: 'secret', id: 'new-key' },
    el('p', {}, `New key for ${made.user}. The secret is shown this once: copy it now.`),
    el('p', { class: 'mono' }, 'access key: ', el('span', { id: 'new-access-key' }, made.accessKey)),
    el('p', { class: 'mono' }, 'secret key: ', el('span', { id: 'new-secret-key' }, made.secretKey)));
}

async function usersView(made) {
  if (!isRoot) {
    return [el('h1', {}, 'Users and keys'), rootOnly('Managing users and keys')];
  }
  const [{ users }, { keys }] = await Promise.all([client.admin('GET', 'users'), client.admin('GET', 'keys')]);
  const name = el('input', { type: 'text', id: 'new-user', placeholder: 'user name', required: true, spellcheck: 'false' });
  const add = el('form', { class: 'inline', id: 'add-user' }, name, el('button', { type: 'submit' }, 'Add user'));
  add.addEventListener('submit', async event => {
    event.preventDefault();
    const created = await act(`Adding ${name.value}`, () => client.admin('POST', `users/${segment(name.value.trim())}`), `User ${name.value.trim()} added.`);
    if (created) await render(() => usersView(created));
  });
  const keyAction = (label, path, method, confirmText, kind = 'secondary') => el('button', { type: 'button', class: kind, onclick: async () => {
    if (confirmText && !confirm(confirmText)) return;
    const answer = await act(`${label}…`, () => client.admin(method, path), `${label}: done.`);
    if (answer !== undefined) await render(() => usersView(answer && answer.secretKey ? answer : undefined));
  } }, label);
  return [
    el('h1', {}, 'Users and keys'),
    made ? newKeyBox(made) : '',
    add,
    el('h2', {}, 'Users'),
    users.length === 0 ? el('p', { class: 'muted' }, 'No users yet: only the root credentials.') : table(['Name', 'Created', ''], users.map(u => el('tr', { 'data-user': u.name },
      el('td', {}, u.name), el('td', {}, when(u.created)),
      el('td', {}, keyAction('Add key', `users/${segment(u.name)}/keys`, 'POST'), ' ',
        keyAction('Delete user', `users/${segment(u.name)}`, 'DELETE', `Delete the user ${u.name} and its keys?`, 'danger')))), { id: 'users' }),
    el('h2', {}, 'Access keys'),
    keys.length === 0 ? el('p', { class: 'muted' }, 'No user keys.') : table(['Access key', 'User', 'State', 'Created', ''], keys.map(k => el('tr', { 'data-access-key': k.accessKey },
      el('td', { class: 'mono' }, k.accessKey), el('td', {}, k.user), el('td', {}, k.active ? 'active' : 'disabled'), el('td', {}, when(k.created)),
      el('td', {}, k.active ? keyAction('Disable', `keys/${segment(k.accessKey)}/disable`, 'POST') : keyAction('Enable', `keys/${segment(k.accessKey)}/enable`, 'POST'), ' ',
        keyAction('Rotate', `keys/${segment(k.accessKey)}/rotate`, 'POST', `Make a new key for ${k.user} and disable ${k.accessKey}?`), ' ',
        keyAction('Delete', `keys/${segment(k.accessKey)}`, 'DELETE', `Delete the key ${k.accessKey}?`, 'danger')))), { id: 'keys' })];
}

// --- usage and background work -------------------------------------------------------------------

async function usageView() {
  if (!isRoot) {
    return [el('h1', {}, 'Usage'), rootOnly('Usage')];
  }
  const usage = await client.admin('GET', 'usage');
  return [el('h1', {}, 'Usage'),
    el('p', {}, `${usage.objects} objects, ${bytes(usage.bytes)}; ${usage.noncurrentVersions} noncurrent versions, ${bytes(usage.noncurrentBytes)}.`),
    table(['Bucket', 'Owner', 'Versioning', 'Objects', 'Bytes', 'Versions (noncurrent)', 'Delete markers'], usage.buckets.map(b => el('tr', { 'data-bucket': b.name },
      el('td', {}, el('a', { href: `#/b/${segment(b.name)}/` }, b.name)), el('td', {}, b.owner ?? 'root'), el('td', {}, b.versioning),
      el('td', { class: 'number' }, b.objects), el('td', { class: 'number' }, bytes(b.bytes)),
      el('td', { class: 'number' }, `${b.noncurrentVersions} (${bytes(b.noncurrentBytes)})`), el('td', { class: 'number' }, b.deleteMarkers))), { id: 'usage' })];
}

async function workView() {
  if (!isRoot) {
    return [el('h1', {}, 'Background work'), rootOnly('Background work')];
  }
  const work = await client.admin('GET', 'work');
  return [el('h1', {}, 'Background work'),
    el('div', { class: 'row' }, el('span', { class: 'muted' }, `Node ${work.node}, read at ${when(work.now)}.`),
      el('button', { type: 'button', class: 'secondary', onclick: route }, 'Refresh')),
    el('h2', {}, 'Delete queue'),
    el('p', { id: 'delete-queue' }, `${work.deleteQueue.pending} blobs waiting${work.deleteQueue.oldestDue ? `, the oldest due ${when(work.deleteQueue.oldestDue)}` : ''}.`),
    el('h2', {}, 'Packs and compaction'),
    el('p', { id: 'packs' }, `${work.packs.open} open, ${work.packs.sealed} sealed, ${work.packs.stored} stored, ${work.packs.retired} retired; `
      + `${bytes(work.packs.dataBytes)} of chunks, of which ${bytes(work.packs.deadBytes)} no longer needed (what compaction wins back).`),
    el('h2', {}, 'Lifecycle'),
    el('p', {}, `${work.lifecycle.keysDue} keys due now.`),
    work.lifecycle.buckets.length === 0 ? el('p', { class: 'muted' }, 'No bucket has a lifecycle configuration.')
      : table(['Bucket', 'Seq judged up to', 'Configured'], work.lifecycle.buckets.map(b => el('tr', {}, el('td', {}, b.bucket),
        el('td', { class: 'number' }, b.judgedUpToSeq), el('td', {}, when(b.configuredAt))))),
    el('h2', {}, 'Tree committer'),
    work.leases.some(l => l.name === 'tree-committer' && l.held) ? ''
      : el('p', { class: 'muted', id: 'committer-off' }, 'No node runs the tree committer now (Engine:TreeCommitter): trees are folded when asked, by a flush, an export or Verify.'),
    work.treesBehind.length === 0 ? el('p', { id: 'trees-behind' }, 'Every bucket\'s tree is folded up to its journal.')
      : table(['Bucket', 'Journal seq', 'Committed seq'], work.treesBehind.map(t => el('tr', {}, el('td', {}, t.bucket),
        el('td', { class: 'number' }, t.journalSeq), el('td', { class: 'number' }, t.committedSeq ?? 'none yet'))), { id: 'trees-behind' }),
    work.moreTreesBehind ? el('p', { class: 'muted' }, `The first ${work.treesBehind.length} by name; more buckets are behind.`) : '',
    el('h2', {}, 'Workers on this node'),
    table(['Worker', 'Runs here', 'Last step'], work.workers.map(w => el('tr', {}, el('td', {}, w.name), el('td', {}, w.heldHere ? 'yes' : 'no'),
      el('td', {}, w.status))), { id: 'workers' }),
    el('h2', {}, 'Leases'),
    table(['Lease', 'Holder', 'Expires', ''], work.leases.map(l => el('tr', {}, el('td', {}, l.name), el('td', { class: 'mono' }, l.holder),
      el('td', {}, when(l.expires)), el('td', {}, l.held ? 'held' : 'expired'))))];
}

// --- routing -------------------------------------------------------------------------------------

// Views are async (they read before they show); the page shows only the one asked for last, so a slow
// view finishing after a newer one (a click during a load) never replaces it.
let shownRequest = 0;

/** Shows what view() makes, unless another render or the sign-in form came after it; its failure goes to the status line. */
async function render(view) {
  const request = ++shownRequest;
  try {
    const nodes = await view();
    if (request === shownRequest) show(...nodes);
  } catch (error) {
    if (request !== shownRequest) return;
    failed(error);
    if (error instanceof CallError && error.code === 'InvalidAccessKeyId') {
      signOut();
    }
  }
}

/** Shows the view of hash: once, whether or not the page is there already (a hash change routes by itself). */
function go(hash) {
  if (location.hash === hash) return route();
  location.hash = hash;
  return Promise.resolve();
}

function route() {
  if (!client) {
    signInView();
    return Promise.resolve();
  }
  const hash = location.hash || '#/buckets';
  const [, view = 'buckets', first, ...rest] = hash.split('/');
  const decode = value => decodeURIComponent(value ?? '');
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('current', link.getAttribute('href') === `#/${view}`);
  }
  switch (view) {
    case 'b': return render(() => objectsView(decode(first), decode(rest.join('/'))));
    case 'o': return render(() => objectView(decode(first), decode(rest.join('/'))));
    case 'settings': return render(() => settingsView(decode(first)));
    case 'users': return render(() => usersView());
    case 'usage': return render(usageView);
    case 'work': return render(workView);
    default: return render(bucketsView);
  }
}

document.getElementById('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', route);

(async () => {
  route();
})();
