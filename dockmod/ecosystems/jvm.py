"""The JVM: Maven, Gradle, sbt, Leiningen and the Clojure CLI."""

from __future__ import annotations

from dockmod.ecosystems._base import (
    CacheDir, ConfigFile, Ecosystem, InstallKind, Manager, ManagerInfo, PackageManagerCall,
)
from dockmod.ecosystems._rows import names
from dockmod.shell.commands import CommandSpec, Option
from dockmod.shell.parse import ShellWord

# https://maven.apache.org/guides/mini/guide-configuring-maven.html#configuring-your-local-repository
_M2 = CacheDir(
    "{HOME}/.m2/repository",
    kind="store",
    locked=True,
    options=("-Dmaven.repo.local=",),
    source="https://maven.apache.org/guides/mini/guide-configuring-maven.html#configuring-your-local-repository",
)


def _goals(call: PackageManagerCall) -> list[str]:
    return [w.text for w in (*call.action_words, *call.operands)]


def _maven_kind(call: PackageManagerCall) -> InstallKind | None:
    goals = _goals(call)
    if not goals:
        return None
    # https://maven.apache.org/plugins/maven-dependency-plugin/go-offline-mojo.html
    if all(g.startswith("dependency:") for g in goals):
        return InstallKind.DEPENDENCIES
    return InstallKind.PROJECT


def _gradle_kind(call: PackageManagerCall) -> InstallKind | None:
    tasks = [t for t in _goals(call) if not t.startswith("-")]
    if not tasks:
        return None
    # https://docs.gradle.org/current/userguide/viewing_debugging_dependencies.html
    if all(t.rsplit(":", 1)[-1] in ("dependencies", "androidDependencies") for t in tasks):
        return InstallKind.DEPENDENCIES
    return InstallKind.PROJECT


def _sbt_kind(call: PackageManagerCall) -> InstallKind | None:
    tasks = _goals(call)
    if not tasks:
        return None
    # https://www.scala-sbt.org/1.x/docs/Command-Line-Reference.html (update resolves)
    if all(t in ("update", "updateClassifiers", "update;") for t in tasks):
        return InstallKind.DEPENDENCIES
    return InstallKind.PROJECT


def _lein_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action == "deps":
        return InstallKind.DEPENDENCIES
    return InstallKind.PROJECT if call.action else None


def _clojure_action(action: str, options: tuple[Option, ...], operands: tuple[ShellWord, ...]) -> str | None:
    # https://clojure.org/reference/clojure_cli#prepare (-P: download deps, run nothing)
    if any(o.name == "-P" for o in options):
        return "prepare"
    return None


# https://docs.gradle.org/current/userguide/version_catalogs.html#sec:version-catalog-declaration
_CATALOG = "https://docs.gradle.org/current/userguide/version_catalogs.html#sec:version-catalog-declaration"


