"""What a credential looks like, as data: names, value shapes, files and implicit readers.

Each row cites where it comes from. ``dockmod.secrets`` turns these rows into the
detector; transforms never hold patterns of their own.
"""

from __future__ import annotations

import re

# -- names -------------------------------------------------------------------------------

# BuildKit's SecretsUsedInArgOrEnv (frontend/dockerfile/dockerfile2llb/validations.go,
# getSecretsRegex): a key is a secret when one of these tokens is the whole key or one of
# its ``_``-separated words, case-insensitive, and no allow token is.
BUILDKIT_DENY_TOKENS: tuple[str, ...] = (
    "apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd",
    "secret", "token",
)
BUILDKIT_ALLOW_TOKENS: tuple[str, ...] = ("public", "file", "version")

# dockmod's additions to the deny list: spellings BuildKit misses that hadolint's DL3064
# discussion and Trivy's DS-0031 secret-name list treat as credentials (``DB_PASS``,
# ``SSH_PASSPHRASE``, ``AWS_SECRETKEY``, ``PRIVATEKEY``, ``ACCESSKEY``).
EXTRA_DENY_TOKENS: tuple[str, ...] = (
    "pass", "passphrase", "privatekey", "secretkey", "accesskey",
)

# dockmod's additions to the allow list, each a word that makes the variable hold *where*
# or *how* a secret is found rather than the secret itself (``TOKEN_URL``, ``KEY_PATH``,
# ``SECRET_DIR``, ``AUTH_TYPE``), or a public key fingerprint: the official ``python`` and
# ``wordpress`` images set ``ENV GPG_KEY <fingerprint>`` (docker-library/python
# Dockerfile-linux.template), which BuildKit reports although it is public.
EXTRA_ALLOW_TOKENS: tuple[str, ...] = (
    "url", "uri", "endpoint", "host", "hostname", "port", "path", "paths", "dir", "files",
    "name", "type", "mode", "method", "header", "scope", "scopes", "length", "size", "ttl",
    "timeout", "expiry", "expires", "enabled", "disabled", "checking", "required", "id_file",
    "gpg", "pgp", "gnupg", "fingerprint", "keyring", "keyserver", "env",
)

# .NET configuration from environment variables: ``__`` separates the sections of a
# hierarchical key (``Kestrel__Certificates__Default__KeyPath`` is the setting
# ``Kestrel:Certificates:Default:KeyPath``; "Configuration in ASP.NET Core", environment
# variables: https://learn.microsoft.com/aspnet/core/fundamentals/configuration/#environment-variables,
# and https://learn.microsoft.com/dotnet/core/compatibility/extensions/7.0/environment-variable-prefix).
# The value is that of the LAST section: only its name says whether it is a secret
# (``Jwt__Key``, ``Kestrel__Certificates__Default__Password`` are; ``Auth__Authority``,
# ``Token__Issuer`` are not). A name is read so when it has this separator between two
# sections that do not start or end with ``_`` (``NPM_CONFIG__AUTH`` stays npm's ``_auth``:
# its last section is ``AUTH``).
DOTNET_SECTION_SEPARATOR = "__"
# Last sections that, right after an array index (``Filters__0__Key``), are a property of
# one item of a list of key/value pairs, not a key: dotnet-monitor's process filters
# (``DefaultProcess__Filters__0__Key=ProcessId``, ``…__0__Value=1``:
# https://github.com/dotnet/dotnet-monitor/blob/main/documentation/configuration/default-process-configuration.md).
DOTNET_ITEM_PROPERTIES: frozenset[str] = frozenset({"key"})

# Names that say the value is a public key (``MINIO_UPDATE_MINISIGN_PUBKEY``, ``SSH_PUBLIC_KEY``,
# ``COSIGN_PUB_KEY``): its value is high-entropy by nature and public by design, so the
# entropy test alone does not make it a secret (a token format still does). As ``_``-separated
# words of the key, case-insensitive.
PUBLIC_KEY_WORDS: tuple[tuple[str, ...], ...] = (("pubkey",), ("publickey",), ("public", "key"), ("pub", "key"))

# -- values ------------------------------------------------------------------------------

