"""The detector: BuildKit's name rule plus dockmod's words, value shapes, masking."""

from __future__ import annotations

import pytest

import dockmod
from dockmod.secrets import MASK, is_secret_name, looks_like_credential, mask_secrets, secret_values


@pytest.mark.parametrize("name", [
    # BuildKit's own examples (validations.go): whole key or one `_`-separated word.
    "api_key", "DATABASE_PASSWORD", "GITHUB_TOKEN", "secret_MESSAGE", "AUTH", "apikey",
    "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "NPM_TOKEN", "MY_CREDENTIALS",
    # dockmod's additions
    "DB_PASS", "SSH_PASSPHRASE",
])
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", [
    # BuildKit's allow words
    "PUBLIC_KEY", "PASSWORD_FILE", "TOKEN_VERSION",
    # dockmod's allow words: where a secret is, not what it is; public fingerprints
    "TOKEN_URL", "KEY_PATH", "SECRET_DIR", "GPG_KEY", "ANSIBLE_HOST_KEY_CHECKING",
    # a deny word inside another word is not a word of the key
    "MONKEY", "KEYCLOAK_VERSION", "TOKENIZER", "AUTHOR",
])
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_user_lists() -> None:
    assert is_secret_name("SENTRY_DSN", deny=["dsn"])
    assert not is_secret_name("PASSWORD_SALT", allow=["salt"])
    assert not is_secret_name("GPG_KEY", deny=["dsn"])  # the built-in allow list still applies
    assert is_secret_name("GPG_KEY", deny=["gpg"])  # a user's deny word beats the built-in allow


@pytest.mark.parametrize(("value", "kind"), [
    ("ghp_" + "a1B2" * 9, "GitHub token"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "GitHub fine-grained token"),
    ("glpat-Xy7Qw3Er5Ty9Ui1Op4As", "GitLab token"),
    ("AKIAIOSFODNN7EXAMPLE", "AWS access key id"),
    ("xoxb-123456789012-abcdefghij", "Slack token"),
    ("npm_" + "Q7w8E9r0T1y2U3i4O5p6A7s8D9f0G1h2J3k4", "npm token"),
    ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "Stripe secret key"),
    ("AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "Google API key"),
    ("https://ci:s3cret@pypi.acme.internal/simple", "URL with a password"),
    ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "high-entropy string"),
])
def test_credential_values(value: str, kind: str) -> None:
    assert looks_like_credential(value) == kind


@pytest.mark.parametrize("value", [
    "A035C8C19219BA821ECEA86B64E628F8D684696D",  # a GPG fingerprint: hex
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # sha256
    "/usr/local/lib/python3.12/site-packages",
    "https://$USER:$PASSWORD@example.com/",  # credentials come from variables
    "https://pypi.org/simple",
    "False", "1", "",
    "production",
    "aaaaaaaaaaaaaaaaaaaaaaaaA1",  # long, mixed, but low entropy
])
def test_not_credential_values(value: str) -> None:
    assert looks_like_credential(value) is None


def test_mask_secrets_long_values_anywhere_short_ones_by_key() -> None:
    df = dockmod.parse('FROM alpine\nARG NPM_TOKEN="npm_' + "x1Y2" * 9 + '"\nENV DB_PASSWORD=abc\n'
                       "RUN echo abc\n")
    values = secret_values(df)
    text = df.code + "\n" + "npm_" + "x1Y2" * 9
    masked = mask_secrets(text, values)
    assert "x1Y2" not in masked
    assert f"ENV DB_PASSWORD={MASK}\n" in masked
    assert "RUN echo abc" in masked  # a three-letter value is not masked out of other text


