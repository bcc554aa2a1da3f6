// The redactor as it was on main before its pre-checks (packages/model/src/redact.ts and
// secretPatterns.ts at 601b9c4, compiled), kept in JavaScript as a baseline of bench/redact.bench.mjs.
// Not used anywhere else.
// The shapes of secrets the redactor masks. Sources: the published rules of gitleaks
// (config/gitleaks.toml), trufflehog detectors and Yelp's detect-secrets plugins; the rule each
// alternative follows is named beside it. Written for V8's regex engine: every alternative starts
// with a literal or a bounded class, and every repetition is bounded, so a scan stays linear.
/** Masked text reads like this; never matched by any pattern below, so redaction is idempotent. */
export const REDACTED = '[REDACTED]';
/**
 * Provider tokens recognised by their own shape (case-sensitive), searched only inside runs of
 * token characters at least MIN_TOKEN_RUN long (no shape below is shorter: the shortest, a JWT's
 * `eyJxxxxx.xxxxx` and Slack's `xoxb-` plus ten, are 14 and 15), which keeps the
 * scan of ordinary text fast. Each alternative has exactly
 * one capture group: the part to keep in front of the mask (empty for whole-token secrets).
 */
const TOKEN_SHAPES = [
  // aws-access-token (gitleaks), AWSKeyDetector
  '()\\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}(?![A-Za-z0-9])',
  // github-pat, github-oauth, github-app-token, github-refresh-token, github-fine-grained-pat
  '()\\bgh[pousr]_[A-Za-z0-9]{30,255}',
  '()\\bgithub_pat_[A-Za-z0-9_]{22,255}',
  // gitlab-pat, gitlab-ptt, gitlab-deploy-token, gitlab-runner-registration-token …
  '()\\bgl(?:pat|dt|ptt|rt|cbt|imt|oas|ft|soat|agent|ffct)-[A-Za-z0-9_-]{20,255}',
  '()\\bGR1348941[A-Za-z0-9_-]{20,64}',
  // slack-bot-token, slack-user-token, slack-app-token, slack-config-*, slack-webhook-url
  '()\\bxox[abposre]-[A-Za-z0-9-]{10,255}',
  '()\\bxapp-\\d-[A-Z0-9]{6,32}-\\d{6,16}-[a-z0-9]{16,128}',
  '()hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,160}',
  // stripe-access-token, stripe webhook secret
  '()\\b(?:sk|rk|pk)_(?:test|live|prod)_[A-Za-z0-9]{10,255}',
  '()\\bwhsec_[A-Za-z0-9+/=]{24,128}',
  // openai-api-key, anthropic-api-key, anthropic-admin-api-key, openrouter, langfuse secret key
  '()\\bsk-[A-Za-z0-9_-]{16,255}',
  // gcp-api-key, google oauth access token and client secret
  '()\\bAIza[0-9A-Za-z_-]{35}',
  '()\\bya29\\.[0-9A-Za-z_-]{20,2048}',
  '()\\bGOCSPX-[A-Za-z0-9_-]{24,40}',
  // jwt (gitleaks), JwtTokenDetector (detect-secrets): any three-part token with a JSON header
  '()\\beyJ[A-Za-z0-9_-]{5,4096}\\.[A-Za-z0-9_-]{5,8192}\\.?[A-Za-z0-9_-]{0,2048}',
  // mapbox-api-token (sk.eyJ…)
  '()\\bsk\\.eyJ[A-Za-z0-9_-]{20,512}\\.[A-Za-z0-9_-]{10,128}',
  // npm-access-token, pypi-upload-token, rubygems-api-token, clojars-api-token
  '()\\bnpm_[A-Za-z0-9]{36}',
  '()\\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1024}',
  '()\\brubygems_[a-f0-9]{48}',
  '()\\bCLOJARS_[A-Za-z0-9]{60}',
  // sendgrid-api-token, twilio-api-key, mailgun-private-api-token, mailchimp-api-key
  '()\\bSG\\.[A-Za-z0-9_-]{20,24}\\.[A-Za-z0-9_-]{39,50}',
  '()\\bSK[0-9a-fA-F]{32}(?![0-9a-fA-F])',
  '()\\bkey-[0-9a-f]{32}\\b',
  '()\\b[0-9a-f]{32}-us[0-9]{1,2}\\b',
  // huggingface-access-token, huggingface-organization-api-token
  '()\\bhf_[A-Za-z]{34,64}',
  '()\\bapi_org_[A-Za-z]{34}',
  // shopify-access-token / custom / private-app / shared-secret
  '()\\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}',
  // digitalocean-pat / access-token / refresh-token, doppler-api-token, databricks-api-token
  '()\\bdo[opr]_v1_[a-f0-9]{64}',
  '()\\bdp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}',
  '()\\bdapi[a-f0-9]{32}(?:-\\d)?',
  // azure-ad-client-secret
  '()(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}',
  // alibaba-access-key-id, atlassian-api-token, artifactory-api-key / reference-token
  '()\\bLTAI[A-Za-z0-9]{20}',
  '()\\bATATT3[A-Za-z0-9_=-]{100,255}',
  '()\\bAKCp[A-Za-z0-9]{69}',
  '()\\bcmVmd[A-Za-z0-9]{59}',
  // grafana-cloud-api-token, grafana-service-account-token
  '()\\bglc_[A-Za-z0-9+/]{32,400}={0,2}',
  '()\\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}',
  // linear-api-key, postman-api-token, pulumi-api-token, terraform (atlasv1), hashicorp vault tokens
  '()\\blin_api_[A-Za-z0-9]{40}',
  '()\\bPMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}',
  '()\\bpul-[a-f0-9]{40}',
  '()\\b[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}',
  '()\\bhv[sbr]\\.[A-Za-z0-9_-]{24,255}',
  // new-relic-user-api-key, new-relic-browser-api-token, sentry tokens
  '()\\bNRAK-[A-Z0-9]{27}',
  '()\\bNRJS-[a-f0-9]{19}',
  '()\\bsntry[su]_[A-Za-z0-9+/=_]{40,400}',
  // telegram-bot-api-token, discord bot token (detect-secrets), discord webhook
  '()\\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33}',
  '()\\b[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}',
  '()discord(?:app)?\\.com/api/webhooks/[0-9]{5,30}/[A-Za-z0-9_-]{60,100}',
  // age-secret-key, groq, xai, replicate, perplexity
  '()AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}',
  '()\\bgsk_[A-Za-z0-9]{48,64}',
  '()\\bxai-[A-Za-z0-9]{70,100}',
  '()\\br8_[A-Za-z0-9]{37}',
  '()\\bpplx-[A-Za-z0-9]{48}',
  // square-access-token / secret, facebook-access-token, dynatrace-api-token, shippo, flutterwave
  '()\\b(?:EAAA|sq0atp-)[A-Za-z0-9_-]{22,60}',
  '()\\bsq0csp-[A-Za-z0-9_-]{43}',
  '()\\bEAA[MC][A-Za-z0-9]{100,400}',
  '()\\bdt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}',
  '()\\bshippo_(?:live|test)_[a-fA-F0-9]{40}',
  '()\\bFLW(?:PUBK|SECK)_TEST-[a-h0-9]{32}-X',
  // 1password-service-account-token, cloudflare-origin-ca-key, adobe-client-secret, planetscale
  '()\\bops_eyJ[A-Za-z0-9+/]{100,1024}={0,3}',
  '()\\bv1\\.0-[a-f0-9]{24}-[a-f0-9]{146}',
  '()\\bp8e-[A-Za-z0-9]{32}',
  '()\\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9=._-]{32,64}',
  // prefect, readme, supabase, notion, dropbox, typeform, easypost, fly.io, heroku-api-key-v2
  '()\\bpnu_[A-Za-z0-9]{36}',
  '()\\brdme_[a-z0-9]{70}',
  '()\\bsbp_[a-f0-9]{40}',
  '()\\bsecret_[A-Za-z0-9]{43}\\b',
  '()\\bntn_[A-Za-z0-9]{40,50}',
  '()\\bsl\\.[A-Za-z0-9_-]{130,152}',
  '()\\btfp_[A-Za-z0-9_.=-]{59}',
  '()\\bEZ[AT]K[A-Za-z0-9]{54}',
  '()\\bfm[12][ar]?_[A-Za-z0-9+/]{100,1024}={0,3}',
  '()\\bfo1_[A-Za-z0-9_-]{43}',
  '()\\bHRKU-[A-Za-z0-9_-]{60}',
];
/** Secrets that span spaces (case-sensitive): PEM private keys and HTTP authorization credentials. */
const SCHEME_SHAPES = [
  // private-key (gitleaks), PrivateKeyDetector (detect-secrets): the whole PEM block
  '()-----BEGIN[A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----[\\s\\S]{0,16384}?(?:-----END[A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----|$)',
  // HTTP authorization schemes in free text: keep the scheme, mask the credential. The credential
  // must contain a digit, a capital or a symbol, so "Basic information" and "Token counting" stay.
  '(\\b(?:[Bb]earer|[Bb]asic|[Dd]igest|[Nn]egotiate|Splunk|ApiKey|[Tt]oken)[ \\t]{1,8})(?=[A-Za-z0-9._~+/=-]{0,512}[0-9A-Z._~+/=-])[A-Za-z0-9._~+/=-]{8,4096}',
];
// A key that names a secret, as it appears in text (env files, YAML, JSON, query strings, headers,
// camelCase or snake_case): gitleaks generic-api-key keywords and detect-secrets KeywordDetector.
// Matching starts at the keyword (the rest of the key stays as it is, "aws_secret_access_key" is
// caught at "access_key"), and alternatives share their first letters, so text without a keyword
// costs one failed comparison per position.
const SECRET_KEY_TEXT =
  '(?:pass(?:word|wd|phrase)|pwd|secret(?:[_.-]?key)?|token|auth(?:orization)?|credentials?|cookie|sig(?:nature)?|dsn|' +
  '(?:api|access|private|account|shared[_.-]?access|signing|encryption|master|session)[_.-]?key(?:[_.-]?id)?)';