MANAGERS = (
    # https://maven.apache.org/ref/current/maven-embedder/cli.html
    ManagerInfo(
        manager=Manager.MAVEN,
        programs=("mvn", "mvnw", "mvnd"),
        ecosystem="java",
        source="https://maven.apache.org/ref/current/maven-embedder/cli.html",
        spec=CommandSpec(
            None,
            names(
                "-f --file -s --settings -gs --global-settings -P --activate-profiles -pl"
                " --projects -T --threads -rf -l --log-file"
            ),
            names("-f --file"),
        ),
        install_actions=frozenset({"*"}),
        action_manifests={"": ("pom.xml",)},
        caches=(_M2,),
        offline_options=("-o", "--offline"),
        kind_rule=_maven_kind,
        # The project's `.mvn/` folder: maven.config, jvm.config, extensions.xml and the
        # files they name (https://maven.apache.org/configure.html).
        project_config=(ConfigFile(".mvn/", "https://maven.apache.org/configure.html"),),
    ),
    # https://docs.gradle.org/current/userguide/command_line_interface.html
    # user home: https://docs.gradle.org/current/userguide/directory_layout.html#dir:gradle_user_home
    ManagerInfo(
        manager=Manager.GRADLE,
        programs=("gradle", "gradlew"),
        ecosystem="java",
        source="https://docs.gradle.org/current/userguide/command_line_interface.html",
        spec=CommandSpec(
            None,
            names(
                "-p --project-dir -x --exclude-task -g --gradle-user-home -b --build-file -c"
                " --settings-file --init-script -I"
            ),
            names("-b --build-file -c --settings-file"),
        ),
        install_actions=frozenset({"*"}),
        action_manifests={"": ("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
                               "gradle.properties", "gradle/wrapper/gradle-wrapper.properties")},
        caches=tuple(
            CacheDir(
                f"{{HOME}}/.gradle/{sub}",
                overrides=(("GRADLE_USER_HOME", f"{{GRADLE_USER_HOME}}/{sub}"),),
                kind="store",
                options=("-g", "--gradle-user-home"),
                source="https://docs.gradle.org/current/userguide/directory_layout.html#dir:gradle_user_home",
            )
            for sub in ("caches", "wrapper")
        ),
        offline_options=("--offline",),
        kind_rule=_gradle_kind,
        # The project root's build files, any of which a project may lack (Groovy or Kotlin
        # DSL), the version catalog `gradle/libs.versions.toml` and `buildSrc/`, which Gradle
        # builds first: https://docs.gradle.org/current/userguide/directory_layout.html#dir:project_root,
        # https://docs.gradle.org/current/userguide/version_catalogs.html#sec:version-catalog-declaration
        project_config=(
            *(ConfigFile(name, "https://docs.gradle.org/current/userguide/directory_layout.html#dir:project_root",
                         manifest=True)
              for name in ("settings.gradle", "settings.gradle.kts", "build.gradle", "build.gradle.kts")),
            ConfigFile("gradle.properties",
                       "https://docs.gradle.org/current/userguide/directory_layout.html#dir:project_root"),
            ConfigFile("gradle/libs.versions.toml", _CATALOG),
            ConfigFile("buildSrc/",
                       "https://docs.gradle.org/current/userguide/directory_layout.html#dir:project_root"),
        ),
    ),
    # https://www.scala-sbt.org/1.x/docs/Command-Line-Reference.html
    # caches: https://get-coursier.io/docs/cache#default-location (COURSIER_CACHE,
    # $XDG_CACHE_HOME/coursier on Linux) and ~/.ivy2, ~/.sbt (https://www.scala-sbt.org/1.x/docs/Directories.html)
    ManagerInfo(
        manager=Manager.SBT,
        programs=("sbt",),
        ecosystem="scala",
        source="https://www.scala-sbt.org/1.x/docs/Command-Line-Reference.html",
        spec=CommandSpec(None, names("--sbt-dir --ivy --sbt-boot -J")),
        install_actions=frozenset({"*"}),
        action_manifests={"": ("build.sbt", "project/build.properties", "project/plugins.sbt")},
        caches=(
            CacheDir(
                "{XDG_CACHE_HOME:-{HOME}/.cache}/coursier",
                env=("COURSIER_CACHE",),
                kind="store",
                source="https://get-coursier.io/docs/cache#default-location",
            ),
            CacheDir("{HOME}/.ivy2/cache", kind="store", source="https://www.scala-sbt.org/1.x/docs/Directories.html"),
        ),
        kind_rule=_sbt_kind,
    ),
    # https://codeberg.org/leiningen/leiningen/src/branch/main/doc/TUTORIAL.md (lein deps)
    ManagerInfo(
        manager=Manager.LEIN,
        programs=("lein",),
        ecosystem="clojure",
        source="https://codeberg.org/leiningen/leiningen/src/branch/main/doc/TUTORIAL.md",
        spec=CommandSpec(None, names("-o")),
        install_actions=frozenset({"*"}),
        action_manifests={"": ("project.clj",)},
        caches=(_M2,),
        offline_options=("-o",),
        kind_rule=_lein_kind,
    ),
    # https://clojure.org/reference/clojure_cli
    ManagerInfo(
        manager=Manager.CLOJURE,
        programs=("clojure", "clj"),
        ecosystem="clojure",
        source="https://clojure.org/reference/clojure_cli",
        spec=CommandSpec(None, names("-Sdeps -Scp -Sthreads"), subcommands=False),
        install_actions=frozenset({"prepare"}),
        action_manifests={"prepare": ("deps.edn",)},
        caches=(
            _M2,
            CacheDir("{HOME}/.gitlibs", env=("GITLIBS",), kind="store",
                     source="https://clojure.org/reference/deps_edn#deps_git"),
        ),
        action_rule=_clojure_action,
        kind_rule=lambda call: InstallKind.DEPENDENCIES if call.action == "prepare" else None,
    ),
)

