// The secret corpus the redactor is held to: one entry per rule of the well-known secret scanners
// (gitleaks config/gitleaks.toml rule ids, trufflehog detectors, detect-secrets plugins) plus the
// forms issue 13 found leaking, and the negative cases that must stay readable. The values are
// synthetic (a seeded generator fills each rule's alphabet and length), never real credentials.
// Shared by the unit test (redact.test.ts) and the fault suite (test/faults/secrets*.test.ts).

export interface SecretCase {
  /** Scanner and rule the form comes from. */
  rule: string;
  /** The text as it would reach Debbie. */
  text: string;
  /** The part that must never appear in any output. */
  secret: string;
}

let seed = 0x2545f491;
function next(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed >>> 8;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_NUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const B64URL = `${ALNUM}_-`;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function r(alphabet: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[next() % alphabet.length];
  // A generated value must carry a digit or capital like real keys do (they all have entropy).
  return out;
}
function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** A token shape that the redactor must recognise wherever it appears. */
function token(rule: string, secret: string, wrap = (s: string) => `using ${s} for the call`): SecretCase {
  return { rule, text: wrap(secret), secret };
}

const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"1234567890","name":"Jo","iat":1516239022}')}.${r(B64URL, 43)}`;
const pem = `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${r(ALNUM, 64)}\n${r(ALNUM, 64)}\n-----END RSA PRIVATE KEY-----`;
const pemBody = pem.split('\n')[1] as string;

