"""Programs that run a project's own code, as data: build tools that read a build file in
the folder they run in, interpreters that run a script file (or a module found in their
working directory), and the commands that run another command in a project's environment.

:func:`code_run` reads one parsed command with these rows and says which file or folder it
runs code from, as written; the semantic model resolves that against the working directory
(:func:`dockmod.semantic.installs.code_runs`). Package-manager calls are not read here: the
manager rows say what those do (a project build is their ``InstallKind.PROJECT``).

Each row cites the tool's documentation. A word the rows cannot read for sure (a variable,
an option of unknown arity before the script) makes the command unknown (None), never a
guess.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from dockmod.ecosystems._rows import names
from dockmod.shell.commands import WRAPPERS, unwrap
from dockmod.shell.parse import ShellWord, SimpleCommand


@dataclass(frozen=True, slots=True)
class BuildTool:
    """A build tool or task runner: it reads a build file from the folder it runs in and
    runs the rules written there, over the files beside it."""

    #: Program names (a path's last part).
    programs: tuple[str, ...]
    #: The build files it looks for, in its order of preference.
    build_files: tuple[str, ...]
    #: The build file's usual name, for messages.
    usual: str
    #: Options naming the build file instead (``-f FILE``, ``--file=FILE``).
    file_options: frozenset[str]
    #: Options naming the folder it runs in (``-C DIR``); the build file is looked for there.
    dir_options: frozenset[str]
    source: str


@dataclass(frozen=True, slots=True)
class Interpreter:
    """An interpreter that runs the file named by its first operand (or by a script option)."""

    programs: tuple[str, ...]
    #: Names that may carry a version after them: ``python3``, ``python3.12``, ``php8.2``.
    versioned: tuple[str, ...] = ()
    #: Options after which no file of the working directory is run: the code is given
    #: inline (``-c``, ``-e``) or read from stdin, or a program is looked up on PATH (``ruby -S``).
    inline: frozenset[str] = frozenset()
    #: Options whose value is a module looked up on the module path, the working directory
    #: first (``python -m``).
    module: frozenset[str] = frozenset()
    #: The files a module name stands for in a folder on the module path (``{}``: the
    #: module's top-level name).
    module_files: tuple[str, ...] = ()
    #: Options after which the working directory is not put on the module path (``python -P``).
    safe_path: frozenset[str] = frozenset()
    #: Options whose value is the script file (``php -f FILE``).
    script_options: frozenset[str] = frozenset()
    #: Options naming the folder it changes to before running (``ruby -C DIR``).
    dir_options: frozenset[str] = frozenset()
    #: Other options that take a value, attached or as the next word.
    takes_value: frozenset[str] = frozenset()
    #: Options that take a value only when attached (``perl -i.bak``, ``ruby -x/dir``).
    attached: frozenset[str] = frozenset()
    #: Single-dash letters may be bundled (``bash -ex``, ``python -Bc``).
    bundles: bool = False
    #: When any, ``+x`` words are options too (POSIX shells: ``sh +x``); these take the next
    #: word as value (``sh +o posix``).
    plus_options: frozenset[str] = frozenset()
    #: An operand without a slash is looked up on PATH, not in the working directory.
    path_search: bool = False
    source: str = ""


@dataclass(frozen=True, slots=True)
class Runner:
    """A command that runs another command (its words after ``action``) in a project's
    environment: ``bundle exec rake``, ``poetry run python manage.py``."""

    programs: tuple[str, ...]
    action: str
    #: Options (before or after the action) that take the next word as value.
    takes_value: frozenset[str]
    #: Options naming the folder the command runs in.
    dir_options: frozenset[str] = frozenset()
    #: Options whose value is a module it runs with Python (``uv run -m``).
    module: frozenset[str] = frozenset()
    #: A command word with one of these endings is a script it runs with Python (``uv run x.py``).
    script_suffixes: tuple[str, ...] = ()
    source: str = ""


BUILD_TOOLS = (
    # GNU make looks for GNUmakefile, makefile, Makefile, in that order; -f/--file/
    # --makefile name another; -C/--directory (https://www.gnu.org/software/make/manual/html_node/Makefile-Names.html,
    # https://www.gnu.org/software/make/manual/html_node/Options-Summary.html). gmake is GNU
    # make's name on the BSDs.
    BuildTool(("make", "gmake"), ("GNUmakefile", "makefile", "Makefile"), "Makefile",
              names("-f --file --makefile"), names("-C --directory"),
              "https://www.gnu.org/software/make/manual/html_node/Makefile-Names.html"),
    # Rake::Application::DEFAULT_RAKEFILES, searched in parent folders too (unless -N);
    # -f/--rakefile; no option changes the folder
    # (https://github.com/ruby/rake/blob/master/lib/rake/application.rb).
    BuildTool(("rake",), ("rakefile", "Rakefile", "rakefile.rb", "Rakefile.rb"), "Rakefile",
              names("-f --rakefile"), frozenset(),
              "https://github.com/ruby/rake/blob/master/lib/rake/application.rb"),
    # justfile (any case) or .justfile, searched upwards; -f/--justfile, -d/--working-directory
    # (https://just.systems/man/en/; casey/just src/search.rs JUSTFILE_NAMES).
    BuildTool(("just",), ("justfile", "Justfile", ".justfile"), "justfile",
              names("-f --justfile"), names("-d --working-directory"), "https://just.systems/man/en/"),
    # Task's supported file names, searched upwards; -t/--taskfile, -d/--dir
    # (https://taskfile.dev/docs/guide, https://taskfile.dev/reference/cli). go-task is its
    # name in some distributions.
    BuildTool(("task", "go-task"),
              ("Taskfile.yml", "taskfile.yml", "Taskfile.yaml", "taskfile.yaml", "Taskfile.dist.yml",
               "taskfile.dist.yml", "Taskfile.dist.yaml", "taskfile.dist.yaml"), "Taskfile.yml",
              names("-t --taskfile"), names("-d --dir"), "https://taskfile.dev/reference/cli"),
    # build.ninja; -f FILE, -C DIR (ninja(1), https://ninja-build.org/manual.html#_running_ninja).
    BuildTool(("ninja",), ("build.ninja",), "build.ninja", names("-f"), names("-C"),
              "https://ninja-build.org/manual.html#_running_ninja"),
)

INTERPRETERS = (
    # python [-bBdEhiIOPqRsSuvVWx?] [-c command | -m module-name | script | -] [args]; -W arg,
    # -X opt, --check-hash-based-pycs mode; -m puts the working directory first on sys.path,
    # unless -P or -I (which implies -P) (https://docs.python.org/3/using/cmdline.html). A
    # module is `name.py` or a regular package `name/__init__.py` in a folder on sys.path
    # (https://docs.python.org/3/reference/import.html#regular-packages); a namespace folder
    # yields to a regular package later on the path, so it is not counted.
    Interpreter(("python",), versioned=("python",), inline=names("-c -"), module=names("-m"),
                module_files=("{}.py", "{}/__init__.py"), safe_path=names("-P -I"),
                takes_value=names("-W -X --check-hash-based-pycs"), bundles=True,
                source="https://docs.python.org/3/using/cmdline.html"),
    # node [options] [V8 options] [<program-entry-point> | -e "script" | -] [--] [arguments];
    # -e/--eval, -p/--print (and -pe) take code; -r/--require, --import, -C/--conditions,
    # --loader take a value (https://nodejs.org/api/cli.html).
    Interpreter(("node", "nodejs"), inline=names("-e --eval -p --print -pe -"),
                takes_value=names("-r --require --import -C --conditions --loader --experimental-loader "
                                  "--title --env-file"),
                source="https://nodejs.org/api/cli.html"),
    # php [options] [-f] <file> [--] [args...]; -r/-B/-R/-E take code, -F <file> runs a
    # file per input line, -a is interactive; -d foo[=bar], -c <path>, -z <file>, -S
    # <addr>:<port>, -t <docroot> take a value
    # (https://www.php.net/manual/en/features.commandline.options.php).
    Interpreter(("php",), versioned=("php",), inline=names("-r -B -R -E -a"), script_options=names("-f -F"),
                takes_value=names("-d -c -z -S -t"),
                source="https://www.php.net/manual/en/features.commandline.options.php"),
    # ruby [options] [--] [programfile] [arguments]; -e code, -S looks the program up on
    # PATH, -C dir changes directory first; -I dir, -r lib, -E ext take a value; -0, -F, -i,
    # -K, -W, -x take one only attached; single letters bundle (-ne)
    # (https://docs.ruby-lang.org/en/master/ruby/options_md.html).
    Interpreter(("ruby",), versioned=("ruby",), inline=names("-e -S"), dir_options=names("-C -X"),
                takes_value=names("-I -r -E"), attached=names("-0 -F -i -K -W -x -T"), bundles=True,
                source="https://docs.ruby-lang.org/en/master/ruby/options_md.html"),
    # perl [switches] [--] [programfile] [arguments]; -e/-E take code, -S looks the program
    # up on PATH; -I takes a directory; -0, -C, -d, -D, -F, -i, -m, -M, -V, -x take one
    # only attached (-l only digits: it is read as a switch); switches bundle (-lane)
    # (https://perldoc.perl.org/perlrun).
    Interpreter(("perl",), versioned=("perl",), inline=names("-e -E -S"), takes_value=names("-I"),
                attached=names("-0 -C -d -D -F -i -m -M -V -x"), bundles=True,
                source="https://perldoc.perl.org/perlrun"),
    # POSIX sh: sh [-abCefhimnuvx] [-o option] [+o option] [command_file [argument...]];
    # -c runs the operand as a command string, -s reads stdin; a command_file without a
    # slash is read from the working directory
    # (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/sh.html). Bash adds -O
    # shopt_option, --rcfile/--init-file FILE (https://www.gnu.org/software/bash/manual/bash.html#Invoking-Bash).
    Interpreter(("sh", "bash", "dash", "ash", "ksh", "mksh", "zsh"), inline=names("-c -s"),
                takes_value=names("-o -O --rcfile --init-file"), bundles=True, plus_options=names("+o"),
                source="https://pubs.opengroup.org/onlinepubs/9799919799/utilities/sh.html"),
    # The dot builtin (and bash's `source`): a file operand without a slash is looked up
    # on PATH (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/dot.html; bash
    # also tries the working directory outside POSIX mode, which is not counted here).
    Interpreter((".", "source"), path_search=True,
                source="https://pubs.opengroup.org/onlinepubs/9799919799/utilities/dot.html"),
)

RUNNERS = (
    # bundle exec [--keep-file-descriptors] [--gemfile=GEMFILE] <command>
    # (https://bundler.io/man/bundle-exec.1.html).
    Runner(("bundle", "bundler"), "exec", names("--gemfile"), source="https://bundler.io/man/bundle-exec.1.html"),
    # poetry [-C DIR | -P PROJECT] run <args>: -C/--directory is the working directory, -P/
    # --project only the project root (https://python-poetry.org/docs/cli/#global-options,
    # https://python-poetry.org/docs/cli/#run).
    Runner(("poetry",), "run", names("-C --directory -P --project"), dir_options=names("-C --directory"),
           source="https://python-poetry.org/docs/cli/#run"),
    # pipenv run <command> (https://pipenv.pypa.io/en/latest/cli.html#run); --python and
    # --pypi-mirror take a value.
    Runner(("pipenv",), "run", names("--python --pypi-mirror"), source="https://pipenv.pypa.io/en/latest/cli.html"),
    # uv run [OPTIONS] [COMMAND]: the options that take a value; --directory changes the
    # working directory; -m/--module runs a module; a command ending in .py is run with
    # Python (https://docs.astral.sh/uv/reference/cli/#uv-run).
    Runner(("uv",), "run",
           names("--allow-insecure-host --trusted-host --cache-dir --color --config-file --config-setting "
                 "--config-settings -C --default-index --directory --env-file --exclude-newer --extra "
                 "--extra-index-url --find-links -f --fork-strategy --group --index --index-strategy "
                 "--index-url -i --keyring-provider --link-mode --no-binary-package "
                 "--no-build-isolation-package --no-build-package --no-extra --no-group --only-group "
                 "--package --prerelease --project --python -p --refresh-package --reinstall-package "
                 "--resolution --upgrade-package -P --with --with-editable --with-requirements"),
           dir_options=names("--directory"), module=names("-m --module"), script_suffixes=(".py",),
           source="https://docs.astral.sh/uv/reference/cli/#uv-run"),
)


class CodeKind(enum.Enum):
    """How a command runs a project's code."""

    #: A build tool: ``path`` is the folder it runs in, ``names`` its build file(s).
    BUILD = "build"
    #: An interpreter runs (or sources) the file ``path``.
    SCRIPT = "script"
    #: The file ``path`` is run itself (``./build.sh``, ``bin/setup``).
    PROGRAM = "program"
    #: ``python -m``: a module looked for in the folder ``path`` first; ``names`` are the
    #: files it would be there.
    MODULE = "module"


