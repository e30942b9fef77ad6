"""A package tag whose own build backend reports every credential it can see.

The security tests promote such a tag: its ``pyproject.toml`` leaves the
dependencies dynamic, so ``uv lock`` must run the tag's in-tree PEP 517 backend to
learn them. The backend writes its whole environment to a file in
``$CANARY_DUMP_DIR`` (one file per hook call) and then answers like a real backend,
so the lock succeeds; the test then searches those files for the canaries.

Also here: canary values for the three token variables, and a stand-in ``uv``/``git``
pair that records each call's argv and environment before running the real tool.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from release_tool.sandbox.repos import MAINTAINER, PackageRepo

from tests.support.sandbox import git

# One recognisable value per variable, so a finding names where it came from.
CANARIES = {
    "GH_TOKEN": "ghs_GHTOKENCANARY0123456789abcdef",
    "GITHUB_TOKEN": "ghs_GITHUBTOKENCANARY0123456789ab",
    "ACTIONS_RUNTIME_TOKEN": "ACTIONSRUNTIMECANARY0123456789ab",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "ACTIONSIDTOKENCANARY0123456789ab",
}
# A credential git config pair such as actions/checkout leaves with persist-credentials.
HEADER_CANARY = "HEADERCANARY0123456789abcdefABCD"

BACKEND = '''\
"""An in-tree build backend that dumps its environment (a security test's canary)."""
import base64, hashlib, json, os, pathlib, time, zipfile

NAME, VERSION = "hello_world", "@VERSION@"
METADATA = (
    "Metadata-Version: 2.1\\nName: hello-world\\nVersion: @VERSION@\\n"
    "Requires-Python: >=3.11\\n"
)
WHEEL = "Wheel-Version: 1.0\\nGenerator: canary\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"


def _dump(hook):
    where = os.environ.get("CANARY_DUMP_DIR")
    if where:
        name = f"{hook}-{os.getpid()}-{time.time_ns()}.json"
        pathlib.Path(where, name).write_text(json.dumps(dict(os.environ)))


def get_requires_for_build_wheel(config_settings=None):
    _dump("get_requires_for_build_wheel")
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _dump("prepare_metadata_for_build_wheel")
    info = pathlib.Path(metadata_directory, f"{NAME}-{VERSION}.dist-info")
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(METADATA)
    (info / "WHEEL").write_text(WHEEL)
    return info.name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _dump("build_wheel")
    name = f"{NAME}-{VERSION}-py3-none-any.whl"
    files = {
        f"{NAME}/__init__.py": "",
        f"{NAME}-{VERSION}.dist-info/METADATA": METADATA,
        f"{NAME}-{VERSION}.dist-info/WHEEL": WHEEL,
    }
    record = []
    with zipfile.ZipFile(pathlib.Path(wheel_directory, name), "w") as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
            record.append(f"{path},sha256={digest.decode().rstrip('=')},{len(text)}")
        record.append(f"{NAME}-{VERSION}.dist-info/RECORD,,")
        wheel.writestr(f"{NAME}-{VERSION}.dist-info/RECORD", "\\n".join(record) + "\\n")
    return name
'''

PYPROJECT = """\
[project]
name = "hello-world"
version = "@VERSION@"
requires-python = ">=3.11"
# Dynamic: uv must run this tag's own backend to learn them.
dynamic = ["dependencies"]

[build-system]
requires = []
build-backend = "canary_backend"
backend-path = ["."]
"""


def release_canary_tag(repo: PackageRepo, tag: str, env: Mapping[str, str]) -> str:
    """Commit a release of ``repo`` with the dumping backend (a commit never seen before),
    tag it (annotated) and push the tag to the bare repository; the commit."""
    version = tag.removeprefix("v")
    for child in repo.work.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    (repo.work / "canary_backend.py").write_text(BACKEND.replace("@VERSION@", version))
    (repo.work / "pyproject.toml").write_text(PYPROJECT.replace("@VERSION@", version))
    # A fresh commit every time: uv caches what a commit's backend answered, and a
    # cached answer would run no backend at all (the test would prove nothing).
    (repo.work / "nonce").write_text(uuid.uuid4().hex)
    author = {**env, **MAINTAINER}
    git("add", "-A", cwd=repo.work, env=author)
    git("commit", "-q", "-m", f"release {tag} (canary backend)", cwd=repo.work, env=author)
    git("tag", "-a", tag, "-m", f"{repo.name} {tag}", cwd=repo.work, env=author)
    git("push", "-q", str(repo.bare), f"refs/tags/{tag}", cwd=repo.work, env=env)
    commit = git("rev-parse", "HEAD", cwd=repo.work, env=env)
    repo.tags[tag] = commit
    return commit


def canary_env(token: str) -> dict[str, str]:
    """The three token variables, the runner's ACTIONS_* tokens and a credential git
    config pair (between two harmless ones), as a step of a workflow would hold them."""
    return {
        "RELEASE_TOOL_TOKEN": token,
        **CANARIES,
        "GIT_CONFIG_COUNT": "3",
        "GIT_CONFIG_KEY_0": "core.quotePath",
        "GIT_CONFIG_VALUE_0": "false",
        "GIT_CONFIG_KEY_1": "http.https://github.com/.extraheader",
        "GIT_CONFIG_VALUE_1": f"AUTHORIZATION: basic {HEADER_CANARY}",
        "GIT_CONFIG_KEY_2": "safe.directory",
        "GIT_CONFIG_VALUE_2": "*",
    }


def secret_values(token: str) -> tuple[str, ...]:
    """Every canary value a child process must never see."""
    return (token, *CANARIES.values(), HEADER_CANARY)


def findings(texts: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """The secrets found in any of ``texts`` (empty: none)."""
    wanted = [s for s in secrets if s]
    return sorted({s for text in texts for s in wanted if s in text})


def read_dumps(directory: Path) -> list[dict[str, str]]:
    """The environments the backend recorded, oldest first."""
    files = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    return [json.loads(p.read_text(encoding="utf-8")) for p in files]


def all_files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root`` (a checkout's .git included)."""
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path


# -- stand-in uv and git that record their environment ------------------------------

RECORDER = """\
#!{python}
import json, os, sys
call = {{"tool": {tool!r}, "argv": sys.argv[1:], "env": dict(os.environ)}}
with open({log!r}, "a", encoding="utf-8") as fh:
    fh.write(json.dumps(call) + "\\n")
os.execv({real!r}, [{real!r}, *sys.argv[1:]])
"""


@dataclass(frozen=True)
class Recorder:
    """A directory holding stand-in ``uv`` and ``git`` (put it first on PATH) and the
    JSON-lines log they append each call to."""

    bin: Path
    log: Path

    def calls(self) -> list[dict[str, object]]:
        if not self.log.is_file():
            return []
        return [json.loads(line) for line in self.log.read_text("utf-8").splitlines()]

    def path(self, rest: str) -> str:
        return f"{self.bin}{os.pathsep}{rest}"


def make_recorder(root: Path, python: str, real: Mapping[str, str]) -> Recorder:
    """Stand-ins for each ``tool -> real binary`` in ``real``, logging to ``root/calls``."""
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True)
    log = root / "calls.jsonl"
    for tool, binary in real.items():
        script = bin_dir / tool
        script.write_text(RECORDER.format(python=python, log=str(log), tool=tool, real=binary))
        script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return Recorder(bin_dir, log)


def credential_pairs(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """The credential-carrying ``GIT_CONFIG_*`` pairs git would read from ``env``."""
    from release_tool.adapters.process import carries_credential  # noqa: PLC0415

    count = env.get("GIT_CONFIG_COUNT", "0")
    pairs = [
        (env.get(f"GIT_CONFIG_KEY_{i}", ""), env.get(f"GIT_CONFIG_VALUE_{i}", ""))
        for i in range(int(count) if count.isdigit() else 0)
    ]
    return [(k, v) for k, v in pairs if carries_credential(k, v)]