# Token formats with a fixed prefix: (provider, regular expression, source).
TOKEN_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
    ("GitHub token", r"gh[pousr]_[A-Za-z0-9]{36,255}", "GitHub: authentication token formats"),
    # https://github.blog/changelog/2022-10-18-introducing-fine-grained-personal-access-tokens/
    ("GitHub fine-grained token", r"github_pat_[A-Za-z0-9_]{22,255}", "GitHub: fine-grained PATs"),
    # https://docs.gitlab.com/ee/security/tokens/#token-prefixes
    ("GitLab token", r"gl(?:pat|dt|rt|ptt|cbt|oas|imt|agent|soat|ffct)-[A-Za-z0-9_-]{20,}",
     "GitLab docs: token prefixes"),
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
    ("AWS access key id", r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}", "AWS IAM: unique ID prefixes"),
    # https://api.slack.com/authentication/token-types
    ("Slack token", r"xox[abposr]-[A-Za-z0-9-]{10,}", "Slack API: token types"),
    # https://github.blog/2021-09-23-announcing-npms-new-access-token-format/
    ("npm token", r"npm_[A-Za-z0-9]{36}", "npm: access token format"),
    # https://docs.stripe.com/keys
    ("Stripe secret key", r"[sr]k_live_[A-Za-z0-9]{20,}", "Stripe docs: API keys"),
    # https://cloud.google.com/docs/authentication/api-keys
    ("Google API key", r"AIza[A-Za-z0-9_-]{35}", "Google Cloud: API keys"),
    # https://pypi.org/help/#apitoken (macaroons serialised with this prefix)
    ("PyPI token", r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{20,}", "PyPI help: API tokens"),
    # https://docs.docker.com/security/for-developers/access-tokens/
    ("Docker Hub token", r"dckr_pat_[A-Za-z0-9_-]{20,}", "Docker docs: access tokens"),
    # https://platform.openai.com/docs/api-reference/authentication
    ("OpenAI key", r"sk-(?:proj-)?[A-Za-z0-9_-]{32,}", "OpenAI API: authentication"),
    # RFC 7468 (PEM): any "PRIVATE KEY" block
    ("private key", r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----", "RFC 7468"),
)

# High-entropy strings, following detect-secrets' Base64HighEntropyString (limit 4.5 bits
# per character) and HexHighEntropyString (3.0) plugins
# (https://github.com/Yelp/detect-secrets/blob/master/docs/plugins.md). The false-positive
# guard (see dockmod.secrets.looks_like_credential): at least MIN_ENTROPY_LENGTH
# characters, one word with no spaces, path separators or variables, letters and digits
# mixed in both cases; hex strings never count (they are checksums, digests, commit ids
# and key fingerprints far more often than credentials in a Dockerfile).
BASE64_ENTROPY_LIMIT = 4.5
MIN_ENTROPY_LENGTH = 20

# A URL's password is no credential worth a finding when the URL's host is one no build
# reaches with it, or the password is a placeholder (``postgres://user:password@localhost``,
# ``https://me:changeme@repo.example.com``): a local service's default or documentation.
# Names of hosts, lower-case, each also with any subdomain: loopback ``localhost`` (RFC 6761
# section 6.3), RFC 2606's second-level example domains.
PLACEHOLDER_HOSTS: tuple[str, ...] = ("localhost", "example.com", "example.net", "example.org")
# Reserved top-level names: RFC 2606 (``.test``, ``.example``, ``.invalid``, ``.localhost``)
# and mDNS's ``.local`` (RFC 6762): never a public service's host.
PLACEHOLDER_TLDS: tuple[str, ...] = ("test", "example", "invalid", "localhost", "local")
# Passwords that say "put yours here" (compared lower-case, after stripping ``<>``, ``{}``,
# ``[]`` around them): the words documentation and compose files use, and the defaults of
# common images (``changeit``: the JDK's cacerts store). A run of one repeated ``x`` or ``*``
# (``xxx``, ``****``) is one too.
PLACEHOLDER_PASSWORDS: frozenset[str] = frozenset({
    "password", "pass", "passwd", "pwd", "secret", "changeme", "change_me", "change-me",
    "changeit", "placeholder", "dummy", "example", "your_password", "yourpassword",
    "your-password", "mypassword", "my_password", "redacted",
})

# Values that only switch something on or off: never a credential
# (``ANSIBLE_HOST_KEY_CHECKING=False``, ``NPM_CONFIG_AUTH=0``).
FLAG_VALUES: frozenset[str] = frozenset({
    "", "true", "false", "yes", "no", "on", "off", "0", "1", "none", "null", "enabled", "disabled",
})

# -- implicit readers --------------------------------------------------------------------

# Programs that read a variable from the environment without it being written in the
# command: (variable, programs, source). A RUN that calls one of them needs the secret
# although its text never says ``$VAR``.
IMPLICIT_READERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
    ("AWS_ACCESS_KEY_ID", ("aws", "terraform", "sam", "cdk"), "AWS CLI: environment variables"),
    ("AWS_SECRET_ACCESS_KEY", ("aws", "terraform", "sam", "cdk"), "AWS CLI: environment variables"),
    ("AWS_SESSION_TOKEN", ("aws", "terraform", "sam", "cdk"), "AWS CLI: environment variables"),
    # https://cli.github.com/manual/gh_help_environment
    ("GH_TOKEN", ("gh",), "GitHub CLI: environment"),
    ("GITHUB_TOKEN", ("gh",), "GitHub CLI: environment"),
    # https://pip.pypa.io/en/stable/topics/configuration/#environment-variables
    ("PIP_INDEX_URL", ("pip", "pip3"), "pip: configuration"),
    ("PIP_EXTRA_INDEX_URL", ("pip", "pip3"), "pip: configuration"),
    # https://docs.astral.sh/uv/configuration/environment/
    ("UV_INDEX_URL", ("uv",), "uv: environment variables"),
    ("UV_EXTRA_INDEX_URL", ("uv",), "uv: environment variables"),
    # https://docs.npmjs.com/cli/v10/using-npm/config#environment-variables
    ("NPM_CONFIG__AUTH", ("npm", "npx"), "npm: config environment variables"),
    ("NPM_CONFIG_TOKEN", ("npm", "npx"), "npm: config environment variables"),
    # https://python-poetry.org/docs/repositories/#configuring-credentials
    ("POETRY_HTTP_BASIC_PYPI_PASSWORD", ("poetry",), "Poetry: configuring credentials"),
    # https://developers.cloudflare.com/workers/wrangler/system-environment-variables/
    ("CLOUDFLARE_API_TOKEN", ("wrangler",), "Wrangler: system environment variables"),
    # https://registry.terraform.io/providers/hashicorp/google/latest/docs
    ("GOOGLE_CREDENTIALS", ("terraform", "gcloud"), "Terraform Google provider"),
)