const SEPARATOR = `[ \\t]{0,8}(?:=>|:=|[:=])[ \\t]{0,8}`;
// A bare value that is a placeholder (`$VAR`, `${X}`, `%X%`, backticks) or a word of code
// (`token = try …`, `password: None`) or a reference to the environment (`auth: process.env.X`)
// is not a secret; gitleaks' global allow-list does the same.
const CODE_WORD =
  '(?:try|if|else|null|none|nil|true|false|undefined|self|this|new|await|return|str|string|int|bool|required|optional|process\\.env|import\\.meta\\.env|os\\.environ|os\\.getenv)(?![\\w-])';
const SCHEME_WORD = '(?:bearer|basic|token|digest|splunk|apikey)[ \\t]{1,8}';
/**
 * Secrets recognised by what surrounds them (case-insensitive): `key=value`, `key: value`, JSON
 * `"key": "value"` (also with escaped quotes, as in JSON held inside a string), `--password x`,
 * and URLs with userinfo. What is captured is kept (the key, the separator, the scheme, the user);
 * what is not captured is masked. The keyword is matched once and the forms branch after it.
 */
const CONTEXT_SHAPES = [
  `(${SECRET_KEY_TEXT})(?:` +
    // Double-quoted value (may hold spaces): "password": "correct horse", \"token\":\"y\"
    `(\\\\?["']?${SEPARATOR}\\\\?"(?:${SCHEME_WORD})?)(?!\\[REDACTED\\])(?:[^"\\\\\\n]|\\\\(?!")){1,4096}` +
    // Single-quoted value: password='x y', 'api_key' => 'z'
    `|(["']?${SEPARATOR}'(?:${SCHEME_WORD})?)(?!\\[REDACTED\\])[^'\\n]{1,4096}` +
    // Bare value: up to whitespace or a delimiter (query strings, env lines, headers, YAML)
    `|(["']?${SEPARATOR}(?:${SCHEME_WORD})?)(?![\\["'\\\\=:>\`$%(<])(?!${SCHEME_WORD}|${CODE_WORD})[^\\s"'\\\\,;&<>{}\\[\\]]{1,4096}` +
    // Command-line flags: --password x, --api-key x
    `|((?<=-[\\w-]{0,30}(?:password|passwd|token|secret|api-?key))[ \\t]{1,8})(?![\\["'-])[^\\s"'\\\\]{1,4096})`,
  // URL userinfo: scheme://user:PASSWORD@host, and a long bare user part (Sentry DSN keys)
  '(://[^\\s:@/?#"\'\\\\]{0,256}:)(?!\\[REDACTED\\]|\\$)[^\\s@/?#"\'\\\\]{1,1024}(?=@)',
  '(://)(?!\\[REDACTED\\])[A-Za-z0-9_-]{16,256}(?=@)',
];
export const TOKEN_PATTERN = new RegExp(TOKEN_SHAPES.join('|'), 'g');
export const SCHEME_PATTERN = new RegExp(SCHEME_SHAPES.join('|'), 'g');
export const CONTEXT_PATTERN = new RegExp(CONTEXT_SHAPES.join('|'), 'gi');
/** Token shapes are tried only inside runs of these characters at least this long (see maskTokenRuns). */
export const TOKEN_RUN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~+/=:';
export const MIN_TOKEN_RUN = 14;
/**
 * Cheap test that every context- or scheme-shaped secret passes (a secret key followed by a
 * separator, a secret flag, userinfo in a URL, a PEM key, an authorization scheme and its
 * credential), so text without one skips CONTEXT_PATTERN and SCHEME_PATTERN. Every SECRET_KEY_TEXT
 * alternative ends in one of these words, so the hint passes wherever the pattern could match;
 * it allows quotes escaped several times over, for JSON inside JSON inside a string.
 */
