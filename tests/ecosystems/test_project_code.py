"""dockmod.ecosystems.project_code: which commands run a project's own code, and from where."""

from __future__ import annotations

import pytest

from dockmod.ecosystems.project_code import BUILD_TOOLS, INTERPRETERS, RUNNERS, CodeKind, code_run
from dockmod.shell import parse_shell

B, S, P, M = CodeKind.BUILD, CodeKind.SCRIPT, CodeKind.PROGRAM, CodeKind.MODULE

# (command, kind, path as written, shown / named build file)
FOUND = [
    # build tools: the folder they run in, the build file shown or named
    ("make", B, ".", "Makefile"),
    ("make build", B, ".", "Makefile"),
    ("make -j 4 all", B, ".", "Makefile"),
    ("make -C /tmp/src install", B, "/tmp/src", "Makefile"),
    ("gmake --directory=sub", B, "sub", "Makefile"),
    ("make -f build/docker.mk", B, ".", "build/docker.mk"),
    ("make --file=docker.mk", B, ".", "docker.mk"),
    ("rake assets:precompile", B, ".", "Rakefile"),
    ("rake -f tasks/build.rake", B, ".", "tasks/build.rake"),
    ("just build", B, ".", "justfile"),
    ("just --working-directory sub build", B, "sub", "justfile"),
    ("task build", B, ".", "Taskfile.yml"),
    ("go-task -d /opt/x build", B, "/opt/x", "Taskfile.yml"),
    ("ninja -C out", B, "out", "build.ninja"),
    ("/usr/bin/make", B, ".", "Makefile"),
    ("sudo -u app make", B, ".", "Makefile"),
    # interpreters: the file they run
    ("python manage.py collectstatic --noinput", S, "manage.py", ""),
    ("python3.12 setup.py bdist_wheel", S, "setup.py", ""),
    ("python -u -W ignore tools/gen.py --out x", S, "tools/gen.py", ""),
    ("python -OO build.py", S, "build.py", ""),
    ("/opt/venv/bin/python scripts/seed.py", S, "scripts/seed.py", ""),
    ("node scripts/x.js", S, "scripts/x.js", ""),
    ("node --max-old-space-size=4096 -r ts-node/register build.ts", S, "build.ts", ""),
    ("php artisan key:generate", S, "artisan", ""),
    ("php8.2 -d memory_limit=-1 bin/console cache:warmup", S, "bin/console", ""),
    ("php -f install.php", S, "install.php", ""),
    ("ruby -C app bin/setup.rb", S, "app/bin/setup.rb", ""),
    ("perl -w Makefile.PL", S, "Makefile.PL", ""),
    ("sh scripts/gen.sh", S, "scripts/gen.sh", ""),
    ("bash ./configure --prefix=/usr", S, "./configure", ""),
    ("bash -ex build.sh", S, "build.sh", ""),
    ("sh -o pipefail +x ./a.sh", S, "./a.sh", ""),
    (". ./env.sh", S, "./env.sh", ""),
    ("source /etc/profile.d/app.sh", S, "/etc/profile.d/app.sh", ""),
    # a file run itself
    ("./build.sh", P, "./build.sh", ""),
    ("bin/setup", P, "bin/setup", ""),
    ("env CC=gcc ./configure", P, "./configure", ""),
    # python -m: the folder the module is looked for in first, its top-level name
    ("python -m myproject.tool --flag", M, ".", "myproject"),
    ("python3 -Bm app", M, ".", "app"),
    # runners: the command they run
    ("bundle exec rake db:migrate", B, ".", "Rakefile"),
    ("poetry run python manage.py migrate", S, "manage.py", ""),
    ("poetry -C backend run python manage.py migrate", S, "backend/manage.py", ""),
    ("pipenv run python x.py", S, "x.py", ""),
    ("uv run scripts/gen.py", S, "scripts/gen.py", ""),
    ("uv run --with httpx --directory api python -m app.cli", M, "api", "app"),
    # how the words are walked: values attached, apart or bundled; `--`; `+o`
    ("make $TARGET -C sub", B, "sub", "Makefile"),    # an operand need not be static
    ("make -Csub", B, "sub", "Makefile"),
    ("make -- -C sub", B, ".", "Makefile"),           # after `--`: operands only
    ("python -BW ignore tools/gen.py", S, "tools/gen.py", ""),
    ("python -BWignore tools/gen.py", S, "tools/gen.py", ""),
    ("python --check-hash-based-pycs always x.py", S, "x.py", ""),
    ("python -- x.py", S, "x.py", ""),
    ("python -X dev -Bm app", M, ".", "app"),
    ("php -dmemory_limit=-1 artisan migrate", S, "artisan", ""),
    ("node --require=dotenv/config app.js", S, "app.js", ""),
    ("ruby -Ilib -rbundler/setup -x/tmp app.rb", S, "app.rb", ""),
    ("perl -wi.bak fix.pl data.txt", S, "fix.pl", ""),  # -i takes only an attached value
    ("perl -MEnglish fix.pl", S, "fix.pl", ""),          # (so its -E is not read as -E code)
    ("bash -xo pipefail build.sh", S, "build.sh", ""),
    ("sh +o posix ./a.sh", S, "./a.sh", ""),           # +o takes the next word
    ("bundle exec -- rake", B, ".", "Rakefile"),
    ("poetry -- run python manage.py", S, "manage.py", ""),  # `--` before the action is passed over
    ("poetry run -- python manage.py", S, "manage.py", ""),
    ("uv run --directory=api scripts/gen.py", S, "api/scripts/gen.py", ""),
    ("uv run --module app.cli", M, ".", "app"),
]