@dataclass(frozen=True, slots=True)
class CodeRun:
    """What one command runs code from, as written (relative to its working directory)."""

    kind: CodeKind
    command: SimpleCommand
    path: str
    #: BUILD: the files the tool looks for in ``path``; MODULE: the files the module stands
    #: for there.
    names: tuple[str, ...] = ()
    #: BUILD: the build file as shown in messages; MODULE: the module's top-level name.
    shown: str = ""
    #: BUILD: the build file an option names (relative to ``path``), else None.
    file: str | None = None


def _versioned(name: str, stem: str) -> bool:
    rest = name[len(stem):]
    return name.startswith(stem) and all(c.isdigit() or c == "." for c in rest)


_BUILD = {p: row for row in BUILD_TOOLS for p in row.programs}
_INTERPRETERS = {p: row for row in INTERPRETERS for p in row.programs}
_VERSIONED = tuple((stem, row) for row in INTERPRETERS for stem in row.versioned)
_RUNNERS = {p: row for row in RUNNERS for p in row.programs}


def _interpreter(base: str) -> Interpreter | None:
    row = _INTERPRETERS.get(base)
    if row is None:
        row = next((r for stem, r in _VERSIONED if _versioned(base, stem)), None)
    return row


def may_run_code(name: str) -> bool:
    """Cheap pre-filter on a command's name (:attr:`SimpleCommand.name`): :func:`code_run`
    may find something only for these (its other words are then built)."""
    base = name.rpartition("/")[2]
    return "/" in name or base in _BUILD or base in _RUNNERS or base in WRAPPERS or _interpreter(base) is not None


