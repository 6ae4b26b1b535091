// A small OpenID Connect provider for tests and the demo, standing in for a partner's identity provider.
// Built on the `oidc-provider` package (a certified implementation); only the sign-in page is ours.
//
//   node dev/oidc/provider.mjs CONFIG.json
//
// CONFIG: {"issuer": "http://127.0.0.1:9000", "clients": [{client_id, client_secret, redirect_uris,
// post_logout_redirect_uris}], "accounts": {"<sub>": {"username", "password", "amr": [...], "acr",
// "claims": {...}}}}. Each account's `amr` and `acr` are what the provider asserts when it signs in, so
// a test can sign in one person "with MFA" and another without. Prints "ready <issuer>" when listening.
// Loopback and synthetic accounts only: never a real identity provider.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = new URL(config.issuer);
const accounts = config.accounts;

const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: 'sig-1', use: 'sig', alg: 'RS256',
};
const allClaims = new Set(['sub']);
for (const account of Object.values(accounts)) Object.keys(account.claims || {}).forEach((c) => allClaims.add(c));

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(24).toString('hex')] },
  // Claims in the ID token itself: several partner providers put agency and roles there.
  conformIdTokenClaims: false,
  claims: { openid: ['sub', 'acr', 'amr'], profile: ['name', 'given_name', 'family_name'], email: ['email'], marsoc: [...allClaims] },
  scopes: ['openid', 'profile', 'email', 'marsoc'],
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Sign out of the identity provider',
          `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>`);
      },
    },
  },
  async findAccount(_ctx, sub) {
    const account = accounts[sub];
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...(account.claims || {}) }) };
  },
  // A first-party stand-in: every client is trusted, so consent is granted without asking.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
  acrValues: [...new Set(Object.values(accounts).map((a) => a.acr).filter(Boolean))],
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, IdToken: 600, AccessToken: 600, AuthorizationCode: 60 },
});
provider.proxy = false;

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginForm(uid, problem) {
  const error = problem ? `<p role="alert">${escape(problem)}</p>` : '';
  return page('Sign in to the partner identity provider', `${error}
<form method="post" action="/interaction/${escape(uid)}">
<p><label for="username">Username</label><br><input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Sign in</button></p></form>`);
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  ctx.set('Cache-Control', 'no-store');
  if (details.prompt.name !== 'login') {
    const grant = new provider.Grant({ clientId: details.params.client_id, accountId: details.session.accountId });
    grant.addOIDCScope(details.params.scope || 'openid');
    const grantId = await grant.save();
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true }));
    return undefined;
  }
  if (ctx.method !== 'POST') {
    ctx.type = 'html';
    ctx.body = loginForm(details.uid);
    return undefined;
  }
  const form = await formBody(ctx.req);
  const entry = Object.entries(accounts).find(([, a]) => a.username === form.get('username'));
  if (!entry || entry[1].password !== form.get('password')) {
    ctx.type = 'html';
    ctx.status = 200;
    ctx.body = loginForm(details.uid, 'The username or password is not right');
    return undefined;
  }
  const [sub, account] = entry;
  const result = { login: { accountId: sub, amr: account.amr || ['pwd'], acr: account.acr, remember: false } };
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
  return undefined;
});

provider.listen(Number(issuer.port), issuer.hostname, () => {
  process.stdout.write(`ready ${config.issuer}\n`);
});