ECOSYSTEMS = (
    # https://maven.apache.org/guides/introduction/introduction-to-the-pom.html
    Ecosystem("java", "Java", (Manager.MAVEN, Manager.GRADLE),
              ("pom.xml", ".mvn/wrapper/maven-wrapper.properties", "build.gradle", "build.gradle.kts",
               "settings.gradle", "settings.gradle.kts", "gradle.properties", "gradle.lockfile"),
              "https://maven.apache.org/guides/introduction/introduction-to-the-pom.html"),
    # https://www.scala-sbt.org/1.x/docs/Basic-Def.html
    Ecosystem("scala", "Scala", (Manager.SBT,), ("build.sbt", "project/build.properties", "project/plugins.sbt"),
              "https://www.scala-sbt.org/1.x/docs/Basic-Def.html"),
    # https://clojure.org/reference/deps_edn
    Ecosystem("clojure", "Clojure", (Manager.LEIN, Manager.CLOJURE), ("project.clj", "deps.edn"),
              "https://clojure.org/reference/deps_edn"),
)


# -- the dependency-only step of a Maven build ------------------------------------------
#: The goal that resolves a project's dependencies and plugins into ~/.m2 without
#: building it. It does not fetch everything a build will (plugins' own dependencies
#: resolved at run time, dynamic versions), so the build may still download some:
#: https://maven.apache.org/plugins/maven-dependency-plugin/go-offline-mojo.html
GO_OFFLINE = "dependency:go-offline"
#: Options the step repeats: they select the POM, the settings (mirrors, credentials),
#: the profiles and properties the build resolves with; ``-B`` (batch mode, no
#: progress output) is added: https://maven.apache.org/ref/current/maven-embedder/cli.html
GO_OFFLINE_CARRIED = frozenset({"-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-P",
                                "--activate-profiles", "-B", "--batch-mode", "-ntp", "--no-transfer-progress",
                                "-q", "--quiet", "-U", "--update-snapshots", "-C", "--strict-checksums"})
#: Options that select modules of a multi-module build: the step declines them.
MAVEN_REACTOR = frozenset({"-pl", "--projects", "-am", "--also-make", "-amd", "--also-make-dependents",
                           "-rf", "--resume-from"})
#: Files the wrapper reads (https://maven.apache.org/wrapper/), besides the POM.
MAVEN_WRAPPER = ".mvn/wrapper/maven-wrapper.properties"
#: What ``./gradlew`` runs: the script and the folder with the wrapper's jar and its
#: properties (https://docs.gradle.org/current/userguide/gradle_wrapper.html#sec:adding_wrapper).
GRADLE_WRAPPER = "gradlew"
GRADLE_WRAPPER_DIR = "gradle/wrapper"
GRADLE_WRAPPER_FILES = ("gradle/wrapper/gradle-wrapper.jar", "gradle/wrapper/gradle-wrapper.properties")