export const SECRET_HINT =
  /(?:pass(?:word|wd|phrase)|pwd|secret|token|auth(?:orization)?|credentials?|cookie|sig(?:nature)?|dsn|key(?:[_.-]?id)?)[\\"']{0,8}[ \t]{0,8}(?:=>|:=|[:=])|-(?:password|passwd|token|secret|api-?key)[ \t]|:\/\/[^\s/?#@]{0,256}@|PRIVATE KEY|(?:bearer|basic|digest|negotiate|splunk|apikey|token)[ \t]{1,8}[A-Za-z0-9._~+/=-]{8}/i;
// A key names a secret when one of its words (snake_case, kebab, dotted or camelCase) is one of
// these, or when it ends in one of the pairs below. "tokens", "input_tokens", "token_count",
// "tokenizer" and "primary_key" are not secrets.
const SECRET_WORDS = new Set([
  'secret',
  'secrets',
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'credential',
  'credentials',
  'cookie',
  'cookies',
  'authorization',
  'apikey',
  'bearer',
  'privatekey',
  'dsn',
]);
const SECRET_LAST_WORDS = new Set(['token', 'auth', 'signature', 'sig']);
const SECRET_KEY_PAIRS = /(?:^|_)(?:api|access|secret|private|account|signing|encryption|master|session|client|auth|shared_access|x_api)_key(?:_id)?$/;
// Keys repeat endlessly (tool_name, input_tokens…): remember the verdict, up to a bound.
const keyVerdicts = new Map();
const MAX_CACHED_KEYS = 10_000;
/** Splits camelCase, kebab, dotted and spaced keys into lower-case snake words. */
function snakeKey(key) {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[-\s.:/]+/g, '_');
}
/** True when a key names a secret: api_key, accessToken, aws_secret_access_key, Set-Cookie, X-Api-Key… */
export function isSecretKey(key) {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    const snake = snakeKey(key);
    const words = snake.split('_').filter(Boolean);
    verdict = words.some((w) => SECRET_WORDS.has(w)) || SECRET_LAST_WORDS.has(words[words.length - 1] ?? '') || SECRET_KEY_PAIRS.test(snake);
    if (keyVerdicts.size < MAX_CACHED_KEYS) keyVerdicts.set(key, verdict);
  }
  return verdict;
}
/** Replacement for every pattern: keep what the pattern captured (key, separator, scheme, user), mask the rest. */
function mask(...args) {
  // args: match, group1..groupN, offset, input (no named groups)
  let kept = '';
  for (let i = 1; i < args.length - 2; i++) {
    const part = args[i];
    if (typeof part === 'string') kept += part;
  }
  return `${kept}${REDACTED}`;
}
// 0: ends a run; 1: a token character; 2: a token character that is also lower-case hex or '-'.
const IN_RUN = new Uint8Array(128);
for (const c of TOKEN_RUN_CHARS) IN_RUN[c.charCodeAt(0)] = /[0-9a-f-]/.test(c) ? 2 : 1;
const MAX_JSON_TEXT = 1024 * 1024;
/** Masks secret-looking substrings inside a string (tokens by shape, `key=value`, URL userinfo, JSON held in text). */
export function redactString(value) {
  return value.length < 8 ? value : redactText(value);
}
// Names and ids (component, action, session, agent, correlation, service, tags) repeat from event
// to event: remember what they redact to, up to a bound (free text is not cached: it rarely repeats).
const MAX_CACHED_LENGTH = 256;
const MAX_CACHED_NAMES = 4096;
let nameVerdicts = new Map();
function redactName(value) {
  if (value.length < 8) return value;
  if (value.length > MAX_CACHED_LENGTH) return redactText(value);
  let out = nameVerdicts.get(value);
  if (out === undefined) {
    out = redactText(value);
    if (nameVerdicts.size >= MAX_CACHED_NAMES) nameVerdicts = new Map();
    nameVerdicts.set(value, out);
  }
  return out;
}
/**
 * True for lower-case hex digits and dashes only (event, trace and span ids, UUIDs, hashes): such
 * text holds no hint (every hint needs a separator, a blank or a letter past f) and no token run
 * that maskTokenRuns would try, so it cannot change.
 */
