// A real OpenID Connect provider (the `oidc-provider` package) for the local stack and the OAuth tests.
// It is infrastructure, like PostgreSQL or Kafka: none of the messenger runs here.
//
// Environment:
//   OIDC_PORT               port on 127.0.0.1 (issuer is http://127.0.0.1:<port>)
//   OIDC_CLIENT_ID          the messenger's client (default "messenger-local")
//   OIDC_CLIENT_SECRET      its secret (default "messenger-local-secret")
//   OIDC_REDIRECT_URIS      comma-separated callback URLs registered for the client
//   OIDC_TEST_ACCOUNTS      "1" lets any lowercase login sign in with the password "test-password" (tests only)
//
// Accounts: "demo" / "demo-password" (email demo@example.test, verified). With OIDC_TEST_ACCOUNTS=1, the login
// "<name>" gets the email "<name>@example.test", verified unless the name starts with "unverified".
import crypto from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 19400);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.OIDC_CLIENT_ID || 'messenger-local';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'messenger-local-secret';
const redirectUris = (process.env.OIDC_REDIRECT_URIS || 'http://127.0.0.1:8080/v1/auth/oauth/local/callback')
  .split(',').map((s) => s.trim()).filter(Boolean);
const testAccounts = process.env.OIDC_TEST_ACCOUNTS === '1';

const DEMO = { login: 'demo', password: 'demo-password', email: 'demo@example.test', name: 'Demo User' };

function accountFor(login, password) {
  if (login === DEMO.login && password === DEMO.password) {
    return { sub: 'demo', email: DEMO.email, email_verified: true, preferred_username: 'demo', name: DEMO.name };
  }
  if (testAccounts && /^[a-z0-9_.-]{1,64}$/.test(login) && password === 'test-password') {
    return {
      sub: `test-${login}`,
      email: `${login}@example.test`,
      email_verified: !login.startsWith('unverified'),
      preferred_username: login,
      name: login,
    };
  }
  return null;
}

// Accounts signed in during this process's life, by subject.
const accounts = new Map();

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `k-${crypto.randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey()] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'name'] },
  scopes: ['openid', 'email', 'profile'],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AuthorizationCode: 120, IdToken: 600, AccessToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  async findAccount(ctx, sub) {
    const claims = accounts.get(sub);
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return claims; } };
  },
});
provider.proxy = false;

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      data += chunk;
      if (data.length > 16384) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(data))));
    req.on('error', reject);
  });
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Error', '<p>interaction mismatch</p>'));
  const { prompt, params } = details;

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') {
      return send(res, 200, page('Sign in', `
<p>Client: ${escapeHtml(params.client_id)}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label>Login <input name="login" autofocus></label>
  <label>Password <input name="password" type="password"></label>
  <button type="submit">Sign in</button>
</form>`));
    }
    return send(res, 200, page('Authorize', `
<p>${escapeHtml(params.client_id)} asks for: ${escapeHtml(params.scope)}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/confirm"><button type="submit">Continue</button></form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort"><button type="submit">Cancel</button></form>`));
  }

  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const claims = accountFor(form.login || '', form.password || '');
    if (!claims) {
      return send(res, 200, page('Sign in', `<p class="error">Wrong login or password.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label>Login <input name="login"></label>
  <label>Password <input name="password" type="password"></label>
  <button type="submit">Sign in</button>
</form>`));
    }
    accounts.set(claims.sub, claims);
    return provider.interactionFinished(req, res, { login: { accountId: claims.sub } },
      { mergeWithLastSubmission: false });
  }

  if (req.method === 'POST' && action === 'confirm') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const missing = prompt.details || {};
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  if (req.method === 'POST' && action === 'abort') {
    return provider.interactionFinished(req, res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false });
  }
  return send(res, 404, page('Not found', ''));
}

const providerHandler = provider.callback();

const server = http.createServer((req, res) => {
  const url = new URL(req.url, issuer);
  const match = url.pathname.match(/^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/);
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (match) {
    interaction(req, res, match[1], match[2]).catch((err) => {
      send(res, 400, page('Error', `<p>${escapeHtml(err.message)}</p>`));
    });
    return;
  }
  providerHandler(req, res);
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`oidc provider listening on ${issuer} (client ${clientId})\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
