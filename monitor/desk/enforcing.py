"""A manager's hand on enforcement: approve a held removal with its restriction, ban instead,
and undo a restriction or ban (an unban the sender sends once); each audited under their name."""

from __future__ import annotations

from typing import Any

from monitor.core.models import Action, reason_kind
from monitor.desk.review import ReviewError, check_who, show
from monitor.store import Store

LIFTABLE = ("restrict", "ban")
HELD_ENFORCEMENT = ("delete", "restrict", "ban")


def held_enforcement(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """An impersonation finding's held removal, restriction and ban, in that order (a leak's
    delete is approved like its other actions)."""
    if detail["kind"] != "impersonation":
        return []
    held = [a for a in detail["action_rows"] if a["status"] == "held"
            and a["kind"] in HELD_ENFORCEMENT and reason_kind(a["reason"]) == detail["kind"]]
    return sorted(held, key=lambda a: HELD_ENFORCEMENT.index(a["kind"]))


def approve_enforcement(store: Store, finding_id: int, who: str) -> list[dict[str, Any]]:
    """Release every held removal and restriction (or ban) of a finding at once."""
    who = check_who(who)
    held = held_enforcement(show(store, finding_id))
    if not held:
        raise ReviewError(f"finding {finding_id} has no held delete, restrict or ban")
    with store.db.atomic():
        for action in held:
            if store.move_action(action["id"], "held", "planned"):
                store.audit(who, f"approve:{action['kind']}",
                            {"action_id": action["id"], "finding_id": finding_id})
    return [dict(store.db.table("actions").get(a["id"])) for a in held]


def ban_instead(store: Store, finding_id: int, who: str) -> dict[str, Any]:
    """Ban the account a held restriction names (the restriction is skipped): sent at once."""
    who = check_who(who)
    detail = show(store, finding_id)
    held = [a for a in held_enforcement(detail) if a["kind"] == "restrict"]
    if not held:
        raise ReviewError(f"finding {finding_id} has no held restriction to turn into a ban")
    restrict = held[0]
    ban = Action("ban", restrict["platform"], restrict["target"],
                 "banned: impersonating the brand's support", restrict["reason"],
                 place=restrict.get("place") or "")
    with store.db.atomic():
        if not store.move_action(restrict["id"], "held", "skipped"):
            raise ReviewError(f"action {restrict['id']} is no longer held")
        ban_id = store.plan_on(restrict["platform"], restrict["post_id"], ban, "planned")
        if ban_id is None:
            raise ReviewError(f"a ban was already planned for {restrict['platform']} post "
                              f"{restrict['post_id']}")
        store.audit(who, "approve:ban", {"action_id": ban_id, "instead_of": restrict["id"],
                                         "finding_id": finding_id})
    return dict(store.db.table("actions").get(ban_id))


def undo(store: Store, action_id: int, who: str) -> dict[str, Any]:
    """Lift a restriction or ban: a sent one gets an unban planned (the sender sends it once); a
    held or planned one is skipped before it goes out. Returns the row that carries the undo."""
    who = check_who(who)
    rows = list(store.db.table("actions").rows_where("id = ?", [action_id]))
    if not rows:
        raise ReviewError(f"no action with id {action_id}")
    row = rows[0]
    if row["kind"] not in LIFTABLE:
        raise ReviewError(
            f"action {action_id} is a {row['kind']}; only a restrict or ban is undone"
        )
    with store.db.atomic():
        if row["status"] in ("held", "planned"):
            if not store.move_action(action_id, row["status"], "skipped"):
                raise ReviewError(f"action {action_id} is being sent; undo it once it is sent")
            store.audit(who, f"undo:{row['kind']}", {"action_id": action_id, "was": row["status"]})
            return dict(store.db.table("actions").get(action_id))
        if row["status"] != "sent":
            raise ReviewError(f"action {action_id} is {row['status']}: nothing to undo")
        unban = Action("unban", row["platform"], row["target"], f"lifted by {who}",
                       row["reason"], place=row.get("place") or "")
        unban_id = store.plan_on(row["platform"], row["post_id"], unban, "planned")
        if unban_id is None:
            raise ReviewError(f"action {action_id} was undone already")
        store.audit(who, f"undo:{row['kind']}", {"action_id": action_id, "unban_id": unban_id})
    return dict(store.db.table("actions").get(unban_id))


def liftable(store: Store, post: tuple[str, str] | None = None
             ) -> dict[tuple[str, str], list[tuple[int, str, str]]]:
    """The restrictions and bans an undo still changes, by post (platform, post id), each as
    (action id, kind, status): sent ones with no unban planned on their post yet, and held or
    planned ones (skipped by an undo). Every post's in one query, or one post's."""
    one = "AND a.platform = ? AND a.post_id = ?" if post else ""
    sql = f"""
        SELECT a.id, a.platform, a.post_id, a.kind, a.status FROM actions a
        WHERE a.kind IN ('restrict', 'ban') AND a.status IN ('held', 'planned', 'sent') {one}
          AND (a.status != 'sent' OR NOT EXISTS (SELECT 1 FROM actions u
               WHERE u.platform = a.platform AND u.post_id = a.post_id AND u.kind = 'unban'))
        ORDER BY a.id"""
    found: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
    for row in store.db.query(sql, list(post or ())):
        found.setdefault((row["platform"], row["post_id"]), []).append(
            (row["id"], row["kind"], row["status"]))
    return found
