"""Real stand-ins for GitHub and the PyTorch indexes (recipes in shared/NOTES.md).

- package repositories: local bare git repos whose tags hold synthetic copies of
  a package (``version`` equal to the tag, internal requirements unbounded, as in
  the team's real old tags), reached through git's ``insteadOf`` so the project's
  real https://github.com URLs stay in its files;
- PyTorch indexes: PEP 503 trees of tiny labelled stand-in wheels, selected by
  index name through ``UV_INDEX``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import tomllib
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GITHUB_PREFIX = "https://github.com/VLMHyperBenchTeam/"

# What each backend index serves in the stand-in (the newest a real index has).
STANDIN_WHEELS: dict[str, list[tuple[str, str, list[str]]]] = {
    "cu124": [("torch", "2.6.0+cu124", []), ("torchvision", "0.21.0+cu124", ["torch==2.6.0"])],
    "cu128": [("torch", "2.11.0+cu128", []), ("torchvision", "0.26.0+cu128", ["torch==2.11.0"])],
}


def load_config(root: Path = ROOT) -> dict[str, object]:
    with (root / "pyproject.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return data["tool"]["release-tool"]  # type: ignore[no-any-return]


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for spawned tools: no GITHUB_*/RUNNER_* leaks from CI, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "RUNNER_", "GIT_CONFIG", "UV_INDEX", "ACTIONS_"))
        and k not in {"GH_TOKEN", "GITHUB_TOKEN", "RELEASE_TOOL_TOKEN", "VIRTUAL_ENV"}
    }
    env.update(extra or {})
    return env


def git(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=clean_env(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}: {done.stderr.strip()}")
    return done.stdout.strip()


_IDENTITY = {
    "GIT_AUTHOR_NAME": "Package Maintainer",
    "GIT_AUTHOR_EMAIL": "maintainer@example.invalid",
    "GIT_COMMITTER_NAME": "Package Maintainer",
    "GIT_COMMITTER_EMAIL": "maintainer@example.invalid",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
}


def _unbound_internal(requirement: str, internal: Iterable[str]) -> str:
    name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip()
    return name if name in set(internal) else requirement


def synthesize_package(source: Path, dest: Path, version: str, internal: Iterable[str]) -> None:
    """Copy a package directory with ``version`` set and internal requirements unbounded."""
    import tomlkit  # noqa: PLC0415 - only the sandbox needs it

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    pyproject = dest / "pyproject.toml"
    doc = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
    project = doc["project"]
    project["version"] = version  # type: ignore[index]
    deps = project.get("dependencies", [])  # type: ignore[union-attr]
    for i, req in enumerate(list(deps)):
        deps[i] = _unbound_internal(str(req), internal)
    pyproject.write_text(tomlkit.dumps(doc), encoding="utf-8")


@dataclass(frozen=True)
class PackageRepo:
    name: str
    bare: Path
    tags: dict[str, str]  # tag -> peeled commit


def make_package_repo(  # noqa: PLR0917 - mirrors the repo's identity fields
    repos_root: Path,
    name: str,
    repo_url: str,
    source: Path,
    tags: Iterable[str],
    internal: Iterable[str],
) -> PackageRepo:
    """A bare repo at ``repos_root/<repo name>`` with one annotated tag per version."""
    internal = list(internal)
    repo_name = repo_url.removeprefix(GITHUB_PREFIX)
    bare = repos_root / repo_name
    work = repos_root / ".work" / repo_name.removesuffix(".git")
    work.mkdir(parents=True)
    git("init", "-q", "-b", "main", str(work), cwd=repos_root)
    tag_commits: dict[str, str] = {}
    for tag in tags:
        for child in work.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        staged = repos_root / ".stage"
        synthesize_package(source, staged, tag.removeprefix("v"), internal)
        shutil.copytree(staged, work, dirs_exist_ok=True)
        shutil.rmtree(staged)
        git("add", "-A", cwd=work, env=_IDENTITY)
        git("commit", "-q", "-m", f"release {tag}", cwd=work, env=_IDENTITY)
        git("tag", "-a", tag, "-m", f"{name} {tag}", cwd=work, env=_IDENTITY)
        tag_commits[tag] = git("rev-parse", "HEAD", cwd=work)
    git("clone", "-q", "--bare", str(work), str(bare), cwd=repos_root)
    return PackageRepo(name, bare, tag_commits)


def write_gitconfig(path: Path, repos_root: Path) -> Path:
    """A global git config redirecting the org's GitHub URLs to ``repos_root``."""
    path.write_text(
        f'[url "file://{repos_root}/"]\n\tinsteadOf = {GITHUB_PREFIX}\n'
        "[user]\n\tname = Sandbox\n\temail = sandbox@example.invalid\n"
        '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n',
        encoding="utf-8",
    )
    return path