def code_run(cmd: SimpleCommand) -> CodeRun | None:
    """What ``cmd`` runs code from (past ``sudo``/``env`` wrappers and the rows' runners),
    or None: it runs none (by these rows), or a word that decides it is not static."""
    if not may_run_code(cmd.name):
        return None
    argv = cmd.argv
    try:
        return _words(cmd, argv[unwrap(argv):])
    except _Unreadable:
        return None


def _words(cmd: SimpleCommand, words: Sequence[ShellWord]) -> CodeRun | None:
    if not words or not words[0].static:
        return None
    program = words[0].text
    base = program.rpartition("/")[2]
    if (runner := _RUNNERS.get(base)) is not None:
        return _runner(cmd, runner, words[1:])
    if (tool := _BUILD.get(base)) is not None:
        return _build(cmd, tool, words[1:])
    if (interp := _interpreter(base)) is not None:
        return _script(cmd, interp, words[1:])
    if "/" in program:
        return CodeRun(CodeKind.PROGRAM, cmd, program)
    return None


class _Unreadable(Exception):
    """An option word, or the value it takes, is not static: what the command runs is unknown."""


def _walk(words: Sequence[ShellWord], valued: frozenset[str], bundles: bool = False,
          attached: frozenset[str] = frozenset(), plus: frozenset[str] = frozenset(),
          ) -> Iterator[tuple[int, str | None, str]]:
    """The options and operands of ``words``, in order, as (index, name, value); the caller
    stops where its program stops reading options. An option is (its word's index, its
    name, its value or ""); an operand is (its index, None, ""); ``--`` is (the index of
    the word after it, None, "--"), the operands starting there.

    An option in ``valued`` takes the rest of its word (``--name=value``, ``-xVALUE``) or
    the next word. A single-dash word is one option (``-x``, ``-xREST``), or with
    ``bundles`` one letter after another (``-ex``) up to a letter in ``valued`` or
    ``attached`` (which takes only the rest of the word: ``perl -i.bak``). When ``plus``
    has any, a ``+word`` is an option too, and one in ``plus`` skips the next word unread
    (``sh +o posix``). Raises :class:`_Unreadable` at an option, or the value of one in
    ``valued``, that is not static (or a value that is missing)."""
    i, n = 0, len(words)
    while i < n:
        j, t = i, words[i].text
        i += 1
        if t == "--":
            yield i, None, t
            continue
        if len(t) < 2 or t[0] != "-" and not (plus and t[0] == "+"):
            yield j, None, ""
            continue
        if not words[j].static:
            raise _Unreadable
        if t[0] == "+":
            name, eq, value = t, "", ""
            if t in plus:  # its value, skipped unread
                i += 1
        elif t[1] == "-":
            name, eq, value = t.partition("=")
        else:
            k = 1
            while bundles and k + 1 < len(t) and (c := "-" + t[k]) not in valued and c not in attached:
                yield j, c, ""
                k += 1
            name, eq, value = "-" + t[k], "", t[k + 1:]
        if not (eq or value) and name in valued:
            if i >= n or not words[i].static:
                raise _Unreadable
            value = words[i].text
            i += 1
        yield j, name, value