@pytest.mark.parametrize(("text", "found"), [
    ('echo \'export GOOGLE_DEFAULT_CLIENT_SECRET="kdloedMFGdGla2P1zacG"\'', ["kdloedMFGdGla2P1zacG"]),
    ("--build-arg DB_PASSWORD=correcthorse", ["correcthorse"]),
    ("PASSWORD='s3cr3t pass'", ["s3cr3t pass"]),
    ("API_TOKEN=$API_TOKEN", []),            # a variable: its value comes from elsewhere
    ('API_TOKEN="${TOKEN}"', []),
    ("SECRET_FILE=/run/secrets/npm", []),    # a path is not the secret
    ("PASSWORD=x", []),                      # too short to mask without eating text
    ("DEBUG_PASSWORD=false", []),            # a flag value
    ("CLIENT_ID=811574891467.apps", []),     # not a secret name
    ("for key in B97B0AFCAA1A47F044F244A07FCC7D11 ; do key=B97B0AFCAA1A47F044F244A07FCC7D11", []),  # GPG fingerprint
])
def test_keyed_values_in_any_text(text: str, found: list[str]) -> None:
    from dockmod.secrets import _credential_words

    assert list(_credential_words(text)) == found


def test_credentials_found_line_by_line_in_a_whole_file() -> None:
    """Only lines holding ``=`` (keyed values) or ``://`` and ``@`` (URL passwords) are
    scanned for those: the words found, and their order, are those of the whole text."""
    from dockmod.secrets import _credential_words

    stripe = "sk_live_" + "a1B2" * 6
    text = ("FROM alpine\r\n"
            "RUN pip install -i https://ci:Zx8Qw2Er@pypi.acme.internal/simple x \\\r\n"
            "    && curl https://example.com/@latest\n"
            'ENV DB_PASSWORD="two\rlines" OTHER=1\n'
            f"LABEL note={stripe}\n"
            "RUN echo x\n"
            "ARG API_TOKEN=correcthorse\n")
    assert list(_credential_words(text)) == [stripe, "Zx8Qw2Er", "two\rlines", "correcthorse"]


def test_required_text_of_a_token_pattern_is_in_every_match() -> None:
    """``_credential_words`` skips a pattern on text without its required text: that text
    must follow the pattern's leading character class, with no group or alternation that
    could match without it."""
    import re

    from dockmod.ecosystems.secrets import TOKEN_PATTERNS
    from dockmod.secrets import _REQUIRED_TEXT

    patterns = {name: rx for name, rx, _ in TOKEN_PATTERNS}
    for name, required in _REQUIRED_TEXT.items():
        assert re.fullmatch(r"\[[^\]\\]+\]" + re.escape(required) + r"[^|()]*", patterns[name]), name


def test_mask_secrets_short_values_as_whole_tokens_only() -> None:
    # A short password in a URL (umami's, with one that is no placeholder): masked where it
    # is a token of its own (in the URL, as a word), never inside `compast` or `pasta`.
    df = dockmod.parse('FROM alpine\nENV DATABASE_URL="postgresql://user:past@db:5432/x"\n')
    masked = mask_secrets('u="postgresql://user:past@db" echo "compast pasta apast" a past; past',
                          secret_values(df))
    assert masked == f'u="postgresql://user:{MASK}@db" echo "compast pasta apast" a {MASK}; {MASK}'


def test_a_placeholder_url_password_is_not_masked() -> None:
    # umami's build-time dummy URL (`pass`, a placeholder) and hoppscotch's on `localhost`:
    # DM301 reports neither, and masking them only garbled diffs (a context line with
    # `****` made the printed patch fail to apply).
    for url in ("postgresql://user:pass@db:5432/x", "postgresql://placeholder:placeholder@localhost:5432/placeholder"):
        df = dockmod.parse(f'FROM alpine\nENV DATABASE_URL="{url}"\n')
        assert secret_values(df) == []
        assert mask_secrets(df.code, secret_values(df)) == df.code