def _wheel(name: str, version: str, requires: list[str]) -> tuple[str, bytes]:
    dist = f"{name}-{version}"
    filename = f"{dist}-py3-none-any.whl"
    module = (
        f'"""Rehearsal stand-in for {name} {version}: not the real package."""\n'
        f"raise ImportError({name!r} ' {version} here is a rehearsal stand-in wheel from a "
        "local test index, not the real package')\n"
    )
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    files = {
        f"{name}/__init__.py": module.encode(),
        f"{dist}.dist-info/METADATA": metadata.encode(),
        f"{dist}.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: vlmhb-sandbox\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record_lines = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record_lines.append(f"{path},sha256={digest},{len(data)}")
    record_lines.append(f"{dist}.dist-info/RECORD,,")
    files[f"{dist}.dist-info/RECORD"] = ("\n".join(record_lines) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            zf.writestr(info, data)
    return filename, buffer.getvalue()


def make_standin_indexes(root: Path) -> dict[str, Path]:
    """PEP 503 indexes ``root/<backend>/`` of stand-in torch wheels; returns backend -> dir."""
    result: dict[str, Path] = {}
    for backend, wheels in STANDIN_WHEELS.items():
        index = root / backend
        for name, version, requires in wheels:
            filename, data = _wheel(name, version, requires)
            project = index / name
            project.mkdir(parents=True, exist_ok=True)
            (project / filename).write_bytes(data)
            sha = hashlib.sha256(data).hexdigest()
            (project / "index.html").write_text(
                f'<!DOCTYPE html><html><body><a href="{filename}#sha256={sha}">{filename}</a>'
                "</body></html>\n",
                encoding="utf-8",
            )
        names = sorted(p.name for p in index.iterdir() if p.is_dir())
        (index / "index.html").write_text(
            "<!DOCTYPE html><html><body>"
            + "".join(f'<a href="{n}/">{n}</a>' for n in names)
            + "</body></html>\n",
            encoding="utf-8",
        )
        result[backend] = index
    return result


def uv_index_env(indexes: Mapping[str, Path]) -> str:
    return " ".join(f"pytorch-{backend}=file://{path}" for backend, path in sorted(indexes.items()))


def profile_pins(profile_dir: Path) -> dict[str, str]:
    """package -> tag pinned by a profile pyproject."""
    with (profile_dir / "pyproject.toml").open("rb") as fh:
        sources = tomllib.load(fh)["tool"]["uv"]["sources"]
    return {
        name: src["tag"] for name, src in sources.items() if isinstance(src, dict) and "tag" in src
    }


@dataclass(frozen=True)
class Sandbox:
    root: Path
    repos: Path
    gitconfig: Path
    indexes: dict[str, Path]
    packages: dict[str, PackageRepo]

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return clean_env(
            {
                "GIT_CONFIG_GLOBAL": str(self.gitconfig),
                "GIT_CONFIG_NOSYSTEM": "1",
                "UV_NO_GITHUB_FAST_PATH": "1",
                "UV_INDEX": uv_index_env(self.indexes),
                **(extra or {}),
            }
        )


def make_sandbox(
    root: Path, extra_tags: Mapping[str, Iterable[str]] | None = None, project: Path = ROOT
) -> Sandbox:
    """Package repos holding the tags both profiles pin today (plus ``extra_tags``)."""
    config = load_config(project)
    packages_cfg: dict[str, dict[str, str]] = config["packages"]  # type: ignore[assignment]
    wanted: dict[str, list[str]] = {name: [] for name in packages_cfg}
    for profile in ("staging", "prod"):
        for name, tag in profile_pins(project / profile).items():
            if tag not in wanted[name]:
                wanted[name].append(tag)
    for name, tags in (extra_tags or {}).items():
        wanted[name].extend(t for t in tags if t not in wanted[name])
    repos = root / "repos"
    repos.mkdir(parents=True)
    built = {
        name: make_package_repo(
            repos,
            name,
            cfg["repository"],
            project / cfg["directory"],
            wanted[name],
            internal=packages_cfg,
        )
        for name, cfg in packages_cfg.items()
        if wanted[name]
    }
    return Sandbox(
        root=root,
        repos=repos,
        gitconfig=write_gitconfig(root / "gitconfig", repos),
        indexes=make_standin_indexes(root / "indexes"),
        packages=built,
    )


def package_workdir(repo: PackageRepo) -> Path:
    """The working repository ``make_package_repo`` built the bare one from."""
    return repo.bare.parent / ".work" / repo.bare.name.removesuffix(".git")


def add_package_tag(
    sandbox: Sandbox,
    name: str,
    tag: str,
    *,
    version: str | None = None,
    dependencies: list[str] | None = None,
    requires_python: str | None = None,
    move: bool = False,
    project: Path = ROOT,
) -> str:
    """Commit a synthetic release of ``name`` and tag it (annotated) in its bare repo.

    ``version`` is what pyproject.toml declares (default: the tag's version);
    ``dependencies`` replaces the declared requirements; ``move`` re-points an
    existing tag (force-pushed), as a careless maintainer would. Returns the commit.
    """
    import tomlkit  # noqa: PLC0415 - only the sandbox needs it

    config = load_config(project)
    packages_cfg: dict[str, dict[str, str]] = config["packages"]  # type: ignore[assignment]
    repo = sandbox.packages[name]
    work = package_workdir(repo)
    for child in work.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    staged = sandbox.repos / ".stage"
    synthesize_package(
        project / packages_cfg[name]["directory"],
        staged,
        version or tag.removeprefix("v"),
        internal=packages_cfg,
    )
    pyproject = staged / "pyproject.toml"
    doc = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
    if dependencies is not None:
        doc["project"]["dependencies"] = dependencies  # type: ignore[index]
    if requires_python is not None:
        doc["project"]["requires-python"] = requires_python  # type: ignore[index]
    pyproject.write_text(tomlkit.dumps(doc), encoding="utf-8")
    shutil.copytree(staged, work, dirs_exist_ok=True)
    shutil.rmtree(staged)
    git("add", "-A", cwd=work, env=_IDENTITY)
    git("commit", "-q", "--allow-empty", "-m", f"release {tag}", cwd=work, env=_IDENTITY)
    git("tag", "-a", *(["-f"] if move else []), tag, "-m", f"{name} {tag}", cwd=work, env=_IDENTITY)
    git("push", "-q", *(["-f"] if move else []), str(repo.bare), f"refs/tags/{tag}", cwd=work)
    commit = git("rev-parse", "HEAD", cwd=work)
    repo.tags[tag] = commit
    return commit


def make_monorepo(sandbox: Sandbox, name: str = "mono", project: Path = ROOT) -> Path:
    """A bare clone of the committed project as ``origin`` and a working clone of it.

    The origin holds the project's HEAD as ``main``; the clone's real GitHub URLs are
    redirected to the sandbox's package repositories by the sandbox's gitconfig.
    """
    origin = sandbox.root / f"{name}-origin.git"
    if not origin.exists():
        git("init", "-q", "--bare", str(origin), cwd=sandbox.root)
        git("push", "-q", str(origin), "HEAD:refs/heads/main", cwd=project)
        git("symbolic-ref", "HEAD", "refs/heads/main", cwd=origin)
    work = sandbox.root / name
    git("clone", "-q", str(origin), str(work), cwd=sandbox.root, env=sandbox.env())
    return work