function isPlainHex(value) {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || IN_RUN[c] !== 2) return false;
  }
  return true;
}
function redactText(value) {
  if (isPlainHex(value)) return value;
  const hinted = SECRET_HINT.test(value);
  const first = value.charCodeAt(0);
  if (hinted && (first === 0x7b /* { */ || first === 0x5b) /* [ */ && value.length <= MAX_JSON_TEXT) {
    const parsed = parseJson(value);
    if (parsed !== undefined) {
      const redacted = redactValue(parsed);
      return redacted === parsed ? maskTokenRuns(value) : JSON.stringify(redacted);
    }
  }
  let out = value;
  if (hinted) out = replaceAll(SCHEME_PATTERN, out);
  out = maskTokenRuns(out);
  if (hinted) out = replaceAll(CONTEXT_PATTERN, out);
  return out;
}
function replaceAll(pattern, text) {
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  pattern.lastIndex = 0;
  if (!found) return text;
  const out = text.replace(pattern, mask);
  pattern.lastIndex = 0;
  return out;
}
/**
 * Tries the provider token shapes inside long runs of token characters only (most text has few),
 * and skips runs of lower-case hex digits and dashes (trace, span and event ids, UUIDs, hashes):
 * every token shape has a letter past f, a capital or a symbol.
 */