def test_a_public_key_name_is_not_a_secret_on_entropy_alone() -> None:
    from dockmod.secrets import credential_in, names_public_key

    value = "RWTx5Zr1tiHQLwG9keckT0c45M3AGeHD6IvimQHpyRywVWGbP1aVSGav"  # minio's minisign key
    for name in ("MINIO_UPDATE_MINISIGN_PUBKEY", "SSH_PUBLIC_KEY", "cosign_pub_key", "PUBLICKEY"):
        assert names_public_key(name)
        assert credential_in(name, value) is None
    for name in ("OTHER_VALUE", "PUBLISH_KEY", "REPUBKEY_X"):
        assert not names_public_key(name)
        assert credential_in(name, value) == "high-entropy string"
    # A token format is still a token, whatever the name says.
    assert credential_in("SSH_PUBLIC_KEY", "ghp_" + "R8x2Lm4Nq7Pz1Kv9Ws3Ty6Ub0Hc5Jd8Fe2Ga") == "GitHub token"


def _dm301_output(tmp_path, text: str) -> str:  # type: ignore[no-untyped-def]
    """What ``dockmod check --select DM301`` prints for a Dockerfile of ``text``."""
    from click.testing import CliRunner

    from dockmod.cli import cli

    p = tmp_path / "Dockerfile"
    p.write_text(text)
    return CliRunner().invoke(cli, ["check", "--select", "DM301", "-j", "1", str(p)]).output


def test_dm301_does_not_report_a_public_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = _dm301_output(tmp_path, 'FROM alpine\nENV MINIO_UPDATE_MINISIGN_PUBKEY="RWTx5Zr1tiHQLwG9keckT0c45M3AGeHD6IvimQHpyRywVWGbP1aVSGav"\n'
                        "ENV OTHER_VALUE=RWTx5Zr1tiHQLwG9keckT0c45M3AGeHD6IvimQHpyRywVWGbP1aVSGav\n")
    assert "OTHER_VALUE" in out
    assert "MINIO_UPDATE_MINISIGN_PUBKEY" not in out


@pytest.mark.parametrize(("name", "secret"), [
    # .NET hierarchical configuration (`__` between sections): the LAST section names the value.
    ("DefaultProcess__Filters__0__Key", False),  # dotnet-monitor: one filter's key (`ProcessId`)
    ("Logging__Filters__12__key", False),
    ("Kestrel__Certificates__Default__KeyPath", False),
    ("Auth__Authority", False),
    ("Token__Issuer", False),
    ("ApiKey__HeaderName", False),
    ("Kestrel__Certificates__Default__Password", True),
    ("Jwt__Key", True),  # a signing key, not an item of a list
    ("Secrets__0__Password", True),
    ("ConnectionStrings__Redis__Password", True),
    # npm's `_auth` (`NPM_CONFIG__AUTH`) and names that are not sections stay as they were
    ("NPM_CONFIG__AUTH", True),
    ("A___KEY", True),
    ("__TOKEN", True),
])
def test_dotnet_configuration_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_dotnet_last_section_keeps_the_users_lists() -> None:
    assert is_secret_name("Filters__0__Key", deny=["key"])
    assert not is_secret_name("Jwt__Key", allow=["jwt"])