NONE = [
    "python -c 'import app'",   # inline code
    "python -I -m app",         # -I: the working directory is not on sys.path
    "python -P -m app",
    "python",
    "python - < x.py",           # stdin
    "python $SCRIPT",            # not static
    "make -C $DIR",
    "node -e 'x'",
    "node -pe 1",
    "php -r 'echo 1;'",
    "ruby -e 'puts 1'",
    "ruby -S rake",              # looked up on PATH
    "perl -lane 'print' data.txt",
    "sh -c 'make'",
    "bash -ec 'make'",
    ". env.sh",                  # no slash: looked up on PATH
    "npx tsc",
    "uv pip install flask",      # not `uv run`
    "bundle install",
    "poetry install",
    "echo make",
    "useradd -m app",
    # an option, or the value it takes, that is not static or missing
    "make -C$DIR",
    "make -f",
    "python -$FLAGS x.py",
    "python -W $W x.py",
    "python -BW $W x.py",
    "python -BW",
    "python --check-hash-based-pycs",
    "bash -o $OPT x.sh",
    "poetry -C $DIR run python x.py",
    "poetry run $CMD",
    "uv run --directory",
    # inline code, bundled or attached; no operand
    "python -Bc 'import app'",
    "python -Im app",            # -I bundled before -m
    "php -r'echo 1;'",
    "node --eval=1",
    "python --",
    "sh +o",
    "uv run --",
    "poetry -- install",
]


@pytest.mark.parametrize(("text", "kind", "path", "shown"), FOUND, ids=[c[0] for c in FOUND])
def test_found(text: str, kind: CodeKind, path: str, shown: str) -> None:
    (cmd,) = parse_shell(text).commands
    found = code_run(cmd)
    assert found is not None
    assert (found.kind, found.path) == (kind, path)
    if kind in (B, M):
        assert found.shown == shown


@pytest.mark.parametrize("text", NONE)
def test_not_found(text: str) -> None:
    assert all(code_run(cmd) is None for cmd in parse_shell(text).commands)


def test_module_files() -> None:
    (cmd,) = parse_shell("python -m myproject.tool").commands
    found = code_run(cmd)
    assert found is not None and found.names == ("myproject.py", "myproject/__init__.py")


def test_named_build_file() -> None:
    (cmd,) = parse_shell("make -C sub -f ci.mk").commands
    found = code_run(cmd)
    assert found is not None and (found.path, found.file) == ("sub", "ci.mk")


def test_rows_cite_a_source() -> None:
    for row in (*BUILD_TOOLS, *INTERPRETERS, *RUNNERS):
        assert row.source.startswith("https://"), row