# npm reads ``${VAR}`` references inside .npmrc at run time
# (https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#files): a RUN that calls npm, yarn
# or pnpm reads every variable an earlier-written .npmrc names; dockmod treats any secret
# variable as read by them when the stage holds a .npmrc (COPY or write).
NPMRC_READERS: tuple[str, ...] = ("npm", "npx", "yarn", "pnpm")
# The variables such a .npmrc names by convention: ``NPM_TOKEN`` (npm docs, "Using private
# packages in a CI/CD workflow"), ``NODE_AUTH_TOKEN`` (actions/setup-node), and any other
# key with ``NPM`` in it. The .npmrc itself is in the build context, which dockmod does
# not read, so this is the convention, not a fact about the file.
NPMRC_VARIABLE = re.compile(r"(?i)npm|^node_auth_token$")

# -- files -------------------------------------------------------------------------------

# Files that tools read credentials from: (basename, tool, source). Writing a secret into
# one of them inside a RUN stores it in that layer unless the same RUN removes it.
CREDENTIAL_FILES: tuple[tuple[str, str, str], ...] = (
    (".npmrc", "npm", "https://docs.npmjs.com/cli/v10/configuring-npm/npmrc"),
    (".yarnrc.yml", "yarn", "https://yarnpkg.com/configuration/yarnrc#npmAuthToken"),
    (".netrc", "curl, git, pip", "https://everything.curl.dev/usingcurl/netrc"),
    ("pip.conf", "pip", "https://pip.pypa.io/en/stable/topics/configuration/"),
    (".pypirc", "twine", "https://packaging.python.org/en/latest/specifications/pypirc/"),
    (".git-credentials", "git", "https://git-scm.com/docs/git-credential-store"),
    (".gitconfig", "git", "https://git-scm.com/docs/git-config#_configuration_file"),
    ("config.json", "docker", "https://docs.docker.com/reference/cli/docker/#configuration-files"),
    ("credentials", "aws", "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html"),
    ("settings.xml", "maven", "https://maven.apache.org/settings.html#servers"),
    ("gradle.properties", "gradle", "https://docs.gradle.org/current/userguide/build_environment.html"),
)

# Credential files a RUN may write from a variable and remove again, which dockmod then
# mounts as a secret file at the same path instead (the id is the name without the dot:
# ``npmrc``). Each is read by its tool at a fixed path and holds nothing but settings.
MOUNTABLE_FILES: frozenset[str] = frozenset({".npmrc", ".netrc", "pip.conf", ".pypirc", ".yarnrc.yml"})
