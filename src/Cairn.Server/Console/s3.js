// The console's client: every call to the S3 API and the admin API (/_cairn/...) signed with
// AWS Signature Version 4 in the browser, as any SDK signs. The server authorizes each call as it
// would the SDK's; the console has no other way in. Hashing is Web Crypto's where the browser gives
// it (secure contexts: HTTPS, localhost), else sha256.js's.

import { sha256, hmacSha256 } from './sha256.js';

const encoder = new TextEncoder();
const subtle = globalThis.crypto?.subtle;

const toBytes = data => (typeof data === 'string' ? encoder.encode(data) : data instanceof Uint8Array ? data : new Uint8Array(data));

/** The SHA-256 digest of a string or bytes, as an ArrayBuffer-backed Uint8Array. */
async function digest(data) {
  return subtle ? new Uint8Array(await subtle.digest('SHA-256', toBytes(data))) : sha256(toBytes(data));
}
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), b => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(data) {
  return hex(await digest(data));
}

async function hmac(key, text) {
  if (!subtle) {
    return hmacSha256(key, encoder.encode(text));
  }
  const imported = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', imported, encoder.encode(text)));
}

// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (uppercase).
export function uriEncode(text, keepSlash = false) {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

// What may stand first in a path as a bucket: S3 judges the name itself, but a name that is empty or
// starts otherwise (_cairn) would make the path one of the server's own, never a bucket's.
const BUCKET_LIKE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** The path of a bucket or an object, encoded once (path-style addressing). Throws for what no request can name. */
export function objectPath(bucket, key) {
  if (!BUCKET_LIKE.test(bucket)) {
    throw new CallError(400, 'InvalidBucketName', `'${bucket}' is not a bucket name.`);
  }
  if (key !== undefined && key.split('/').some(segment => segment === '.' || segment === '..')) {
    // Browsers resolve such segments in every URL they send, whatever the encoding: the request would name another key.
    throw new CallError(400, 'UnreachableKey', `A browser cannot name the key '${key}' (a '.' or '..' segment); use the CLI or an SDK.`);
  }
  return '/' + uriEncode(bucket) + (key === undefined ? '' : '/' + uriEncode(key, true));
}

function amzDate(now) {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function canonicalQuery(query) {
  return Object.entries(query)
    .map(([name, value]) => [uriEncode(name), uriEncode(value ?? '')])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([name, value]) => name + '=' + value)
    .join('&');
}

/** A failed call: the S3 or admin error code, the message and the HTTP status. */
export class CallError extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

async function errorOf(response) {
  const text = await response.text();
  if ((response.headers.get('content-type') || '').includes('json')) {
    try {
      const body = JSON.parse(text);
      return new CallError(response.status, body.code || String(response.status), body.message || response.statusText);
    } catch { /* not JSON after all: fall through */ }
  }
  const xml = text && new DOMParser().parseFromString(text, 'application/xml');
  const code = xml && xml.getElementsByTagName('Code')[0]?.textContent;
  const message = xml && xml.getElementsByTagName('Message')[0]?.textContent;
  return new CallError(response.status, code || String(response.status), message || response.statusText || 'the call failed');
}

export class CairnClient {
  constructor(accessKey, secretKey, region) {
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.region = region;
    this.signingKeys = new Map();
  }

  async signingKey(date) {
    let key = this.signingKeys.get(date);
    if (!key) {
      key = await hmac(encoder.encode('AWS4' + this.secretKey), date);
      for (const part of [this.region, 's3', 'aws4_request']) {
        key = await hmac(key, part);
      }
      this.signingKeys.set(date, key);
    }
    return key;
  }

  async signature(date, time, canonicalRequest) {
    const scope = `${date}/${this.region}/s3/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', time, scope, await sha256Hex(canonicalRequest)].join('\n');
    return { scope, signature: hex(await hmac(await this.signingKey(date), stringToSign)) };
  }

  /**
   * Sends one signed request. path: already encoded (objectPath); query: names to values;
   * headers: extra headers to send and sign; body: a string, bytes, or a File/Blob (sent as
   * UNSIGNED-PAYLOAD, not read twice). Answers the Response; a failure throws CallError.
   */
  async call(method, path, { query = {}, headers = {}, body } = {}) {
    const now = new Date();
    const time = amzDate(now);
    const date = time.slice(0, 8);
    let payloadHash = EMPTY_SHA256;
    const all = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), String(v).trim()]));
    if (body instanceof Blob) {
      payloadHash = 'UNSIGNED-PAYLOAD'; // a file: read once, by the upload
    } else if (body !== undefined && body !== null) {
      // A configuration document: S3 asks some of them (lifecycle, ...) for an integrity header; SHA-256 serves both.
      const hash = await digest(body);
      payloadHash = hex(hash);
      all['x-amz-checksum-sha256'] = btoa(String.fromCharCode(...hash));
    }
    Object.assign(all, { host: location.host, 'x-amz-date': time, 'x-amz-content-sha256': payloadHash });
    const names = Object.keys(all).sort();
    const search = canonicalQuery(query);
    const canonicalRequest = [method, path, search, names.map(n => `${n}:${all[n]}\n`).join(''), names.join(';'), payloadHash].join('\n');
    const { scope, signature } = await this.signature(date, time, canonicalRequest);
    const sent = { ...all };
    delete sent.host; // the browser sends the one it signed (this page's)
    sent.authorization = `AWS4-HMAC-SHA256 Credential=${this.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
    const response = await fetch(path + (search ? '?' + search : ''), { method, headers: sent, body, cache: 'no-store' });
    if (!response.ok) {
      throw await errorOf(response);
    }
    return response;
  }

  /** A presigned GET of an object that the browser saves as a file (its name the key's last part). */
  async presignDownload(bucket, key, versionId, expiresSeconds = 300) {
    const now = new Date();
    const time = amzDate(now);
    const date = time.slice(0, 8);
    const fileName = key.split('/').pop() || 'download';
    const query = {
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${this.accessKey}/${date}/${this.region}/s3/aws4_request`,
      'X-Amz-Date': time,
      'X-Amz-Expires': String(expiresSeconds),
      'X-Amz-SignedHeaders': 'host',
      'response-content-disposition': `attachment; filename*=UTF-8''${uriEncode(fileName)}`,
    };
    if (versionId) {
      query.versionId = versionId;
    }
    const path = objectPath(bucket, key);
    const search = canonicalQuery(query);
    const canonicalRequest = ['GET', path, search, `host:${location.host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
    const { signature } = await this.signature(date, time, canonicalRequest);
    return `${path}?${search}&X-Amz-Signature=${signature}`;
  }

  async xml(method, path, options) {
    const text = await (await this.call(method, path, options)).text();
    const xml = new DOMParser().parseFromString(text, 'application/xml');
    if (xml.getElementsByTagName('parsererror').length > 0) {
      throw new CallError(200, 'UnreadableAnswer', 'The server\'s answer is not XML this page can read.');
    }
    return xml;
  }

  async json(method, path, options) {
    const response = await this.call(method, path, options);
    return response.status === 204 ? null : response.json();
  }

  // --- S3 calls -------------------------------------------------------------------------

  async listBuckets() {
    const xml = await this.xml('GET', '/');
    return children(xml, 'Bucket').map(b => ({ name: text(b, 'Name'), created: text(b, 'CreationDate') }));
  }

  createBucket(bucket) { return this.call('PUT', objectPath(bucket)); }

  deleteBucket(bucket) { return this.call('DELETE', objectPath(bucket)); }

  async listObjects(bucket, prefix, continuationToken) {
    const query = { 'list-type': '2', delimiter: '/', prefix, 'max-keys': '200' };
    if (continuationToken) {
      query['continuation-token'] = continuationToken;
    }
    const xml = await this.xml('GET', objectPath(bucket), { query });
    return {
      folders: children(xml, 'CommonPrefixes').map(p => text(p, 'Prefix')),
      objects: children(xml, 'Contents').map(c => ({
        key: text(c, 'Key'), size: Number(text(c, 'Size')), modified: text(c, 'LastModified'), etag: text(c, 'ETag'),
      })),
      next: text(xml.documentElement, 'NextContinuationToken'),
    };
  }

  /** Every version and delete marker of exactly this key, newest first (page after page; keys after it end the walk). */
  async listVersions(bucket, key) {
    const versions = [];
    const query = { versions: '', prefix: key, 'max-keys': '1000' };
    for (;;) {
      const xml = await this.xml('GET', objectPath(bucket), { query });
      const entries = [...xml.documentElement.children].filter(e => e.localName === 'Version' || e.localName === 'DeleteMarker');
      for (const e of entries) {
        if (text(e, 'Key') !== key) {
          return versions; // the key sorts first under its own prefix: what follows is other keys
        }
        versions.push({
          key, versionId: text(e, 'VersionId'), latest: text(e, 'IsLatest') === 'true', modified: text(e, 'LastModified'),
          size: e.localName === 'Version' ? Number(text(e, 'Size')) : null, deleteMarker: e.localName === 'DeleteMarker',
        });
      }
      if (text(xml.documentElement, 'IsTruncated') !== 'true') {
        return versions;
      }
      query['key-marker'] = text(xml.documentElement, 'NextKeyMarker');
      query['version-id-marker'] = text(xml.documentElement, 'NextVersionIdMarker');
    }
  }

  putObject(bucket, key, file) {
    return this.call('PUT', objectPath(bucket, key), { body: file, headers: { 'content-type': file.type || 'application/octet-stream' } });
  }

  deleteObject(bucket, key, versionId) {
    return this.call('DELETE', objectPath(bucket, key), { query: versionId ? { versionId } : {} });
  }

  async headObject(bucket, key, versionId) {
    const response = await this.call('HEAD', objectPath(bucket, key), { query: versionId ? { versionId } : {} });
    return [...response.headers.entries()];
  }

  async getTags(bucket, key) {
    const xml = await this.xml('GET', objectPath(bucket, key), { query: { tagging: '' } });
    return children(xml, 'Tag').map(t => ({ key: text(t, 'Key'), value: text(t, 'Value') }));
  }

  putTags(bucket, key, tags) {
    const body = '<Tagging><TagSet>' + tags.map(t => `<Tag><Key>${escapeXml(t.key)}</Key><Value>${escapeXml(t.value)}</Value></Tag>`).join('')
      + '</TagSet></Tagging>';
    return this.call('PUT', objectPath(bucket, key), { query: { tagging: '' }, body, headers: { 'content-type': 'application/xml' } });
  }

  async getVersioning(bucket) {
    const xml = await this.xml('GET', objectPath(bucket), { query: { versioning: '' } });
    return text(xml.documentElement, 'Status') || 'Off';
  }

  putVersioning(bucket, status) {
    const body = `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>${status}</Status></VersioningConfiguration>`;
    return this.call('PUT', objectPath(bucket), { query: { versioning: '' }, body, headers: { 'content-type': 'application/xml' } });
  }

  /** A bucket configuration document (lifecycle XML, policy JSON) as text; null when the bucket has none. */
  async getConfiguration(bucket, name, missingCode) {
    try {
      return await (await this.call('GET', objectPath(bucket), { query: { [name]: '' } })).text();
    } catch (error) {
      if (error instanceof CallError && error.code === missingCode) {
        return null;
      }
      throw error;
    }
  }

  putConfiguration(bucket, name, body, contentType) {
    return this.call('PUT', objectPath(bucket), { query: { [name]: '' }, body, headers: { 'content-type': contentType } });
  }

  deleteConfiguration(bucket, name) {
    return this.call('DELETE', objectPath(bucket), { query: { [name]: '' } });
  }

  // --- the admin API (root credentials) -------------------------------------------------------

  admin(method, path, query) {
    return this.json(method, '/_cairn/' + path, { query });
  }
}

function children(node, name) {
  return [...node.getElementsByTagName(name)];
}

function text(node, name) {
  const found = [...node.children].find(child => child.localName === name);
  return found ? found.textContent : '';
}

function escapeXml(value) {
  return value.replace(/[<>&'"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);
}
