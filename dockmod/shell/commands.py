"""Recognising package-manager and build-tool calls among a script's commands."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field

from dockmod.shell.parse import ShellWord, SimpleCommand


# --- package managers ------------------------------------------------------------------


class Manager(enum.StrEnum):
    """A package manager or build tool whose calls transforms care about."""

    PIP = "pip"
    UV = "uv"
    POETRY = "poetry"
    PIPENV = "pipenv"
    NPM = "npm"
    YARN = "yarn"
    PNPM = "pnpm"
    GO = "go"
    CARGO = "cargo"
    BUNDLER = "bundler"
    COMPOSER = "composer"
    MAVEN = "maven"
    GRADLE = "gradle"
    APT_GET = "apt-get"
    APT = "apt"
    APK = "apk"
    DNF = "dnf"
    YUM = "yum"
    MICRODNF = "microdnf"


@dataclass(frozen=True, slots=True)
class _Spec:
    #: Subcommand words (space-joined) → action reported; "" is the bare command.
    #: None: any first operand is the action (Maven goals, Gradle tasks).
    actions: dict[str, str] | None
    #: Options that take the next word as value when not written ``--opt=value``.
    takes_value: frozenset[str] = frozenset()
    #: Options whose value is a requirements / constraints / manifest file.
    file_options: frozenset[str] = frozenset()
    #: Single-dash letters may be bundled (``-yqq``).
    bundles: bool = False
    #: Files read without being named, per action.
    manifests: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _same(text: str) -> dict[str, str]:
    return {a: a for a in text.split()}


_PIP_VALUE = _names(
    "-r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f"
    " --find-links -t --target --prefix --root --src --upgrade-strategy --progress-bar"
    " --platform --python-version --implementation --abi --only-binary --no-binary"
    " --cache-dir --log --proxy --retries --timeout --exists-action --trusted-host --cert"
    " --client-cert --global-option -C --config-settings --python --report"
    " --root-user-action -d --dest -w --wheel-dir"
)
_APT_VALUE = _names("-o --option -t --target-release --default-release -c --config-file")
_DNF_VALUE = _names(
    "-c --config --installroot --releasever -x --exclude --enablerepo --disablerepo --repo"
    " --repoid --setopt --forcearch --disableplugin --enableplugin"
)
_JS_LOCK = ("package.json", "package-lock.json")

_SPECS: dict[Manager, _Spec] = {
    Manager.PIP: _Spec(
        _same("install download wheel uninstall"),
        _PIP_VALUE,
        _names("-r --requirement -c --constraint"),
        bundles=True,
    ),
    Manager.UV: _Spec(
        {"pip install": "pip install", "pip sync": "pip sync", "sync": "sync", "add": "add"},
        _PIP_VALUE
        | _names(
            "-p --python --group --only-group --no-group --extra --package --directory"
            " --project -o --output-file --index --default-index"
        ),
        _names("-r --requirement -c --constraint --constraints"),
        manifests={"sync": ("pyproject.toml", "uv.lock")},
    ),
    Manager.POETRY: _Spec(
        _same("install add"),
        _names("--only --with --without -E --extras -C --directory -P --project"),
        manifests={"install": ("pyproject.toml", "poetry.lock")},
    ),
    Manager.PIPENV: _Spec(
        _same("install sync"),
        _names("--python --categories --extra-pip-args -r --requirements"),
        _names("-r --requirements"),
        manifests={"install": ("Pipfile", "Pipfile.lock"), "sync": ("Pipfile", "Pipfile.lock")},
    ),
    Manager.NPM: _Spec(
        {"ci": "ci", "clean-install": "ci", "install": "install", "i": "install", "add": "install"},
        _names("--prefix -w --workspace --registry --cache --omit --include --only --loglevel"),
        manifests={"ci": _JS_LOCK, "install": _JS_LOCK},
    ),
    Manager.YARN: _Spec(
        {"": "install", "install": "install", "add": "add"},
        _names("--cwd --modules-folder --cache-folder --network-timeout --mutex --registry"),
        manifests={"install": ("package.json", "yarn.lock")},
    ),
    Manager.PNPM: _Spec(
        {"install": "install", "i": "install", "add": "add", "fetch": "fetch"},
        _names("--filter -F --dir -C --store-dir --reporter"),
        manifests={"install": ("package.json", "pnpm-lock.yaml"), "fetch": ("pnpm-lock.yaml",)},
    ),
    Manager.GO: _Spec(
        {"mod download": "mod download", **_same("build install get test run generate")},
        _names("-o -ldflags -gcflags -asmflags -tags -mod -C -p -modfile -overlay -pkgdir"),
        manifests={"mod download": ("go.mod", "go.sum"), "build": ("go.mod", "go.sum")},
    ),
    Manager.CARGO: _Spec(
        _same("build fetch install test check run"),
        _names(
            "--target -F --features -p --package --bin --example --manifest-path --target-dir"
            " -j --jobs --profile --config --root --version --git --branch --tag --rev --path"
        ),
        manifests={"build": ("Cargo.toml", "Cargo.lock"), "fetch": ("Cargo.toml", "Cargo.lock")},
    ),
    Manager.BUNDLER: _Spec(
        {"install": "install", "": "install"},
        _names("-j --jobs --retry --path --without --with --gemfile --binstubs"),
        _names("--gemfile"),
        manifests={"install": ("Gemfile", "Gemfile.lock")},
    ),
    Manager.COMPOSER: _Spec(
        _same("install update require"),
        _names("-d --working-dir"),
        manifests={"install": ("composer.json", "composer.lock")},
    ),
    Manager.MAVEN: _Spec(
        None,
        _names(
            "-f --file -s --settings -gs --global-settings -P --activate-profiles -pl"
            " --projects -T --threads -rf -l --log-file"
        ),
        _names("-f --file"),
        manifests={"": ("pom.xml",)},
    ),
    Manager.GRADLE: _Spec(
        None,
        _names(
            "-p --project-dir -x --exclude-task -g --gradle-user-home -b --build-file -c"
            " --settings-file --init-script -I"
        ),
        _names("-b --build-file -c --settings-file"),
    ),
    Manager.APT_GET: _Spec(
        _same(
            "update install upgrade dist-upgrade full-upgrade remove purge autoremove clean"
            " autoclean build-dep source download"
        ),
        _APT_VALUE,
        bundles=True,
    ),
    Manager.APK: _Spec(
        _same("add del update upgrade fix cache"),
        _names(
            "-X --repository -p --root --arch --cache-dir --keys-dir -t --virtual"
            " --repositories-file"
        ),
        bundles=True,
    ),
    Manager.DNF: _Spec(
        _same(
            "install update upgrade remove erase clean makecache reinstall distro-sync builddep"
            " groupinstall"
        ),
        _DNF_VALUE,
        bundles=True,
    ),
}
_SPECS[Manager.APT] = _SPECS[Manager.APT_GET]
_SPECS[Manager.YUM] = _SPECS[Manager.DNF]
_SPECS[Manager.MICRODNF] = _SPECS[Manager.DNF]

# Program basenames; pip and python versions (pip3.12, python3.12) are matched apart.
_PROGRAMS = {
    "uv": Manager.UV,
    "poetry": Manager.POETRY,
    "pipenv": Manager.PIPENV,
    "npm": Manager.NPM,
    "yarn": Manager.YARN,
    "yarnpkg": Manager.YARN,
    "pnpm": Manager.PNPM,
    "go": Manager.GO,
    "cargo": Manager.CARGO,
    "bundle": Manager.BUNDLER,
    "bundler": Manager.BUNDLER,
    "composer": Manager.COMPOSER,
    "composer.phar": Manager.COMPOSER,
    "mvn": Manager.MAVEN,
    "mvnw": Manager.MAVEN,
    "gradle": Manager.GRADLE,
    "gradlew": Manager.GRADLE,
    "apt-get": Manager.APT_GET,
    "apt": Manager.APT,
    "apk": Manager.APK,
    "dnf": Manager.DNF,
    "yum": Manager.YUM,
    "microdnf": Manager.MICRODNF,
}
# Wrappers that run the rest of their words as a command, with the options of each
# that take a value.
_WRAPPERS = {
    "sudo": frozenset("-u -g -h -p -C -D -r -t -U".split()),
    "env": frozenset("-u --unset -C --chdir -S --split-string".split()),
    "nice": frozenset("-n --adjustment".split()),
    "nohup": frozenset(),
    "time": frozenset(),
    "command": frozenset(),
    "exec": frozenset(),
    "eatmydata": frozenset(),
}


@dataclass(frozen=True, slots=True)
class Option:
    """An option word, and its value word when written apart (``-r requirements.txt``)."""

    #: As written, before any ``=``: ``--no-cache-dir``, ``-r``, ``-yqq``.
    name: str
    #: The value (after ``=``, attached, or the next word), or None for a switch.
    value: str | None
    #: The words to remove to drop the option: one, or two when the value is apart.
    words: tuple[ShellWord, ...]


@dataclass(frozen=True, slots=True)
class PackageManagerCall:
    """One call of a package manager or build tool, e.g. ``pip install -r req.txt``."""

    manager: Manager
    #: What it does, normalised: ``install`` (also for ``npm i`` and bare ``yarn``),
    #: ``ci``, ``update``, ``mod download``, ``pip install`` (uv), a Maven goal…
    action: str
    #: The command it is in.
    command: SimpleCommand
    #: The words naming the program: ``pip3``, ``python3 -m pip``, ``./gradlew``.
    program: tuple[ShellWord, ...]
    #: The subcommand words (``install``, ``mod download``); empty for bare ``yarn``.
    action_words: tuple[ShellWord, ...]
    #: Options anywhere after the program, in source order.
    options: tuple[Option, ...]
    #: Other words after the action: packages, paths, goals.
    operands: tuple[ShellWord, ...]
    #: Requirements/constraints/manifest files named by options (``-r``, ``-c``, ``--gemfile``).
    files: tuple[str, ...]
    #: Files the action reads without naming them (``package-lock.json`` for ``npm ci``).
    manifests: tuple[str, ...]
    _bundles: bool = field(repr=False, compare=False, default=False)

    @property
    def span(self) -> tuple[int, int]:
        return self.command.span

    def option(self, *names: str) -> Option | None:
        """The first option spelled as one of ``names`` (``-y`` also matches ``-yqq``)."""
        for opt in self.options:
            for name in names:
                if opt.name == name:
                    return opt
                if (
                    self._bundles
                    and len(name) == 2
                    and not opt.name.startswith("--")
                    and name[1] in opt.name[1:]
                ):
                    return opt
        return None

    def has_option(self, *names: str) -> bool:
        return self.option(*names) is not None

    @property
    def assume_yes(self) -> bool:
        """apt/dnf/yum: runs without prompting (``-y``, ``--yes``, ``-qq``, ``-q=2``)."""
        if self.has_option("-y", "--yes", "--assume-yes"):
            return True
        if self.manager in (Manager.APT_GET, Manager.APT):
            # apt-get(8): quiet level 2 implies -y.
            q = sum(o.name.count("q") for o in self.options if not o.name.startswith("--"))
            q += sum(1 for o in self.options if o.name in ("--quiet", "--silent"))
            q2 = any(o.name in ("-q", "--quiet") and o.value == "2" for o in self.options)
            return q >= 2 or q2
        return self.manager is Manager.APK

    @property
    def local_paths(self) -> tuple[str, ...]:
        """pip/uv: local project paths installed (``.``, ``-e .``, ``./pkg``, ``/src``)."""
        if self.manager not in (Manager.PIP, Manager.UV):
            return ()
        vals = [w.text for w in self.operands]
        vals += [o.value for o in self.options if o.name in ("-e", "--editable") and o.value]
        local = (".", "..")
        return tuple(v for v in vals if v in local or v.startswith(("./", "../", "/", "file:")))


def _program(cmd: SimpleCommand) -> tuple[Manager, int] | None:
    """The manager and the index of the first word after its name, past wrappers."""
    argv = cmd.argv
    i = 0
    while i < len(argv):
        base = os.path.basename(argv[i].text)
        if base in _WRAPPERS:
            takes = _WRAPPERS[base]
            i += 1
            while i < len(argv):
                t = argv[i].text
                if t == "--":
                    i += 1
                    break
                if t.startswith("-") and len(t) > 1:
                    i += 2 if t in takes else 1
                elif base == "env" and "=" in t:
                    i += 1
                else:
                    break
            continue
        break
    if i >= len(argv):
        return None
    base = os.path.basename(argv[i].text)
    if base in _PROGRAMS:
        return _PROGRAMS[base], i + 1
    if _versioned(base, "pip"):
        return Manager.PIP, i + 1
    if _versioned(base, "python"):
        j = i + 1
        while j < len(argv) and argv[j].text.startswith("-") and argv[j].text != "-m":
            j += 1
        if j + 1 < len(argv) and argv[j].text == "-m" and _versioned(argv[j + 1].text, "pip"):
            return Manager.PIP, j + 2
    return None


def _versioned(name: str, stem: str) -> bool:
    """``pip``, ``pip3``, ``pip3.12`` for stem ``pip``."""
    rest = name[len(stem) :]
    return name.startswith(stem) and all(c.isdigit() or c == "." for c in rest)


def _recognise(cmd: SimpleCommand) -> PackageManagerCall | None:
    found = _program(cmd)
    if found is None:
        return None
    manager, start = found
    spec = _SPECS[manager]
    words = cmd.argv[start:]
    options: list[Option] = []
    positional: list[ShellWord] = []
    i = 0
    while i < len(words):
        w = words[i]
        t = w.text
        if t == "--":
            positional.extend(words[i + 1 :])
            break
        if not (t.startswith("-") and len(t) > 1):
            positional.append(w)
            i += 1
            continue
        if "=" in t and t.startswith("--"):
            name, value = t.split("=", 1)
            options.append(Option(name, value, (w,)))
        elif t in spec.takes_value and i + 1 < len(words):
            options.append(Option(t, words[i + 1].text, (w, words[i + 1])))
            i += 1
        elif t[1] != "-" and t[:2] in spec.takes_value and len(t) > 2 and manager is not Manager.GO:
            # An attached short value, ``-rreq.txt``; Go's single-dash names are whole words.
            options.append(Option(t[:2], t[2:].removeprefix("="), (w,)))
        else:
            options.append(Option(t, None, (w,)))
        i += 1
    if spec.actions is None:
        action_words = tuple(positional[:1])
        action = action_words[0].text if action_words else ""
    else:
        action_words = ()
        action = ""
        texts = [w.text for w in positional]
        for key in sorted(spec.actions, key=lambda k: -len(k.split())):
            n = len(key.split()) if key else 0
            # A bare command (``yarn``) only when nothing follows: ``yarn build`` runs a script.
            if (" ".join(texts[:n]) == key) if key else not texts:
                action_words = tuple(positional[:n])
                action = spec.actions[key]
                break
        else:
            return None
    files = tuple(o.value for o in options if o.name in spec.file_options and o.value is not None)
    manifest_key = "" if spec.actions is None else action
    manifests = spec.manifests.get(manifest_key, ())
    return PackageManagerCall(
        manager=manager,
        action=action,
        command=cmd,
        program=cmd.argv[:start],
        action_words=action_words,
        options=tuple(options),
        operands=tuple(positional[len(action_words) :]),
        files=files,
        manifests=manifests,
        _bundles=spec.bundles,
    )