function maskTokenRuns(text) {
  const n = text.length;
  if (n < MIN_TOKEN_RUN) return text;
  let parts;
  let last = 0;
  let i = 0;
  while (i < n) {
    // A run of MIN_TOKEN_RUN or more characters that starts at or after i covers i + MIN_TOKEN_RUN - 1:
    // when that character ends runs, no such run starts before it, so skip there.
    const probe = i + MIN_TOKEN_RUN - 1;
    if (probe >= n) break;
    const p = text.charCodeAt(probe);
    if (p >= 128 || IN_RUN[p] === 0) {
      i = probe + 1;
      continue;
    }
    // Walk back to the start of the run through probe (not before i), then forward to its end.
    let start = probe;
    while (start > i) {
      const c = text.charCodeAt(start - 1);
      if (c >= 128 || IN_RUN[c] === 0) break;
      start--;
    }
    let end = probe + 1;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c >= 128 || IN_RUN[c] === 0) break;
      end++;
    }
    if (end - start >= MIN_TOKEN_RUN && !isPlainRun(text, start, end)) {
      const run = text.slice(start, end);
      const masked = replaceAll(TOKEN_PATTERN, run);
      if (masked !== run) {
        (parts ??= []).push(text.slice(last, start), masked);
        last = end;
      }
    }
    i = end + 1;
  }
  if (parts === undefined) return text;
  parts.push(text.slice(last));
  return parts.join('');
}
/** True when text[start..end) is lower-case hex digits and dashes only. */
function isPlainRun(text, start, end) {
  for (let k = start; k < end; k++) if (IN_RUN[text.charCodeAt(k)] !== 2) return false;
  return true;
}
function parseJson(text) {
  try {
    const parsed = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
let keyVerdictCache = new Map();
function keyVerdict(key) {
  let verdict = keyVerdictCache.get(key);
  if (verdict === undefined) {
    verdict = { secret: isSecretKey(key), name: redactName(key) };
    if (key.length <= MAX_CACHED_LENGTH) {
      if (keyVerdictCache.size >= MAX_CACHED_NAMES) keyVerdictCache = new Map();
      keyVerdictCache.set(key, verdict);
    }
  }
  return verdict;
}
/**
 * Returns a copy of a JSON-like value with secret keys and secret-looking strings masked (keys
 * too: a secret used as a key is masked). Unchanged sub-trees are returned as they are (no copy),
 * so clean events cost little.
 */
export function redactValue(value, depth = 0) {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) {
    let out;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const r = redactValue(v, depth + 1);
      if (r !== v) {
        out ??= value.slice();
        out[i] = r;
      }
    }
    return out ?? value;
  }
  let out;
  const record = value;
  for (const k of Object.keys(record)) {
    const v = record[k];
    const verdict = keyVerdict(k);
    const r = verdict.secret && v !== null && v !== undefined && v !== '' ? REDACTED : redactValue(v, depth + 1);
    const key = verdict.name;
    if (r !== v || key !== k) {
      out ??= { ...record };
      if (key !== k) delete out[k];
      out[key] = r;
    }
  }
  return out ?? value;
}
function redactTags(tags) {
  let out;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i];
    const r = redactName(tag);
    if (r !== tag) {
      out ??= tags.slice();
      out[i] = r;
    }
  }
  return out ?? tags;
}
/** A nullable name or id. */
function n(value) {
  return value === null ? null : redactName(value);
}
/** A nullable text field. */
function s(value) {
  return value === null ? null : redactString(value);
}
/**
 * Masks secrets in every field of an event that reaches storage or output: names (component,
 * action, service), ids (session, agent, correlation, parent, event, trace and span ids), the
 * message, tags, details, context, states and the stack trace. Returns the same object when
 * nothing was secret.
 */
