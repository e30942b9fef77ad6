"""The JSON objects the fake GitHub answers with, field for field as GitHub's description has them.

Each builder writes every field the description marks required for its schema
(``simple-user``, ``full-repository`` / ``repository``, ``label``, ``issue``,
``pull-request``, ``issue-comment``, ``git-ref``), with GitHub's URL shapes under the
fake's base. Values the fake does not model are the ones a fresh repository has
(no milestone, no assignee, zero counts). The contract check
(:mod:`tests.support.github_contract`) holds these to the description.
"""

from __future__ import annotations

import base64
from typing import Any

Json = Any
CREATED = "2024-01-01T00:00:00Z"


def node_id(kind: str, number: int) -> str:
    """An opaque global node id, like GitHub's (base64 of a kind and a number)."""
    return base64.b64encode(f"{kind}:{number}".encode()).decode().rstrip("=")


def user_json(root: str, login: str, uid: int, kind: str) -> dict[str, Json]:
    """``simple-user``: ``root`` is the API root (``http://host/api/v3``)."""
    url = f"{root}/users/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": node_id("User", uid),
        "type": kind,
        "site_admin": False,
        "url": url,
        "html_url": f"{root.removesuffix('/api/v3')}/{login}",
        "avatar_url": f"{root.removesuffix('/api/v3')}/avatars/u/{uid}",
        "gravatar_id": "",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
    }


# Suffixes of a repository's API URL for its ``*_url`` fields (GitHub's URI templates).
_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def repository_json(
    root: str,
    full_name: str,
    rid: int,
    default_branch: str,
    owner: dict[str, Json],
    *,
    private: bool = False,
) -> dict[str, Json]:
    """``full-repository`` (a superset of ``repository``, which a PR's head and base carry)."""
    api = f"{root}/repos/{full_name}"
    web = f"{root.removesuffix('/api/v3')}/{full_name}"
    host = web.split("://", 1)[-1].split("/", 1)[0]
    return {
        "id": rid,
        "node_id": node_id("Repository", rid),
        "name": full_name.split("/")[1],
        "full_name": full_name,
        "owner": owner,
        "private": private,
        "visibility": "private" if private else "public",
        "description": None,
        "fork": False,
        "url": api,
        "html_url": web,
        "clone_url": f"{web}.git",
        "git_url": f"git://{host}/{full_name}.git",
        "ssh_url": f"git@{host}:{full_name}.git",
        "svn_url": web,
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "license": None,
        "default_branch": default_branch,
        "archived": False,
        "disabled": False,
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "forks": 0,
        "forks_count": 0,
        "network_count": 0,
        "open_issues": 0,
        "open_issues_count": 0,
        "size": 0,
        "stargazers_count": 0,
        "subscribers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "created_at": CREATED,
        "updated_at": CREATED,
        "pushed_at": CREATED,
        **{key: api + suffix for key, suffix in _REPO_URLS.items()},
    }


def label_json(api: str, label: dict[str, Json]) -> dict[str, Json]:
    """``label``: ``api`` is the repository's API URL."""
    return {
        "id": label["id"],
        "node_id": node_id("Label", label["id"]),
        "url": f"{api}/labels/{label['name']}",
        "name": label["name"],
        "color": label["color"],
        "description": label["description"],
        "default": False,
    }


def issue_fields(api: str, web: str, issue: dict[str, Json], comments: int) -> dict[str, Json]:
    """What ``issue`` and ``pull-request`` share (the caller adds labels, user, URLs)."""
    n = issue["number"]
    return {
        "id": issue["id"],
        "node_id": node_id("Issue", issue["id"]),
        "number": n,
        "state": issue["state"],
        "title": issue["title"],
        "body": issue["body"],
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": comments,
        "author_association": "NONE",
        "created_at": issue["created_at"],
        "updated_at": issue["updated_at"],
        "closed_at": issue["closed_at"],
        "comments_url": f"{api}/issues/{n}/comments",
        "issue_url": f"{api}/issues/{n}",
        "events_url": f"{api}/issues/{n}/events",
        "labels_url": f"{api}/issues/{n}/labels{{/name}}",
        "repository_url": api,
    }


def pull_fields(api: str, web: str, n: int, merged: bool, sha: str) -> dict[str, Json]:
    """The fields only ``pull-request`` has (the caller adds head, base, labels, user)."""
    pull = f"{api}/pulls/{n}"
    return {
        "url": pull,
        "html_url": f"{web}/pull/{n}",
        "diff_url": f"{web}/pull/{n}.diff",
        "patch_url": f"{web}/pull/{n}.patch",
        "commits_url": f"{pull}/commits",
        "review_comments_url": f"{pull}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "statuses_url": f"{api}/statuses/{sha}",
        "merged": merged,
        "merged_at": None,
        "merged_by": None,
        "merge_commit_sha": None,
        "mergeable": None,
        "mergeable_state": "unknown",
        "maintainer_can_modify": False,
        "auto_merge": None,
        "draft": False,
        "additions": 0,
        "deletions": 0,
        "changed_files": 0,
        "commits": 1,
        "review_comments": 0,
        "_links": {
            name: {"href": href}
            for name, href in {
                "self": pull,
                "html": f"{web}/pull/{n}",
                "issue": f"{api}/issues/{n}",
                "comments": f"{api}/issues/{n}/comments",
                "review_comments": f"{pull}/comments",
                "review_comment": f"{api}/pulls/comments{{/number}}",
                "commits": f"{pull}/commits",
                "statuses": f"{api}/statuses/{sha}",
            }.items()
        },
    }