def _build(cmd: SimpleCommand, tool: BuildTool, words: Sequence[ShellWord]) -> CodeRun | None:
    folder, file = ".", None
    for _, name, value in _walk(words, tool.file_options | tool.dir_options):
        if name in tool.dir_options:
            folder = value
        elif name in tool.file_options:
            file = value
        elif name is None and value:  # ``--``: operands only after it
            break
    return CodeRun(CodeKind.BUILD, cmd, folder, tool.build_files, file or tool.usual, file)


def _script(cmd: SimpleCommand, interp: Interpreter, words: Sequence[ShellWord]) -> CodeRun | None:
    folder, safe = ".", False
    valued = interp.module | interp.script_options | interp.dir_options | interp.takes_value
    for i, name, value in _walk(words, valued, interp.bundles, interp.attached, interp.plus_options):
        if name is None:  # the first operand: the script
            break
        if name in interp.inline:
            return None
        safe = safe or name in interp.safe_path
        if name in interp.module:
            return None if safe else _module(cmd, folder, value, interp.module_files)
        if name in interp.script_options:
            return CodeRun(CodeKind.SCRIPT, cmd, _join(folder, value))
        if name in interp.dir_options:
            folder = _join(folder, value)
    else:
        return None
    if i >= len(words):
        return None
    operand = words[i]
    if not operand.static or operand.text == "-" or (interp.path_search and "/" not in operand.text):
        return None
    return CodeRun(CodeKind.SCRIPT, cmd, _join(folder, operand.text))


