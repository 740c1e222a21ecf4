"""Users: ``useradd``/``adduser``/``groupadd`` calls, and what a ``USER`` spec resolves to.

A name resolves through the users created earlier in the stage or the stages it is built
on, then through the base image's table (:mod:`dockmod.ecosystems.images`). Unknown stays
unknown: ``UserInfo(uid=None, reason=…)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dockmod.ecosystems.images import ABSENT_HOMES
from dockmod.shell.parse import SimpleCommand


@dataclass(frozen=True, slots=True)
class CreatedUser:
    """A user a ``RUN`` creates. ``uid``/``gid`` None when the command leaves them to the
    system (they are then the next free ids, which dockmod does not guess)."""

    name: str
    uid: int | None
    gid: int | None
    home: str | None
    system: bool
    #: The primary group's name when given by name (``-g app``, ``-G app`` for busybox).
    group: str | None = None
    #: The command creates the home directory (True), does not (False), or the system's
    #: defaults decide (None: ``useradd`` without ``-m``/``-M`` reads ``CREATE_HOME`` in
    #: ``/etc/login.defs``, yes on Fedora/RHEL, no on Debian).
    home_created: bool | None = None
    #: For ``usermod``: the fields it sets (``uid``, ``gid``, ``group``, ``home``,
    #: ``home_created``; ``renamed`` for ``-l``); the account keeps the others. Empty: the
    #: command creates the user.
    changes: frozenset[str] = frozenset()
    #: The command names a uid that is not a literal number (``--uid "${USER_UID}"``):
    #: ``uid`` is None because dockmod cannot know it, not because the system picks one.
    uid_variable: bool = False


@dataclass(frozen=True, slots=True)
class CreatedGroup:
    name: str
    gid: int | None


@dataclass(frozen=True, slots=True)
class UserInfo:
    """The user an instruction runs as."""

    #: The ``USER`` value after expansion (``""`` when no USER applies: the image default).
    spec: str
    name: str | None
    uid: int | None
    gid: int | None
    home: str | None
    #: Why a field is unknown, or None when everything is known.
    reason: str | None = None
    #: True when no ``USER`` instruction in the stage chain set it (the image's default).
    inherited: bool = False
    #: The account's ``home`` is known to exist: root's, one its ``useradd -m``/``adduser``
    #: created, or the base image's (not ``/nonexistent``).
    home_made: bool = False

    @property
    def is_root(self) -> bool | None:
        """True/False when known, None when the uid is unknown."""
        return None if self.uid is None else self.uid == 0


_USERADD_VALUE = frozenset(
    ["-u", "--uid", "-d", "--home-dir", "-g", "--gid", "-G", "--groups", "-s", "--shell", "-c", "--comment", "-k", "--skel", "-e", "--expiredate", "-f", "--inactive", "-K", "--key", "-b", "--base-dir", "-p", "--password", "-R", "--root", "-P", "--prefix", "-Z", "--selinux-user"]
)
# busybox adduser: -h DIR -g GECOS -s SHELL -G GRP -u UID -k SKEL; Debian adduser: --home
# --uid --gid --ingroup --gecos --shell --firstuid --lastuid --conf --comment
_ADDUSER_VALUE = frozenset(
    ["-h", "-g", "-s", "-G", "-u", "-k", "--home", "--uid", "--gid", "--ingroup", "--gecos", "--shell", "--firstuid", "--lastuid", "--conf", "--comment", "--add-extra-groups", "--extrausers"]
)
_GROUPADD_VALUE = frozenset(["-g", "--gid", "-K", "--key", "-p", "--password", "-R", "--root", "-P", "--prefix"])
# usermod(8) and groupmod(8) (shadow-utils).
_USERMOD_VALUE = frozenset(
    ["-u", "--uid", "-g", "--gid", "-d", "--home", "-l", "--login", "-G", "--groups", "-s", "--shell", "-c", "--comment", "-e", "--expiredate", "-f", "--inactive", "-p", "--password", "-R", "--root", "-P", "--prefix", "-Z", "--selinux-user", "-v", "--add-subuids", "-V", "--del-subuids", "-w", "--add-subgids", "-W", "--del-subgids"]
)
_GROUPMOD_VALUE = frozenset(["-g", "--gid", "-n", "--new-name", "-p", "--password", "-R", "--root", "-P", "--prefix"])


def _int(v: str | None) -> int | None:
    return int(v) if v is not None and v.isdigit() else None


def parse_user_command(cmd: SimpleCommand) -> CreatedUser | CreatedGroup | None:
    """The user or group ``cmd`` creates (``useradd``, ``adduser``, ``groupadd``, ``addgroup``),
    or changes (``usermod``, ``groupmod``: see :attr:`CreatedUser.changes`)."""
    prog = cmd.name.rpartition("/")[2]
    if prog not in ("useradd", "adduser", "groupadd", "addgroup", "usermod", "groupmod"):
        return None
    words = cmd.argv[1:]
    if not all(w.static for w in words):
        # ``--uid $UID``: the shell's value, not known here.
        texts = [w.text if w.static else None for w in words]
    else:
        texts = [w.text for w in words]
    takes = {"useradd": _USERADD_VALUE, "adduser": _ADDUSER_VALUE, "usermod": _USERMOD_VALUE,
             "groupmod": _GROUPMOD_VALUE}.get(prog, _GROUPADD_VALUE)
    opts: dict[str, str | None] = {}
    flags: set[str] = set()
    positional: list[str | None] = []
    i = 0
    while i < len(texts):
        t = texts[i]
        if t is None:
            positional.append(None)
            i += 1
            continue
        if t.startswith("-") and len(t) > 1:
            key, eq, val = t.partition("=")
            if eq and key.startswith("--"):
                opts[key] = val
            elif key in takes:
                opts[key] = texts[i + 1] if i + 1 < len(texts) else None
                i += 1
            elif len(t) > 2 and not t.startswith("--") and t[:2] in takes:
                opts[t[:2]] = t[2:]
            elif len(t) > 2 and not t.startswith("--") and f"-{t[-1]}" in takes and all(
                    f"-{c}" not in takes for c in t[1:-1]):
                # ``useradd -ms /bin/bash``: flags, then one that takes the next word.
                flags.update(f"-{c}" for c in t[1:-1])
                opts[f"-{t[-1]}"] = texts[i + 1] if i + 1 < len(texts) else None
                i += 1
            else:
                flags.update([t] if t.startswith("--") else [f"-{c}" for c in t[1:]])
        else:
            positional.append(t)
        i += 1
    if not positional or positional[0] is None:
        return None
    name = positional[0]
    if prog == "usermod":
        return _usermod(name, opts, flags)
    if prog == "groupmod":
        # A new gid (None: not known); ``-n`` renames it, so the old name is not known either.
        new = "-n" in opts or "--new-name" in opts
        given = "-g" in opts or "--gid" in opts
        return CreatedGroup(name, None if new else _int(opts.get("-g") or opts.get("--gid"))) if new or given \
            else None
    if prog in ("groupadd", "addgroup"):
        gid = _int(opts.get("-g") or opts.get("--gid"))
        return CreatedGroup(name, gid)
    if prog == "adduser" and len(positional) >= 2 and positional[1] is not None and "-D" not in flags:
        return None  # Debian ``adduser USER GROUP`` adds a user to a group
    system = bool(flags & {"-r", "--system", "-S"})
    if prog == "useradd":
        uid = _int(opts.get("-u") or opts.get("--uid"))
        gid_text = opts.get("-g") or opts.get("--gid")
        home = opts.get("-d") or opts.get("--home-dir")
        base = opts.get("-b") or opts.get("--base-dir") or "/home"
        if home is None:
            # useradd(8): HOME_DIR defaults to BASE_DIR/NAME, created or not.
            home = f"{base.rstrip('/')}/{name}"
        made = True if flags & {"-m", "--create-home"} else False if flags & {"-M", "--no-create-home"} else None
    else:  # adduser: busybox (-u/-G/-h) or Debian (--uid/--gid/--ingroup/--home)
        uid = _int(opts.get("-u") or opts.get("--uid"))
        gid_text = opts.get("--gid") or opts.get("-G") or opts.get("--ingroup")
        home = opts.get("-h") or opts.get("--home")
        if home is None:
            home = "/nonexistent" if system and "-h" not in opts and "--home" not in opts and "-S" not in flags \
                else f"/home/{name}"
        # Both adducers create the home unless told not to (busybox ``-H``, Debian
        # ``--no-create-home``); Debian's system users get ``/nonexistent``, never made.
        made = not flags & {"-H", "--no-create-home"} and home != "/nonexistent"
    gid = _int(gid_text)
    group = gid_text if gid_text is not None and gid is None else None
    return CreatedUser(name=name, uid=uid, gid=gid, home=home, system=system, group=group,
                       home_created=made if home is not None else False,
                       uid_variable=uid is None and ("-u" in opts or "--uid" in opts))


def _usermod(name: str, opts: dict[str, str | None], flags: set[str]) -> CreatedUser | None:
    """What ``usermod`` changes of user ``name`` (see :attr:`CreatedUser.changes`): a value it
    sets from a variable is None (unknown). ``-l`` renames the account: its ids and home are
    then not known under the old name."""
    changes: set[str] = set()
    uid = gid = None
    group = home = None
    if "-l" in opts or "--login" in opts:
        return CreatedUser(name, None, None, None, False,
                           changes=frozenset({"uid", "gid", "home", "home_created", "renamed"}))
    if "-u" in opts or "--uid" in opts:
        uid = _int(opts.get("-u") or opts.get("--uid"))
        changes.add("uid")
    if "-g" in opts or "--gid" in opts:
        text = opts.get("-g") or opts.get("--gid")
        gid = _int(text)
        group = text if text is not None and gid is None else None
        changes.update(("gid", "group"))
    if "-d" in opts or "--home" in opts:
        home = opts.get("-d") or opts.get("--home")
        # ``-m`` moves the old home's content there (creating it only if the old one exists).
        changes.update(("home", "home_created"))
    if not changes:
        return None
    return CreatedUser(name, uid, gid, home, False, group=group, home_created=None, changes=frozenset(changes))


def resolve_user(spec: str, created: Iterable[CreatedUser | CreatedGroup],
                 table: Mapping[str, tuple[int, int | None, str | None]] | None,
                 *, inherited: bool = False, env_home: str | None = None) -> UserInfo:
    """Resolve ``spec`` (``name``, ``uid``, ``name:group``) against what is known.

    ``created`` is in creation order (later wins); ``table`` the base image's accounts,
    or None when the image is unknown (then a name not created here is unknown).
    """
    user, _, group = spec.partition(":")
    users: dict[str, CreatedUser] = {}
    groups: dict[str, int | None] = {}
    for c in created:
        if isinstance(c, CreatedUser):
            users[c.name] = _changed(users.get(c.name), c, table) if c.changes else c
        else:
            groups[c.name] = c.gid
    name: str | None = None
    uid: int | None = None
    gid: int | None = None
    home: str | None = None
    reason: str | None = None
    made = False
    if user in ("", "root", "0"):
        name, uid, gid, home = "root", 0, 0, "/root"
        made = True
    elif user in users:
        c = users[user]
        name, uid, home = user, c.uid, c.home
        made = c.home_created is True
        gid = c.gid if c.gid is not None else (groups.get(c.group) if c.group else None)
        if gid is None and c.group is None and c.uid is not None and user in groups:
            gid = groups[user]
        if uid is None:
            reason = (f"`usermod -l` renames user `{user}`" if "renamed" in c.changes
                      else f"`usermod` gives user `{user}` a uid dockmod cannot know" if "uid" in c.changes
                      else f"user `{user}` is created with a uid dockmod cannot know (not a literal number)"
                      if c.uid_variable else f"useradd gives user `{user}` no fixed uid")
    elif user.isdigit():
        uid = int(user)
        for c in users.values():
            if c.uid == uid:
                name, gid, home = c.name, c.gid, c.home
                made = c.home_created is True
                break
        else:
            if table is not None:
                for n, (u, g, h) in table.items():
                    if u == uid and n not in users:
                        name, gid, home = n, g, h
                        made = h is not None and h not in ABSENT_HOMES
                        break
            if name is None:
                reason = f"uid {uid} has no known account, so its HOME is unknown"
    elif table is not None and user in table:
        name = user
        uid, gid, home = table[user]
        made = home is not None and home not in ABSENT_HOMES
    else:
        name = user
        reason = (f"user `{user}` is not created in the Dockerfile nor known in the base image"
                  if table is not None else f"user `{user}` comes from a base image dockmod does not know")
    if group:
        if group.isdigit():
            gid = int(group)
        elif group in groups:
            gid = groups[group]
        elif group in users and users[group].gid is not None:
            gid = users[group].gid
        elif group == "root":
            gid = 0
        else:
            gid = None
    if env_home is not None:
        made = made and env_home == home
        home = env_home
    return UserInfo(spec=spec, name=name, uid=uid, gid=gid, home=home, reason=reason, inherited=inherited,
                    home_made=made)


def _changed(before: CreatedUser | None, mod: CreatedUser,
             table: Mapping[str, tuple[int, int | None, str | None]] | None) -> CreatedUser:
    """User ``mod.name`` (as created earlier, else as the base image's ``table`` has it)
    after ``usermod`` record ``mod``. An account not known before keeps only what ``mod`` sets."""
    if before is None and table is not None and mod.name in table:
        u, g, h = table[mod.name]
        before = CreatedUser(mod.name, u, g, h, False, home_created=h is not None and h not in ABSENT_HOMES)
    if before is None:
        before = CreatedUser(mod.name, None, None, None, False)
    return dataclasses.replace(before, changes=before.changes | mod.changes,
                               **{f: getattr(mod, f) for f in mod.changes if f != "renamed"})