export function redactEvent(event) {
  const details = redactValue(event.details);
  const context = event.context_snapshot && redactValue(event.context_snapshot);
  const before = redactValue(event.state_before);
  const after = redactValue(event.state_after);
  const summary = redactString(event.event_summary);
  const stack = s(event.stack_trace);
  const component = redactName(event.component);
  const action = redactName(event.action);
  const sessionId = n(event.session_id);
  const agentId = n(event.agent_id);
  const correlationId = n(event.correlation_id);
  const parentId = s(event.parent_id);
  const eventId = redactString(event.event_id);
  const traceId = s(event.trace_id);
  const spanId = s(event.span_id);
  const parentSpanId = s(event.parent_span_id);
  const service = n(event.service_name);
  const tags = redactTags(event.tags);
  const metrics = event.performance_metrics && redactValue(event.performance_metrics);
  if (
    details === event.details &&
    context === event.context_snapshot &&
    before === event.state_before &&
    after === event.state_after &&
    summary === event.event_summary &&
    stack === event.stack_trace &&
    component === event.component &&
    action === event.action &&
    sessionId === event.session_id &&
    agentId === event.agent_id &&
    correlationId === event.correlation_id &&
    parentId === event.parent_id &&
    eventId === event.event_id &&
    traceId === event.trace_id &&
    spanId === event.span_id &&
    parentSpanId === event.parent_span_id &&
    service === event.service_name &&
    tags === event.tags &&
    metrics === event.performance_metrics
  ) {
    return event;
  }
  return {
    ...event,
    details,
    context_snapshot: context,
    state_before: before,
    state_after: after,
    event_summary: summary,
    stack_trace: stack,
    component,
    action,
    session_id: sessionId,
    agent_id: agentId,
    correlation_id: correlationId,
    parent_id: parentId,
    event_id: eventId,
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: parentSpanId,
    service_name: service,
    tags,
    performance_metrics: metrics,
  };
}
