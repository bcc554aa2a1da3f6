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
const TOKEN_SHAPES: readonly string[] = [
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
const SCHEME_SHAPES: readonly string[] = [
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
const CONTEXT_SHAPES: readonly string[] = [
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