def _runner(cmd: SimpleCommand, runner: Runner, words: Sequence[ShellWord]) -> CodeRun | None:
    folder, action = ".", False
    for i, name, value in _walk(words, runner.takes_value | runner.module):
        if name is None and action:  # the command it runs
            break
        if name is None and not value:  # the action word (a ``--`` before it is passed over)
            if not words[i].static or words[i].text != runner.action:
                return None
            action = True
        elif name in runner.dir_options:
            folder = _join(folder, value)
        elif name in runner.module and action:
            return _module(cmd, folder, value, _INTERPRETERS["python"].module_files)
    else:
        return None
    if i >= len(words):
        return None
    if words[i].static and runner.script_suffixes and words[i].text.endswith(runner.script_suffixes):
        found: CodeRun | None = CodeRun(CodeKind.SCRIPT, cmd, words[i].text)
    else:
        found = _words(cmd, words[i:])
    return found if found is None or folder == "." else replace(found, path=_join(folder, found.path))


def _module(cmd: SimpleCommand, folder: str, module: str, files: tuple[str, ...]) -> CodeRun | None:
    top = module.partition(".")[0]
    if not top.isidentifier() or not files:
        return None
    return CodeRun(CodeKind.MODULE, cmd, folder, tuple(f.format(top) for f in files), top)


def _join(folder: str, path: str) -> str:
    if folder == "." or path.startswith("/"):
        return path
    if path == ".":
        return folder
    return f"{folder.rstrip('/')}/{path}"
