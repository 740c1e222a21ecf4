"""dockmod.shell: commands, words, spans back to raw text, package managers, removals."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections import Counter

import pytest

import dockmod
from dockmod.cst.arguments import Heredoc, ShellCommand
from dockmod.cst.instructions import Run
from dockmod.lang.words import logical_text
from dockmod.ecosystems import Manager
from dockmod.ecosystems import calls as pm_calls
from dockmod.shell import (
    Operator,
    ShellScript,
    parse_heredoc_body,
    parse_shell,
    remove_command,
    remove_word,
    remove_words,
)
from tests.conftest import corpus_files, read

BT = "`"

# --- command splitting -------------------------------------------------------------------

# (raw, escape, [(name, argv texts, operator joining it to the next command)])
SPLIT = [
    ("echo hi", "\\", [("echo", ["echo", "hi"], None)]),
    ("a && b || c; d | e", "\\", [("a", ["a"], "&&"), ("b", ["b"], "||"), ("c", ["c"], ";"), ("d", ["d"], "|"), ("e", ["e"], None)]),
    ("a |& b & c", "\\", [("a", ["a"], "|&"), ("b", ["b"], "&"), ("c", ["c"], None)]),
    (
        "DEBIAN_FRONTEND=noninteractive apt-get install -y curl",
        "\\",
        [("apt-get", ["apt-get", "install", "-y", "curl"], None)],
    ),
    ("(cd /src && make) && { a; b; }", "\\", [("cd", ["cd", "/src"], "&&"), ("make", ["make"], None), ("a", ["a"], ";"), ("b", ["b"], ";")]),
    ("if [ -f x ]; then pip install .; else echo no; fi", "\\", [("pip", ["pip", "install", "."], ";"), ("echo", ["echo", "no"], ";")]),
    ("for f in a b; do rm $f; done && ls", "\\", [("rm", ["rm", "$f"], ";"), ("ls", ["ls"], None)]),
    ("while read l; do echo $l; done < f", "\\", [("read", ["read", "l"], ";"), ("echo", ["echo", "$l"], ";")]),
    ("export A=1 B && unset C", "\\", [("export", ["export", "A=1", "B"], "&&"), ("unset", ["unset", "C"], None)]),
    ("! grep -q x f && echo missing", "\\", [("grep", ["grep", "-q", "x", "f"], "&&"), ("echo", ["echo", "missing"], None)]),
    # bash binds a redirection to the last command, tree-sitter-bash to the list.
    ("a && b > f | c", "\\", [("a", ["a"], "&&"), ("b", ["b"], "|"), ("c", ["c"], None)]),
    ("set -eux; apt-get update", "\\", [("set", ["set", "-eux"], ";"), ("apt-get", ["apt-get", "update"], None)]),
    # Commands inside substitutions are part of a word.
    ("echo $(date) `id -u`", "\\", [("echo", ["echo", "$(date)", "`id -u`"], None)]),
    ("echo hi # c && d", "\\", [("echo", ["echo", "hi"], None)]),
    # Continuations and the comment lines after them are gone from the logical text.
    ("apt-get update \\\n    # refresh\n    && apt-get install -y curl", "\\", [("apt-get", ["apt-get", "update"], "&&"), ("apt-get", ["apt-get", "install", "-y", "curl"], None)]),
    ("a \\\r\n  # c\r\n\r\n  && b", "\\", [("a", ["a"], "&&"), ("b", ["b"], None)]),
    ("a `\n  && b", BT, [("a", ["a"], "&&"), ("b", ["b"], None)]),
    # Heredoc markers: the bodies follow the instruction, not the shell text.
    ("<<EOF", "\\", []),
    ("cat <<EOF > /etc/x && echo done", "\\", [("cat", ["cat"], "&&"), ("echo", ["echo", "done"], None)]),
    ("a && cat <<-'EOF' | sh; b", "\\", [("a", ["a"], "&&"), ("cat", ["cat"], "|"), ("sh", ["sh"], ";"), ("b", ["b"], None)]),
    ("python3 <<EOF\n", "\\", [("python3", ["python3"], None)]),
]


@pytest.mark.parametrize(("raw", "escape", "expected"), SPLIT, ids=[r[0][:40] for r in SPLIT])
def test_split(raw: str, escape: str, expected: list) -> None:
    script = parse_shell(raw, escape)
    assert not script.has_error
    got = [(c.name, c.words, c.operator) for c in script.commands]
    assert got == [(n, w, Operator(o) if o else None) for n, w, o in expected]
    _check_spans(script)


def test_shell_command_node_and_assignments() -> None:
    df = dockmod.parse("FROM x\nRUN DEBIAN_FRONTEND=noninteractive X=\"1 2\" apt-get -qq update > /dev/null\n")
    run = df.body[1]
    assert isinstance(run, Run) and isinstance(run.command, ShellCommand)
    (cmd,) = parse_shell(run.command).commands
    assert cmd.name == "apt-get"
    assert [a.text for a in cmd.assignments] == ["DEBIAN_FRONTEND=noninteractive", "X=1 2"]
    assert cmd.redirects == ("> /dev/null",)
    assert run.command.raw[slice(*cmd.statement_span)].endswith("> /dev/null")
    assert cmd.previous_operator is None and not cmd.nested


# (script, the compound command around its last command: SimpleCommand.compound)
COMPOUNDS = [
    ("pip x", None),
    ("a | pip x", None),
    ("! pip x > /dev/null", None),
    ("a && for d in p/*; do pip x; done", "for"),
    ("for ((i = 0; i < 2; i++)); do pip x; done", "for"),
    ("while a; do pip x; done", "while"),
    ("until a; do pip x; done", "until"),
    ("if [ -f x ]; then pip x; fi", "if"),
    ("case $x in a) pip x ;; esac", "case"),
    ("a && (cd b && pip x) 2>/dev/null", "("),
    ("{ pip x; }", "{"),
    ("f() { pip x; }", "function"),
    ("if a; then for b in c; do pip x; done; fi", "if"),  # the outermost
]


@pytest.mark.parametrize(("raw", "expected"), COMPOUNDS)
def test_compound(raw: str, expected: str | None) -> None:
    cmd = parse_shell(raw).commands[-1]
    assert cmd.name == "pip"
    assert cmd.compound == expected
    assert cmd.nested is (expected is not None)


# --- words --------------------------------------------------------------------------------

# (word as written, text, static)
WORDS = [
    ("plain", "plain", True),
    ("'a b'", "a b", True),
    ('"a b"', "a b", True),
    ('"cur"l', "curl", True),
    ("a\\ b", "a b", True),
    ('"a\\"b\\x"', 'a"b\\x', True),
    ("--opt='x y'", "--opt=x y", True),
    ('"$HOME/x"', "$HOME/x", False),
    ("${A:-b}", "${A:-b}", False),
    ("$(cat f)", "$(cat f)", False),
    ("/var/lib/apt/lists/*", "/var/lib/apt/lists/*", True),
    ("'it'\"'\"'s'", "it's", True),
    ("\\$x", "$x", True),
]


@pytest.mark.parametrize(("word", "text", "static"), WORDS, ids=[w[0] for w in WORDS])
def test_word_text(word: str, text: str, static: bool) -> None:
    raw = f"cmd {word} end"
    (cmd,) = parse_shell(raw).commands
    w = cmd.argv[1]
    assert (w.raw, w.text, w.static) == (word, text, static)
    assert raw[slice(*w.span)] == word
    assert cmd.argv[2].text == "end"


# --- spans across continuations -------------------------------------------------------------

SPAN_CASES = [
    ("apt-get update \\\n    # refresh\n    && apt-get install -y curl", "\\"),
    ("apt-get update \\\n    # a\n\n    # b\n  \t\n    && apt-get install -y \\\n      curl \\\n      'git'", "\\"),
    ("pip install \\\r\n    # crlf\r\n    --no-cache-dir \\\r\n    -r requirements.txt", "\\"),
    ("Invoke-WebRequest -Uri $url `\n    # comment\n    -OutFile x.zip", BT),
    ("echo \\  \t\nspaces after the continuation", "\\"),
    ("echo ünïcödé \\\n  && echo 日本 \\\n  && echo done", "\\"),
    ("a \\\n\\\n  b", "\\"),
]


@pytest.mark.parametrize(("raw", "escape"), SPAN_CASES, ids=[c[0][:30] for c in SPAN_CASES])
def test_spans_map_to_raw(raw: str, escape: str) -> None:
    script = parse_shell(ShellCommand(raw=raw, escape=escape))
    assert script.text == logical_text(raw, escape)
    assert script.commands
    _check_spans(script)


def test_span_values() -> None:
    raw = "apt-get update \\\n    # refresh\n    && apt-get install -y curl"
    script = parse_shell(raw)
    install = script.commands[1]
    assert install.span == (raw.index("apt-get install"), len(raw))
    assert [raw[slice(*w.span)] for w in install.argv] == ["apt-get", "install", "-y", "curl"]
    assert script.raw_span(0, len(script.text)) == (0, len(raw))


def _check_spans(script: ShellScript) -> None:
    raw = script.raw
    for c in script.commands:
        assert 0 <= c.span[0] <= c.span[1] <= len(raw)
        assert c.statement_span[0] <= c.span[0] and c.span[1] <= c.statement_span[1]
        for w in (*c.assignments, *c.argv):
            assert script.text[slice(*w.logical_span)] == w.raw
            piece = raw[slice(*w.span)]
            # A word can hold a continuation itself; its logical text is then the word.
            assert logical_text(piece, script.escape or "\\") == w.raw if script.escape else piece == w.raw


# --- package managers ----------------------------------------------------------------------

# (raw, [(manager, action, option names, files, operands, manifests)])
PM = [
    ("pip install --no-cache-dir -r requirements.txt -c constraints.txt", [("pip", "install", ["--no-cache-dir", "-r", "-c"], ["requirements.txt", "constraints.txt"], [], [])]),
    ("pip3 install --requirement=req.txt flask==3.0", [("pip", "install", ["--requirement"], ["req.txt"], ["flask==3.0"], [])]),
    ("pip3.12 install -e . && python -m pip install .", [("pip", "install", ["-e"], [], [], []), ("pip", "install", [], [], ["."], [])]),
    ("python3 -u -m pip --no-cache-dir install -rreq.txt", [("pip", "install", ["--no-cache-dir", "-r"], ["req.txt"], [], [])]),
    ("/usr/local/bin/pip install --upgrade pip setuptools", [("pip", "install", ["--upgrade"], [], ["pip", "setuptools"], [])]),
    ("python3 setup.py install && pip list", []),
    ("uv pip install --system -r requirements.txt", [("uv", "pip install", ["--system", "-r"], ["requirements.txt"], [], [])]),
    ("uv sync --frozen --no-dev", [("uv", "sync", ["--frozen", "--no-dev"], [], [], ["pyproject.toml", "uv.lock"])]),
    ("poetry install --no-root --only main", [("poetry", "install", ["--no-root", "--only"], [], [], ["pyproject.toml", "poetry.lock"])]),
    ("pipenv install --deploy --system", [("pipenv", "install", ["--deploy", "--system"], [], [], ["Pipfile", "Pipfile.lock"])]),
    ("npm ci --omit=dev && npm run build", [("npm", "ci", ["--omit"], [], [], ["package.json", "package-lock.json"])]),
    ("npm i -g pnpm@9 && pnpm install --frozen-lockfile", [("npm", "install", ["-g"], [], ["pnpm@9"], ["package.json", "package-lock.json"]), ("pnpm", "install", ["--frozen-lockfile"], [], [], ["package.json", "pnpm-lock.yaml"])]),
    ("yarn --frozen-lockfile && yarn install && yarn build", [("yarn", "install", ["--frozen-lockfile"], [], [], ["package.json", "yarn.lock"]), ("yarn", "install", [], [], [], ["package.json", "yarn.lock"])]),
    ("go mod download && CGO_ENABLED=0 go build -o /app ./cmd/app", [("go", "mod download", [], [], [], ["go.mod", "go.sum"]), ("go", "build", ["-o"], [], ["./cmd/app"], ["go.mod", "go.sum"])]),
    ("cargo fetch && cargo build --release --locked", [("cargo", "fetch", [], [], [], ["Cargo.toml", "Cargo.lock"]), ("cargo", "build", ["--release", "--locked"], [], [], ["Cargo.toml", "Cargo.lock"])]),
    ("bundle install --jobs 4", [("bundler", "install", ["--jobs"], [], [], ["Gemfile", "Gemfile.lock"])]),
    ("composer install --no-dev --prefer-dist", [("composer", "install", ["--no-dev", "--prefer-dist"], [], [], ["composer.json", "composer.lock"])]),
    ("mvn -B -q dependency:go-offline -f pom.xml", [("maven", "dependency:go-offline", ["-B", "-q", "-f"], ["pom.xml"], [], ["pom.xml"])]),
    ("./gradlew build -x test --no-daemon", [("gradle", "build", ["-x", "--no-daemon"], [], [], ["build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties", "gradle/wrapper/gradle-wrapper.properties"])]),
    ("apt-get update && apt-get install -y --no-install-recommends curl ca-certificates", [("apt-get", "update", [], [], [], []), ("apt-get", "install", ["-y", "--no-install-recommends"], [], ["curl", "ca-certificates"], [])]),
    ("apt-get -qq -o Dpkg::Options::=--force-confnew install git", [("apt-get", "install", ["-qq", "-o"], [], ["git"], [])]),
    ("sudo -E apt install -yq vim", [("apt", "install", ["-yq"], [], ["vim"], [])]),
    ("apk add --no-cache --virtual .build-deps gcc musl-dev", [("apk", "add", ["--no-cache", "--virtual"], [], ["gcc", "musl-dev"], [])]),
    ("dnf install -y --setopt=install_weak_deps=False git && dnf clean all", [("dnf", "install", ["-y", "--setopt"], [], ["git"], []), ("dnf", "clean", [], [], ["all"], [])]),
    ("yum -y install httpd && microdnf install -y tar", [("yum", "install", ["-y"], [], ["httpd"], []), ("microdnf", "install", ["-y"], [], ["tar"], [])]),
    ("env DEBIAN_FRONTEND=noninteractive apt-get upgrade -y", [("apt-get", "upgrade", ["-y"], [], [], [])]),
    ("if [ -f requirements.txt ]; then pip install -r requirements.txt; fi", [("pip", "install", ["-r"], ["requirements.txt"], [], [])]),
    ("npm run build && go version && cargo --version", []),
]


@pytest.mark.parametrize(("raw", "expected"), PM, ids=[p[0][:40] for p in PM])
def test_package_managers(raw: str, expected: list) -> None:
    calls = pm_calls(parse_shell(raw))
    got = [
        (c.manager.value, c.action, [o.name for o in c.options], list(c.files), [w.text for w in c.operands], list(c.manifests))
        for c in calls
    ]
    assert got == expected
    for c in calls:
        assert raw[slice(*c.span)].endswith(" ".join(w.raw for w in c.command.argv))
        assert c.manager in Manager


def test_package_manager_accessors() -> None:
    raw = "apt-get install -qq --no-install-recommends curl && apt-get install -y x && apt install z"
    a, b, c = pm_calls(parse_shell(raw))
    assert a.assume_yes and b.assume_yes and not c.assume_yes
    assert a.has_option("--no-install-recommends") and not b.has_option("--no-install-recommends")
    assert a.option("-q") is not None and a.option("-y") is None
    pip = pm_calls(parse_shell("pip install --no-cache-dir -e . -r r.txt /wheels/x.whl requests"))[0]
    assert pip.local_paths == ("/wheels/x.whl", ".")
    opt = pip.option("-r")
    assert opt is not None and opt.value == "r.txt" and [w.text for w in opt.words] == ["-r", "r.txt"]
    assert [w.text for w in pip.program] == ["pip"] and [w.text for w in pip.action_words] == ["install"]
    py = pm_calls(parse_shell("python3 -m pip install x"))[0]
    assert [w.text for w in py.program] == ["python3", "-m", "pip"]


# --- removals --------------------------------------------------------------------------------

LEADING = "apt-get update \\\n    # install curl\n    && apt-get install -y curl \\\n    # cleanup\n    && rm -rf /var/lib/apt/lists/*"
TRAILING = "apt-get update && \\\n    # install curl\n    apt-get install -y curl && \\\n    # cleanup\n    rm -rf /var/lib/apt/lists/*"
PLAIN = "apt-get update && \\\n    apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*"
CRLF = "apt-get update \\\r\n    && apt-get install -y curl \\\r\n    && rm -rf /var/lib/apt/lists/*"

# (raw, escape, index of the command to remove, expected raw or None when refused)
REMOVE_COMMAND = [
    (LEADING, "\\", 0, "apt-get install -y curl \\\n    # cleanup\n    && rm -rf /var/lib/apt/lists/*"),
    (LEADING, "\\", 1, "apt-get update \\\n    # cleanup\n    && rm -rf /var/lib/apt/lists/*"),
    (LEADING, "\\", 2, "apt-get update \\\n    # install curl\n    && apt-get install -y curl"),
    # The comment above the second command would go with the first: refused.
    (TRAILING, "\\", 0, None),
    (TRAILING, "\\", 1, "apt-get update && \\\n    # cleanup\n    rm -rf /var/lib/apt/lists/*"),
    (TRAILING, "\\", 2, "apt-get update && \\\n    # install curl\n    apt-get install -y curl"),
    (PLAIN, "\\", 0, "apt-get install -y curl && \\\n    rm -rf /var/lib/apt/lists/*"),
    (PLAIN, "\\", 2, "apt-get update && \\\n    apt-get install -y curl"),
    (CRLF, "\\", 2, "apt-get update \\\r\n    && apt-get install -y curl"),
    (CRLF, "\\", 0, "apt-get install -y curl \\\r\n    && rm -rf /var/lib/apt/lists/*"),
    ("a `\n    && b `\n    && c", BT, 1, "a `\n    && c"),
    ("a && b", "\\", 0, "b"),
    ("a && b", "\\", 1, "a"),
    ("a; b;", "\\", 0, "b;"),
    ("a; b;", "\\", 1, "a;"),
    ("a && b > /dev/null 2>&1 && c", "\\", 1, "a && c"),
    ("a && b 2>&1 | tee x && c", "\\", 3, "a && b 2>&1 | tee x"),
    ("(a && b) && c", "\\", 1, "(a) && c"),
    ("(a) && b", "\\", 1, "(a)"),
    ("set -ex; a && b", "\\", 0, "a && b"),
    ("a; b && c", "\\", 1, "a; c"),
    ("a && b; c", "\\", 1, "a; c"),
    ("a; b; c", "\\", 1, "a; c"),
    # Refused: alone in its list, or next to `||`, `|` or `&`.
    ("a", "\\", 0, None),
    ("(a) && b", "\\", 0, None),
    ("a || b", "\\", 1, None),
    ("a && b || c", "\\", 1, None),
    ("a | b", "\\", 0, None),
    ("a && b | c", "\\", 1, None),
    ("a & b", "\\", 0, None),
]


@pytest.mark.parametrize(("raw", "escape", "index", "expected"), REMOVE_COMMAND)
def test_remove_command(raw: str, escape: str, index: int, expected: str | None) -> None:
    command = ShellCommand(raw=raw, escape=escape)
    script = parse_shell(command)
    result = remove_command(command, script.commands[index])
    assert (result.raw if result else None) == expected
    if result is not None:
        assert result.escape == escape
        kept = [c.words for i, c in enumerate(script.commands) if i != index]
        assert [c.words for c in parse_shell(result).commands] == kept


# (raw, escape, text of the word to remove, expected raw or None when refused)
REMOVE_WORD = [
    ("pip install --no-cache-dir -r r.txt", "\\", "--no-cache-dir", "pip install -r r.txt"),
    ("pip install -r r.txt --no-cache-dir", "\\", "--no-cache-dir", "pip install -r r.txt"),
    ("pip install  --no-cache-dir\t-r r.txt", "\\", "--no-cache-dir", "pip install\t-r r.txt"),
    ("pip install --no-cache-dir && echo ok", "\\", "--no-cache-dir", "pip install && echo ok"),
    ("pip install --no-cache-dir;x", "\\", "--no-cache-dir", "pip install;x"),
    # Alone on its line: the line goes, continuation above it included.
    ("pip install \\\n    --no-cache-dir \\\n    -r r.txt", "\\", "--no-cache-dir", "pip install \\\n    -r r.txt"),
    ("pip install -r r.txt \\\n    --no-cache-dir", "\\", "--no-cache-dir", "pip install -r r.txt"),
    ("pip install \\\r\n    --no-cache-dir \\\r\n    -r r.txt", "\\", "--no-cache-dir", "pip install \\\r\n    -r r.txt"),
    ("apt-get install -y `\r\n    curl `\r\n    git", BT, "curl", "apt-get install -y `\r\n    git"),
    # A comment line above the word stays; the continuation after the word goes.
    ("pip install \\\n    # speed\n    --no-cache-dir \\\n    -r r.txt", "\\", "--no-cache-dir", "pip install \\\n    # speed\n    -r r.txt"),
    ("apt-get install -y \\\n    # pinned\n    'curl' \\\n    git", "\\", "curl", "apt-get install -y \\\n    # pinned\n    git"),
    # Refused: only a comment line separates it; the word holds a continuation.
    ("pip install -r r.txt \\\n    # speed\n    --no-cache-dir", "\\", "--no-cache-dir", None),
    ("pip install --no-\\\ncache-dir x", "\\", "--no-cache-dir", None),
]


@pytest.mark.parametrize(("raw", "escape", "word", "expected"), REMOVE_WORD)
def test_remove_word(raw: str, escape: str, word: str, expected: str | None) -> None:
    command = ShellCommand(raw=raw, escape=escape)
    script = parse_shell(command)
    (target,) = [w for c in script.commands for w in c.args if w.text == word]
    result = remove_word(command, target)
    assert (result.raw if result else None) == expected


def test_remove_option_with_value_and_refusals() -> None:
    command = ShellCommand(raw="pip install --no-cache-dir \\\n    -r requirements.txt \\\n    flask")
    pip = pm_calls(parse_shell(command))[0]
    opt = pip.option("-r")
    assert opt is not None
    result = remove_words(command, opt.words)
    assert result is not None and result.raw == "pip install --no-cache-dir \\\n    flask"
    cmd = parse_shell(command).commands[0]
    assert remove_word(command, cmd.argv[0]) is None  # the name: use remove_command
    other = parse_shell("pip install x").commands[0].args[1]
    assert remove_word(command, other) is None  # not a word of this command


# --- heredocs ---------------------------------------------------------------------------------

HEREDOC_FILE = """\
# syntax=docker/dockerfile:1
FROM debian
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
EOF
RUN python3 <<'PY' > /out && echo ok
print("hi")
PY
"""


def test_heredoc_runs() -> None:
    df = dockmod.parse(HEREDOC_FILE)
    first, second = [n for n in df.body if isinstance(n, Run)]
    assert isinstance(first.command, ShellCommand) and first.command.text == "<<EOF"
    script = parse_shell(first.command)
    assert script.commands == () and not script.has_error
    body = parse_heredoc_body(first.heredocs[0])
    assert [(c.name, c.operator) for c in body.commands] == [
        ("set", Operator.NEWLINE),
        ("apt-get", Operator.NEWLINE),
        ("apt-get", Operator.AND),
        ("rm", None),
    ]
    install = pm_calls(body)[1]
    assert install.action == "install" and install.assume_yes
    assert first.heredocs[0].body[slice(*install.span)] == "apt-get install -y --no-install-recommends curl"
    assert isinstance(second.command, ShellCommand)
    cmds = parse_shell(second.command).commands
    assert [(c.name, c.operator, c.redirects) for c in cmds] == [
        ("python3", Operator.AND, ("<<'PY'", "> /out")),
        ("echo", None, ()),
    ]


def test_heredoc_body_with_continuation() -> None:
    body = "apt-get install -y \\\n  curl\n"
    script = parse_heredoc_body(Heredoc(body=body, terminator="EOF\n"))
    (cmd,) = script.commands
    assert cmd.words == ["apt-get", "install", "-y", "curl"]
    assert body[slice(*cmd.argv[3].span)] == "curl"


# --- import cost ------------------------------------------------------------------------------


def test_tree_sitter_loaded_lazily() -> None:
    code = "import sys, dockmod.shell; assert 'tree_sitter' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- corpus ------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_runs() -> None:
    runs = commands = 0
    managers: Counter[str] = Counter()
    for path in corpus_files():
        df = dockmod.parse(read(path))
        for run in _runs(df):
            if not isinstance(run.command, ShellCommand) or run.command.escape == BT:
                continue
            script = parse_shell(run.command)
            runs += 1
            commands += len(script.commands)
            _check_spans(script)
            for call in pm_calls(script):
                managers[call.manager.value] += 1
                if call.manager in (Manager.APT_GET, Manager.APT) and call.action == "install":
                    _check_words_dequote(script, call.command.argv)
            for h in run.heredocs:
                _check_spans(parse_heredoc_body(h))
    assert runs > 1000 and commands > runs
    assert managers["apt-get"] > 100 and managers["pip"] > 10


@pytest.mark.corpus
def test_corpus_removals() -> None:
    """What transforms do: drop cache flags and apt list cleanups; refused only on errors."""
    done = 0
    for path in corpus_files():
        for run in _runs(dockmod.parse(read(path))):
            command = run.command
            if not isinstance(command, ShellCommand) or command.escape == BT:
                continue
            script = parse_shell(command)
            for call in pm_calls(script):
                for opt in call.options:
                    if opt.name in ("--no-cache-dir", "--no-cache", "--no-install-recommends"):
                        result = remove_words(command, opt.words)
                        assert result is not None or script.has_error, (path, opt)
                        done += 1
            for cmd in script.commands:
                if cmd.words[:2] == ["rm", "-rf"] and "/var/lib/apt/lists/*" in cmd.words:
                    result = remove_command(command, cmd)
                    if result is not None:
                        assert len(parse_shell(result).commands) == len(script.commands) - 1
                        done += 1
    assert done > 500


def _check_words_dequote(script: ShellScript, argv: tuple) -> None:
    for w in argv:
        if not w.static:
            continue
        piece = logical_text(script.raw[slice(*w.span)], script.escape or "\\")
        assert shlex.split(piece) == [w.text], (piece, w)


def _runs(node: object) -> list[Run]:
    out: list[Run] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Run):
            out.append(n)
        stack.extend(reversed(getattr(n, "children", ())))
    return out


def test_heredoc_line_removal_and_assignment_edits() -> None:
    from dockmod.shell.edits import insert_assignment, remove_assignment, remove_command_or_line

    body = ShellCommand(raw="set -e\napt-get clean\necho done\n", escape="\0")
    clean = parse_shell(body).commands[1]
    out = remove_command_or_line(body, clean)
    assert out is not None and out.raw == "set -e\necho done\n"
    shared = ShellCommand(raw="set -e\nfoo | apt-get clean\n", escape="\0")
    assert remove_command_or_line(shared, parse_shell(shared).commands[2]) is None  # not alone on its line
    cmd = ShellCommand(raw="PIP_NO_CACHE_DIR=1 pip install x && ls", escape="\\")
    pip = parse_shell(cmd).commands[0]
    dropped = remove_assignment(cmd, pip, pip.assignments[0])
    assert dropped is not None and dropped.raw == "pip install x && ls"
    added = insert_assignment(dropped, parse_shell(dropped).commands[0], "UV_LINK_MODE=copy")
    assert added is not None and added.raw == "UV_LINK_MODE=copy pip install x && ls"