export const SECRET_CASES: readonly SecretCase[] = [
  // Cloud keys
  token('gitleaks:aws-access-token (AKIA)', `AKIA${r(UPPER_NUM, 16)}`),
  token('gitleaks:aws-access-token (ASIA)', `ASIA${r(UPPER_NUM, 16)}`),
  token('gitleaks:aws-access-token (A3T)', `A3TX${r(UPPER_NUM, 16)}`),
  token('trufflehog:aws (AGPA)', `AGPA${r(UPPER_NUM, 16)}`),
  token('trufflehog:aws (AROA)', `AROA${r(UPPER_NUM, 16)}`),
  (() => {
    const s = r(`${ALNUM}/+`, 40);
    return { rule: 'detect-secrets:AWSKeyDetector secret (env)', text: `export AWS_SECRET_ACCESS_KEY=${s}`, secret: s };
  })(),
  (() => {
    const s = r(`${ALNUM}/+`, 40);
    return { rule: 'issue13:aws_secret_access_key (ini)', text: `aws_secret_access_key = ${s}`, secret: s };
  })(),
  (() => {
    const s = r(ALNUM, 120);
    return { rule: 'trufflehog:aws session token (camelCase)', text: `{"sessionToken":"${s}"}`, secret: s };
  })(),
  token('gitleaks:gcp-api-key', `AIza${r(B64URL, 35)}`),
  token('gitleaks:google oauth access token', `ya29.${r(B64URL, 60)}`),
  token('trufflehog:google oauth client secret', `GOCSPX-${r(B64URL, 28)}`),
  (() => {
    const s = pem;
    return { rule: 'gitleaks:gcp service account private_key (JSON)', text: JSON.stringify({ type: 'service_account', private_key: s }), secret: pemBody };
  })(),
  token('gitleaks:alibaba-access-key-id', `LTAI${r(ALNUM, 20)}`),
  token('gitleaks:azure-ad-client-secret', `abc8Q~${r(`${ALNUM}_~.-`, 34)}`, (s) => `secret is ${s} ok`),
  (() => {
    const s = `${r(`${ALNUM}+/`, 86)}==`;
    return {
      rule: 'detect-secrets:AzureStorageKeyDetector',
      text: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${s};EndpointSuffix=core.windows.net`,
      secret: s,
    };
  })(),
  (() => {
    const s = `sv=2022-11-02&ss=b&sig=${r(ALNUM, 40)}%3D`;
    return { rule: 'trufflehog:azure SAS sig', text: `https://acct.blob.core.windows.net/c/f?${s}`, secret: s.slice(s.indexOf('sig=') + 4) };
  })(),
  token('gitleaks:digitalocean-pat', `dop_v1_${r(HEX, 64)}`),
  token('gitleaks:digitalocean-access-token', `doo_v1_${r(HEX, 64)}`),
  token('gitleaks:doppler-api-token', `dp.pt.${r(ALNUM, 43)}`),
  token('gitleaks:databricks-api-token', `dapi${r(HEX, 32)}`),
  token('gitleaks:hashicorp vault service token', `hvs.${r(B64URL, 90)}`),
  token('gitleaks:hashicorp-tf-api-token', `${r(ALNUM, 14)}.atlasv1.${r(B64URL, 64)}`),
  token('gitleaks:pulumi-api-token', `pul-${r(HEX, 40)}`),
  token('gitleaks:cloudflare-origin-ca-key', `v1.0-${r(HEX, 24)}-${r(HEX, 146)}`),
  token('gitleaks:fly-io access token', `fo1_${r(B64URL, 43)}`),
  token('gitleaks:heroku-api-key-v2', `HRKU-${r(B64URL, 60)}`),
  token('gitleaks:dynatrace-api-token', `dt0c01.${r(UPPER_NUM, 24)}.${r(UPPER_NUM, 64)}`),
  token('gitleaks:new-relic-user-api-key', `NRAK-${r(UPPER_NUM, 27)}`),
  token('gitleaks:new-relic-browser-api-token', `NRJS-${r(HEX, 19)}`),
  token('gitleaks:grafana-cloud-api-token', `glc_${r(ALNUM, 40)}`),
  token('gitleaks:grafana-service-account-token', `glsa_${r(ALNUM, 32)}_${r(HEX, 8)}`),
  token('gitleaks:sentry-user-token', `sntryu_${r(HEX, 64)}`),
  token('gitleaks:planetscale-api-token', `pscale_tkn_${r(B64URL, 43)}`),
  token('gitleaks:planetscale-password', `pscale_pw_${r(B64URL, 43)}`),
  token('gitleaks:supabase token', `sbp_${r(HEX, 40)}`),
  // Code hosting and package registries
  token('gitleaks:github-pat', `ghp_${r(ALNUM, 36)}`),
  token('gitleaks:github-oauth', `gho_${r(ALNUM, 36)}`),
  token('gitleaks:github-app-token (ghu)', `ghu_${r(ALNUM, 36)}`),
  token('gitleaks:github-app-token (ghs)', `ghs_${r(ALNUM, 36)}`),
  token('gitleaks:github-refresh-token', `ghr_${r(ALNUM, 76)}`),
  token('gitleaks:github-fine-grained-pat', `github_pat_${r(ALNUM, 22)}_${r(ALNUM, 59)}`),
  token('gitleaks:gitlab-pat', `glpat-${r(B64URL, 20)}`),
  token('gitleaks:gitlab-ptt', `glptt-${r(HEX, 40)}`),
  token('gitleaks:gitlab-deploy-token', `gldt-${r(B64URL, 20)}`),
  token('gitleaks:gitlab-runner-registration-token', `GR1348941${r(B64URL, 20)}`),
  token('gitleaks:npm-access-token', `npm_${r(ALNUM, 36)}`),
  token('gitleaks:pypi-upload-token', `pypi-AgEIcHlwaS5vcmc${r(B64URL, 60)}`),
  token('gitleaks:rubygems-api-token', `rubygems_${r(HEX, 48)}`),
  token('gitleaks:clojars-api-token', `CLOJARS_${r(LOWER_NUM, 60)}`),
  token('gitleaks:artifactory-api-key', `AKCp${r(ALNUM, 69)}`),
  token('gitleaks:artifactory-reference-token', `cmVmd${r(ALNUM, 59)}`),
  token('gitleaks:atlassian-api-token', `ATATT3${r(B64URL, 186)}`),
  token('gitleaks:linear-api-key', `lin_api_${r(ALNUM, 40)}`),
  token('gitleaks:postman-api-token', `PMAK-${r(HEX, 24)}-${r(HEX, 34)}`),
  token('gitleaks:prefect-api-token', `pnu_${r(ALNUM, 36)}`),
  token('gitleaks:readme-api-token', `rdme_${r(LOWER_NUM, 70)}`),
  token('gitleaks:clickhouse-like 1password-service-account-token', `ops_eyJ${r(ALNUM, 250)}`),
  token('gitleaks:age-secret-key', `AGE-SECRET-KEY-1${r('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`),
  // Chat, mail, payments
  token('gitleaks:slack-bot-token', `xoxb-${r('0123456789', 12)}-${r('0123456789', 12)}-${r(ALNUM, 24)}`),
  token('gitleaks:slack-user-token', `xoxp-${r('0123456789', 12)}-${r('0123456789', 12)}-${r('0123456789', 12)}-${r(HEX, 32)}`),
  token('gitleaks:slack-app-token', `xapp-1-A${r(UPPER_NUM, 10)}-${r('0123456789', 13)}-${r(LOWER_NUM, 64)}`),
  token('gitleaks:slack-config-access-token', `xoxe.xoxp-1-${r(ALNUM, 160)}`, (s) => `cfg ${s} end`),
  token('gitleaks:slack-webhook-url', `hooks.slack.com/services/T${r(UPPER_NUM, 8)}/B${r(UPPER_NUM, 8)}/${r(ALNUM, 24)}`, (s) => `POST https://${s}`),
  token('gitleaks:discord webhook', `discord.com/api/webhooks/${r('0123456789', 18)}/${r(B64URL, 68)}`, (s) => `https://${s}`),
  token('detect-secrets:DiscordBotTokenDetector', `M${r(B64URL, 23)}.${r(B64URL, 6)}.${r(B64URL, 27)}`),
  token('gitleaks:telegram-bot-api-token', `${r('0123456789', 9)}:AA${r(B64URL, 33)}`),
  token('gitleaks:stripe-access-token (sk_live)', `sk_live_${r(ALNUM, 24)}`),
  token('gitleaks:stripe-access-token (rk_test)', `rk_test_${r(ALNUM, 24)}`),
  token('trufflehog:stripe webhook secret', `whsec_${r(ALNUM, 32)}`),
  token('gitleaks:sendgrid-api-token', `SG.${r(B64URL, 22)}.${r(B64URL, 43)}`),
  token('gitleaks:twilio-api-key', `SK${r(HEX, 32)}`),
  token('gitleaks:mailgun-private-api-token', `key-${r(HEX, 32)}`),
  token('gitleaks:mailchimp-api-key', `${r(HEX, 32)}-us12`),
  token('gitleaks:square-access-token', `EAAA${r(B64URL, 60)}`),
  token('gitleaks:square secret', `sq0csp-${r(B64URL, 43)}`),
  token('gitleaks:facebook-access-token', `EAAC${r(ALNUM, 120)}`),
  token('gitleaks:shopify-access-token', `shpat_${r(HEX, 32)}`),
  token('gitleaks:shopify-shared-secret', `shpss_${r(HEX, 32)}`),
  token('gitleaks:shippo-api-token', `shippo_live_${r(HEX, 40)}`),
  token('gitleaks:flutterwave-secret-key', `FLWSECK_TEST-${r('abcdefgh0123456789', 32)}-X`),
  token('gitleaks:easypost-api-token', `EZAK${r(ALNUM, 54)}`),
  token('gitleaks:typeform-api-token', `tfp_${r(B64URL, 59)}`),
  token('gitleaks:adobe-client-secret', `p8e-${r(ALNUM, 32)}`),
  token('gitleaks:dropbox short-lived token', `sl.${r(B64URL, 135)}`),
  token('gitleaks:notion integration secret', `secret_${r(ALNUM, 43)}`),
  token('gitleaks:mapbox-api-token', `sk.eyJ${r(B64URL, 60)}.${r(B64URL, 22)}`),
  // AI providers
  token('gitleaks:openai-api-key (legacy)', `sk-${r(ALNUM, 20)}T3BlbkFJ${r(ALNUM, 20)}`),
  token('gitleaks:openai project key', `sk-proj-${r(B64URL, 120)}`),
  token('trufflehog:openai service account key', `sk-svcacct-${r(B64URL, 100)}`),
  token('gitleaks:anthropic-api-key', `sk-ant-api03-${r(B64URL, 93)}AA`),
  token('gitleaks:anthropic-admin-api-key', `sk-ant-admin01-${r(B64URL, 93)}AA`),
  token('trufflehog:openrouter', `sk-or-v1-${r(HEX, 64)}`),
  token('gitleaks:huggingface-access-token', `hf_${r(LETTERS, 34)}`),
  token('gitleaks:huggingface-organization-api-token', `api_org_${r(LETTERS, 34)}`),
  token('trufflehog:groq', `gsk_${r(ALNUM, 52)}`),
  token('trufflehog:xai', `xai-${r(ALNUM, 80)}`),
  token('trufflehog:replicate', `r8_${r(ALNUM, 37)}`),
  token('trufflehog:perplexity', `pplx-${r(ALNUM, 48)}`),
  token('trufflehog:langfuse secret key', `sk-lf-${r(HEX, 8)}-${r(HEX, 4)}-${r(HEX, 4)}-${r(HEX, 4)}-${r(HEX, 12)}`),
  // JWTs, private keys, HTTP authorization
  token('gitleaks:jwt (bare)', jwt),
  token('detect-secrets:JwtTokenDetector (in a sentence)', jwt, (s) => `the id_token was ${s}.`),
  { rule: 'gitleaks:private-key (PEM)', text: `key file:\n${pem}\n`, secret: pemBody },
  {
    rule: 'gitleaks:private-key (OPENSSH)',
    text: `-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA${'Q'.repeat(4)}${r(ALNUM, 60)}\\n-----END OPENSSH PRIVATE KEY-----`,
    secret: 'b3BlbnNzaC1rZXktdjEAAAAA',
  },
  token('gitleaks:curl-auth-header (Bearer)', `${r(ALNUM, 40)}`, (s) => `curl -H "Authorization: Bearer ${s}" https://api.example`),
  token('gitleaks:curl-auth-header (Basic)', Buffer.from('admin:hunter2-is-long').toString('base64'), (s) => `Authorization: Basic ${s}`),
  token('gitleaks:authorization header (Token)', `${r(HEX, 40)}`, (s) => `Authorization: Token ${s}`),
  token('splunk HEC header', `${r(HEX, 8)}-${r(HEX, 4)}-${r(HEX, 4)}-${r(HEX, 4)}-${r(HEX, 12)}`, (s) => `Authorization: Splunk ${s}`),
  token('header X-Api-Key', r(ALNUM, 32), (s) => `X-Api-Key: ${s}`),
  token('header Cookie', `sid=${r(ALNUM, 32)}`, (s) => `Cookie: ${s}`),
  token('header Set-Cookie', r(ALNUM, 32), (s) => `Set-Cookie: session=${s}; HttpOnly`),
  // URLs with userinfo and secrets in query strings (detect-secrets BasicAuthDetector, gitleaks generic)
  token('detect-secrets:BasicAuthDetector (https)', 'Sup3r-s3cret', (s) => `fetching https://admin:${s}@example.com/x`),
  token('issue13:postgres URL password', 'pg-pa55word', (s) => `DATABASE_URL=postgres://app:${s}@db:5432/app`),
  token('redis URL password only', 'r3d1s-pass', (s) => `redis://:${s}@cache:6379/0`),
  token('mongodb+srv URL', 'M0ngoPass', (s) => `mongodb+srv://user:${s}@cluster0.example.net/test`),
  token('sentry DSN key', r(HEX, 32), (s) => `dsn https://${s}@o123.ingest.sentry.io/42`),
  token('query access_token', r(ALNUM, 30), (s) => `GET /cb?access_token=${s}&state=1`),
  token('query api_key', r(ALNUM, 30), (s) => `GET /v1?q=1&api_key=${s}`),
  token('query X-Amz-Signature', r(HEX, 64), (s) => `https://b.s3.amazonaws.com/k?X-Amz-Expires=60&X-Amz-Signature=${s}`),
  // key=value and key: value in text (gitleaks generic-api-key, detect-secrets KeywordDetector)
  token('issue13:password: x (YAML)', 'hunter2', (s) => `password: ${s}`),
  token('password=x (env)', 'hunter2!', (s) => `DB_PASSWORD=${s}`),
  token('passwd in ini', 'Tr0ub4dor&3', (s) => `passwd = "${s}"`),
  token('pwd flag style', 'abc123xyz', (s) => `login pwd=${s} user=jo`),
  token('passphrase quoted with spaces', 'correct horse battery staple', (s) => `passphrase: "${s}"`),
  token('client_secret', r(ALNUM, 32), (s) => `client_secret=${s}`),
  token('generic secret in Python kwargs', r(ALNUM, 24), (s) => `Client(secret='${s}')`),
  token('generic token in logfmt', r(ALNUM, 24), (s) => `level=info msg=auth token=${s} user=jo`),
  token('--password flag', 'fl4g-pass', (s) => `mysql --password ${s} -h db`),
  token('--api-key=flag', r(ALNUM, 24), (s) => `tool --api-key=${s}`),
  token('PHP/Ruby arrow', r(ALNUM, 24), (s) => `'api_key' => '${s}'`),
  token('Go := ', r(ALNUM, 24), (s) => `apiKey := "${s}"`),
  token('Java properties', r(ALNUM, 24), (s) => `spring.datasource.password=${s}`),
  token('XML-ish attr', r(ALNUM, 24), (s) => `<add key="x" password="${s}"/>`),
  // camelCase and snake_case keys in JSON, also JSON held in a string (issue 13)
  token('issue13:accessToken (JSON)', r(ALNUM, 32), (s) => `{"accessToken":"${s}","user":"jo"}`),
  token('issue13:sessionToken (JSON text)', r(ALNUM, 32), (s) => `response {"sessionToken": "${s}"} ok`),
  token('issue13:refresh_token', r(ALNUM, 32), (s) => `{"refresh_token":"${s}"}`),
  token('issue13:JSON in a JSON string', r(ALNUM, 32), (s) => JSON.stringify({ body: JSON.stringify({ auth: { apiKey: s } }) })),
  token('escaped JSON inside a log line', r(ALNUM, 32), (s) => `payload="{\\"password\\":\\"${s}\\"}"`),
  token('Authorization in JSON', r(ALNUM, 32), (s) => `{"headers":{"Authorization":"Bearer ${s}"}}`),
  token('x-api-key in JSON', r(ALNUM, 32), (s) => `{"x-api-key":"${s}"}`),
  token('privateKey camelCase', r(ALNUM, 48), (s) => `{"privateKey":"${s}"}`),
  token('clientSecret camelCase', r(ALNUM, 32), (s) => `clientSecret: ${s}`),
  token('secretAccessKey camelCase', r(ALNUM, 40), (s) => `{"SecretAccessKey":"${s}"}`),
  token('OPENAI_API_KEY env', r(ALNUM, 48), (s) => `OPENAI_API_KEY=${s}`),
  token('ANTHROPIC_API_KEY in a dict repr', r(ALNUM, 48), (s) => `{'ANTHROPIC_API_KEY': '${s}'}`),
  // The shortest shapes the scanners accept (runs under 20 characters once slipped through).
  token('gitleaks:slack-bot-token (shortest)', `xoxb-${r('0123456789', 10)}`, (s) => `here ${s} there`),
  token('gitleaks:openai-api-key (shortest)', `sk-${r(LETTERS, 16)}`, (s) => `use ${s} now`),
  token('gitleaks:stripe-access-token (shortest)', `sk_live_${r(ALNUM, 10)}`, (s) => `${s} ok`),
  token('gitleaks:jwt (shortest)', `eyJ${r(B64URL, 5)}.${r(B64URL, 5)}`, (s) => `token ${s} sent`),
];

/** Values that must come out unchanged: ids, hashes, paths, counts and ordinary words. */
export const READABLE_CASES: readonly string[] = [
  '4bf92f3577b34da6a3ce929d0e0e4736', // W3C trace id
  '00f067aa0ba902b7', // span id
  '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', // traceparent
  '3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f', // UUID
  'session 94988082-turn-1 started',
  '/repo/.git/objects/ab/cdef0123456789abcdef0123456789abcdef01', // hash in a path
  'commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
  'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '/home/user/project/src/auth/tokenizer.py',
  'input_tokens: 1200, output_tokens: 350, total_tokens=1550',
  'max_tokens=4096 token_count=12',
  'The password field is required.',
  'Basic information about tokens and keys',
  'Token counting finished',
  'author: Jo, design: new, config: default',
  'tool_execution list_rfcs',
  'GET /api/sessions?limit=100&since=2025-06-10T12:00:00Z',
  'https://example.com/docs/authentication#tokens',
  'the primary_key is id; cache_key=abc',
  'user@example.com wrote to team@example.org',
  "ERROR: KeyError: 'session_id'",
  'gpt-4o-2024-08-06 answered in 1.2 s',
  'debbie_comment stall detected after 30 s',
  'const octokit = new Octokit({ auth: import.meta.env.VITE_GITHUB_TOKEN });', // from a public OpenHands run
  'password: process.env.DB_PASSWORD',
];
