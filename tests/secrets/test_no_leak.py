"""No planted secret value appears in anything dockmod prints, in any output format.

The file holds secrets of every kind dockmod knows: an ARG default and an ENV value that
DM301 moves, an ENV it only reports (short value, masked by key), and a credential
pasted into a RUN's URL. Each output is searched for every value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dockmod.cli import cli

NPM = "npm_" + "Q7w8E9r0T1y2U3i4O5p6A7s8D9f0G1h2J3k4"
GITHUB = "ghp_" + "R8x2Lm4Nq7Pz1Kv9Ws3Ty6Ub0Hc5Jd8Fe2Ga"
SHORT = "hunter2"
PASTED = "Pa55w0rdInUrl"
LEGACY = "Xk9Vb2Nm4Lq7Wp1Zs8Ht"  # legacy `ENV KEY value`: DM502's fix title would quote it
EXPORTED = "kdl0edMFGdGla2P1zacG"  # `NAME_SECRET="…"` inside a RUN's shell text (found by name)
PLANTED = (NPM, GITHUB, SHORT, PASTED, LEGACY, EXPORTED)

DOCKERFILE = f"""\
FROM node:22-slim
ARG NPM_TOKEN={NPM}
ENV API_TOKEN={GITHUB}
ENV DATABASE_PASSWORD={SHORT}
ENV SENTRY_PASSWORD {LEGACY}
RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci && rm .npmrc
RUN curl -fsS -H "Authorization: Bearer $API_TOKEN" https://api.example.com/x
RUN curl -fsS https://admin:{PASTED}@repo.acme.internal/tool -o /tool
RUN apt-get update && apt-get install curl && echo 'export APP_CLIENT_SECRET="{EXPORTED}"' > /etc/app.env
"""


def _run(*args: str, input: str | None = None) -> tuple[int, str]:
    r = CliRunner().invoke(cli, list(args), input=input)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout + r.stderr


def _assert_clean(out: str) -> None:
    for value in PLANTED:
        assert value not in out


@pytest.fixture
def dockerfile(tmp_path: Path) -> Path:
    p = tmp_path / "Dockerfile"
    p.write_text(DOCKERFILE)
    return p


@pytest.mark.parametrize("fmt", ["text", "full", "json", "sarif", "github"])
def test_check_formats(dockerfile: Path, fmt: str) -> None:
    code, out = _run("check", "--format", fmt, "--select", "DM301", "-j", "1", str(dockerfile))
    assert code == 1
    assert "API_TOKEN" in out  # the findings are there, only the values are not
    _assert_clean(out)


@pytest.mark.parametrize("fmt", ["text", "full", "json", "sarif", "github"])
def test_check_all_transforms(dockerfile: Path, fmt: str) -> None:
    _, out = _run("check", "--format", fmt, "-v", "-j", "1", str(dockerfile))
    assert "DM502" in out  # its fix title, `Write KEY=value`, is where a value would show
    _assert_clean(out)


@pytest.mark.parametrize("unsafe", [[], ["--unsafe-fixes"]])
def test_diff_masks_removed_and_context_lines(dockerfile: Path, unsafe: list[str]) -> None:
    code, out = _run("fix", *unsafe, "-v", "-j", "1", str(dockerfile))
    _assert_clean(out)
    if unsafe:
        assert "-ARG NPM_TOKEN=****\n" in out
        assert "-ENV API_TOKEN=****\n" in out
        assert " ENV DATABASE_PASSWORD=****\n" in out  # a context line, still in the file
        assert "# dockmod: secret values are masked as **** in this diff" in out


def test_apply_writes_the_real_file(dockerfile: Path) -> None:
    code, out = _run("fix", "--apply", "--unsafe-fixes", "-j", "1", str(dockerfile))
    _assert_clean(out)
    written = dockerfile.read_text()
    assert NPM not in written and GITHUB not in written
    # The .npmrc written and removed by the RUN is now a secret file at its path.
    assert "--mount=type=secret,id=npmrc,target=/.npmrc" in written
    assert "--mount=type=secret,id=api_token" in written
    assert 'export API_TOKEN="$(cat /run/secrets/api_token)"; curl' in written
    # After --apply the findings are gone; stderr says what the build must now pass.
    assert "the build now needs a secret" in out
    assert "`docker build --secret id=api_token,env=API_TOKEN`" in out
    assert "`secrets: api_token=${{ secrets.API_TOKEN }}`" in out
    assert "`docker build --secret id=npmrc,src=.npmrc`" in out
    assert "`secret-files: npmrc=./.npmrc`" in out
    # Not moved (no RUN reads it), so it stays in the file, which is the user's own.
    assert f"ENV DATABASE_PASSWORD={SHORT}\n" in written


def test_stdin_fix_prints_the_fixed_file_without_moved_secrets() -> None:
    code, out = _run("fix", "--unsafe-fixes", "--select", "DM301", "-", input=DOCKERFILE)
    assert NPM not in out and GITHUB not in out
    assert "--mount=type=secret,id=api_token" in out


def test_parse_error_quoting_a_secret_line_is_masked(tmp_path: Path) -> None:
    p = tmp_path / "Dockerfile"
    # Not `name=value`: the error quotes the line that holds the token.
    p.write_text(f"FROM alpine\nENV API_TOKEN={GITHUB} <<EOF\n")
    code, out = _run("check", "-j", "1", str(p))
    assert code == 2
    assert "2 | ENV API_TOKEN=****" in out
    _assert_clean(out)


def test_mask_printed_covers_the_quoted_forms_and_json() -> None:
    """``dockmod parse``'s masking (dockmod.secrets.mask_printed): the value as written,
    unquoted, and as repr/Go %q/JSON print it; JSON text stays JSON."""
    import json as _json

    from dockmod import parse
    from dockmod.secrets import mask_printed

    value = 'ghp_' + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + '"x'
    df = parse(f"FROM alpine\nENV GITHUB_TOKEN='{value}'\n")
    text = f"{value}|{value!r}|{_json.dumps(value)}"
    masked = mask_printed(df, text)
    assert "a1B2c3D4e5F6" not in masked
    doc = _json.dumps({"v": value, "k": [value]})
    out = mask_printed(df, doc + "\n", json_text=True)
    assert out.endswith("\n") and "a1B2c3D4e5F6" not in out
    assert _json.loads(out) == {"v": "****", "k": ["****"]}
    assert mask_printed(parse("FROM alpine\n"), "plain") == "plain"


# An unterminated heredoc: the parse error quotes the line with the token.
HEREDOC = f'FROM alpine:3.20\nRUN <<EOF curl -H "Authorization: token {GITHUB}" https://api.github.com/\necho\n'


@pytest.mark.parametrize("fmt", ["tree", "buildkit", "dump", "model", "model-json"])
def test_parse_error_is_masked_by_parse(tmp_path: Path, fmt: str) -> None:
    p = tmp_path / "Dockerfile"
    p.write_text(HEREDOC)
    code, out = _run("parse", "--format", fmt, str(p))
    assert code != 0
    assert "unterminated heredoc" in out and "token ****" in out
    _assert_clean(out)


def test_parse_error_is_masked_by_lock_and_counted_as_failed(tmp_path: Path) -> None:
    p = tmp_path / "Dockerfile"
    p.write_text(HEREDOC)
    code, out = _run("lock", "--lock-file", str(tmp_path / "x.lock"), str(p))
    assert code == 2
    assert "unterminated heredoc" in out and "token ****" in out
    _assert_clean(out)
    assert "0 changed, 0 unchanged, 1 failed" in out


DENIED = "plainvalue42"  # secret only because the user's `deny` words say so


@pytest.mark.parametrize("command", [("check", "--format", "full"), ("fix", "--unsafe-fixes")])
def test_user_deny_words_are_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]) -> None:
    # DM301's `deny` makes SENTRY_DSN a secret: masking judges keys with the same words, so
    # neither the quoted line nor the diff shows its value (they did before).
    (tmp_path / "Dockerfile").write_text(
        f'FROM alpine\nARG SENTRY_DSN={DENIED}\nRUN curl -H "X: $SENTRY_DSN" https://example.com\n')
    (tmp_path / "pyproject.toml").write_text('[tool.dockmod.transform.move-secrets-to-mounts]\ndeny = ["dsn"]\n')
    monkeypatch.chdir(tmp_path)
    _, out = _run(*command, "-j", "1", "Dockerfile")
    assert "SENTRY_DSN" in out and "****" in out
    assert DENIED not in out