def test_dm301_reads_dotnet_sections(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # as dotnet/dotnet-docker's monitor-base images set them
    out = _dm301_output(tmp_path, "FROM alpine\nENV DefaultProcess__Filters__0__Key=ProcessId \\\n"
                        "    DefaultProcess__Filters__0__Value=1 \\\n    Jwt__Key=changeit\n")
    assert "`Jwt__Key`" in out
    assert "DefaultProcess__Filters" not in out


@pytest.mark.parametrize("value", [
    # a local or reserved host: RFC 6761 loopback, RFC 2606 example domains and TLDs, mDNS
    "postgres://app:Hq7Lz2Rk9Vw4@localhost:5432/app",
    "postgres://app:Hq7Lz2Rk9Vw4@db.localhost/app",
    "mysql://root:Hq7Lz2Rk9Vw4@127.0.0.1:3306/x",
    "mysql://root:Hq7Lz2Rk9Vw4@127.8.9.1/x",
    "redis://:Hq7Lz2Rk9Vw4@[::1]:6379/0",
    "https://ci:Hq7Lz2Rk9Vw4@example.com/simple",
    "https://ci:Hq7Lz2Rk9Vw4@pypi.EXAMPLE.org./simple",
    "https://ci:Hq7Lz2Rk9Vw4@git.example.net/x.git",
    "https://ci:Hq7Lz2Rk9Vw4@nas.local/share",
    "https://ci:Hq7Lz2Rk9Vw4@svc.test/",
    "https://ci:Hq7Lz2Rk9Vw4@x.invalid/",
    "https://ci:Hq7Lz2Rk9Vw4@x.example/",
    # a placeholder password on any host
    "https://me:password@pypi.acme.internal/simple",
    "https://me:Pass@pypi.acme.internal/simple",
    "https://me:changeme@pypi.acme.internal/simple",
    "https://me:changeit@pypi.acme.internal/simple",
    "https://me:secret@pypi.acme.internal/simple",
    "https://me:<password>@pypi.acme.internal/simple",
    "https://me:{password}@pypi.acme.internal/simple",
    "https://me:xxx@pypi.acme.internal/simple",
    "https://me:XXXXXXXX@pypi.acme.internal/simple",
    "https://me:*****@pypi.acme.internal/simple",
])
def test_placeholder_url_passwords_are_not_credentials(value: str) -> None:
    assert looks_like_credential(value) is None


@pytest.mark.parametrize("value", [
    "https://ci:Hq7Lz2Rk9Vw4@pypi.acme.internal/simple",
    "https://ci:Hq7Lz2Rk9Vw4@10.0.0.5/simple",  # a private address is a real host
    "https://ci:Hq7Lz2Rk9Vw4@db:5432/x",  # a compose service
    "https://ci:Hq7Lz2Rk9Vw4@myexample.com/",  # not example.com
    "https://ci:Hq7Lz2Rk9Vw4@example.com.evil.io/",
    "https://ci:Hq7Lz2Rk9Vw4@localhost.evil.io/",
    "https://ci:Hq7Lz2Rk9Vw4@$REGISTRY/",  # the host is not known
    "https://ci:passw0rd-Hq7Lz@pypi.acme.internal/",  # not a placeholder word
    "https://ci:xx@pypi.acme.internal/",
    # one real credential among placeholders
    "http://u:password@localhost/ https://ci:Hq7Lz2Rk9Vw4@pypi.acme.internal/simple",
])
def test_real_looking_url_passwords_are_still_credentials(value: str) -> None:
    assert looks_like_credential(value) == "URL with a password"


def test_a_url_password_is_masked_as_dm301_judges_it() -> None:
    # On a local host it is a placeholder for DM301 (no finding), so it is not masked; on
    # any other host it is a credential, also in a RUN's text.
    df = dockmod.parse("FROM alpine\nRUN pip install -i https://ci:Hq7Lz2Rk9Vw4@localhost/simple x\n")
    assert "Hq7Lz2Rk9Vw4" in mask_secrets(df.code, secret_values(df))
    df = dockmod.parse("FROM alpine\nRUN pip install -i https://ci:Hq7Lz2Rk9Vw4@pypi.acme.internal/simple x\n")
    assert "Hq7Lz2Rk9Vw4" not in mask_secrets(df.code, secret_values(df))


def test_mask_findings_masks_the_unsafe_reason() -> None:
    from dockmod.secrets import SecretValue, mask_findings
    from dockmod.transforms._base import FixSafety, Finding

    value = "Hq7Lz2Rk9Vw4Tb5Nc8Xp"
    f = Finding("DM202", "add-cache-mounts", "m", 1, 1, 1, 2, fix_title="t", safety=FixSafety.UNSAFE,
                unsafe_reason=f"the file uses frontend `x/{value}`")
    (masked,) = mask_findings([f], [SecretValue("TOKEN", value, value)])
    assert masked.unsafe_reason == f"the file uses frontend `x/{MASK}`"
