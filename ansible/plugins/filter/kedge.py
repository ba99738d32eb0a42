# -*- coding: utf-8 -*-
# Filters for the kedge.kubeedge collection: the join file, install.js --json output, the
# release SHA256SUMS and the PASS/FAIL table. Pure functions; no I/O.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
from datetime import datetime, timezone

from ansible.errors import AnsibleFilterError

_SUM = re.compile(r"^([a-f0-9]{64}) [ *](\S+)$")


def pick_bundle(sums_text, side, arch):
    """The one tarball for side/arch listed in a release SHA256SUMS: {name, sha256, dir}."""
    pattern = re.compile(r"^kubeedge-%s-.+-%s\.tar\.gz$" % (re.escape(side), re.escape(arch)))
    found = []
    for line in (sums_text or "").splitlines():
        m = _SUM.match(line.strip())
        if m and pattern.match(m.group(2)):
            found.append({"name": m.group(2), "sha256": m.group(1), "dir": m.group(2)[: -len(".tar.gz")]})
    if len(found) != 1:
        raise AnsibleFilterError(
            "SHA256SUMS lists %d %s bundles for %s (%s); expected exactly one kubeedge-%s-*-%s.tar.gz: "
            "put the release's tarballs and its SHA256SUMS in kedge_bundle_dir"
            % (len(found), side, arch, ", ".join(f["name"] for f in found) or "none", side, arch)
        )
    return found[0]


def join_fields(text):
    """key=value lines of an edge-join.txt ('#' lines ignored)."""
    out = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def seconds_left(expires, now=None):
    """Seconds until an RFC 3339 UTC time (negative when past); -1 when absent or unreadable."""
    if not expires:
        return -1
    text = re.sub(r"\.\d+", "", str(expires)).replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return -1
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now if now is not None else datetime.now(timezone.utc)
    return int((when - current).total_seconds())


def last_json(stdout):
    """The JSON object on the last non-empty stdout line of install.js --json, or {}."""
    for line in reversed((stdout or "").splitlines()):
        line = line.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return {}


def error(result):
    """The installer's own error from a failed command result: stderr, else the JSON, else stdout."""
    stderr = (result or {}).get("stderr", "") or ""
    lines = [l for l in stderr.splitlines() if l.strip()]
    if lines:
        return "\n".join(lines[-12:])
    last = last_json((result or {}).get("stdout", ""))
    if last.get("error"):
        return str(last["error"])
    failed = [c for c in last.get("checks", []) if not c.get("ok")]
    if failed:
        return "; ".join("%s: %s" % (c.get("name"), c.get("detail")) for c in failed)
    return (result or {}).get("msg") or "failed with no output (rc=%s)" % (result or {}).get("rc")


def results(hosts, hostvars, cloud_hosts=()):
    """One row per host: {host, side, result (PASS|FAIL|UNREACHABLE), passed, failed, checks, reason}."""
    rows = []
    for host in hosts:
        hv = hostvars.get(host, {})
        verify = hv.get("kedge_verify") or {}
        failure = hv.get("kedge_failure") or ""
        side = verify.get("side") or hv.get("kedge_side") or ("cloud" if host in cloud_hosts else "edge")
        checks = [{"name": c.get("name", ""), "ok": bool(c.get("ok")), "detail": c.get("detail", "")}
                  for c in verify.get("checks", [])]
        row = {"host": host, "side": side, "passed": sum(1 for c in checks if c["ok"]),
               "failed": sum(1 for c in checks if not c["ok"]), "checks": checks, "reason": failure,
               "copied": int(hv.get("kedge_bytes_copied") or 0)}
        if not hv.get("kedge_reached"):
            row.update(result="UNREACHABLE", reason="no SSH connection (the task output above has ssh's error)")
        elif failure or not verify:
            row.update(result="FAIL", reason=failure or "stopped before verify (see the task output above)")
        else:
            row.update(result="PASS" if verify.get("ok") and row["failed"] == 0 else "FAIL")
        rows.append(row)
    return rows


def table(rows):
    """Text lines: per side, one row per host with PASS/FAIL per check (numbered, named below
    the side's header), then the reason of each host that failed, then a count."""
    lines = []
    for side in ("cloud", "edge", ""):
        mine = [r for r in rows if (r["side"] or "") == side]
        if not mine:
            continue
        names = []
        for r in mine:
            for c in r["checks"]:
                if c["name"] not in names:
                    names.append(c["name"])
        lines.append("%s: %s" % (side or "unknown side",
                                 ", ".join("(%d) %s" % (i + 1, n) for i, n in enumerate(names)) or "no checks ran"))
        head = ["HOST", "RESULT"] + [str(i + 1) for i in range(len(names))]
        body = []
        for r in mine:
            by_name = dict((c["name"], c["ok"]) for c in r["checks"])
            body.append([r["host"], r["result"]] + [
                ("PASS" if by_name[n] else "FAIL") if n in by_name else "-" for n in names])
        widths = [max(len(x) for x in col) for col in zip(head, *body)]
        fmt = "  ".join("{:<%d}" % w for w in widths)
        lines.append("  " + fmt.format(*head).rstrip())
        for cells in body:
            lines.append("  " + fmt.format(*cells).rstrip())
    for r in rows:
        if r["result"] == "PASS":
            continue
        bad = ["%s: %s" % (c["name"], c["detail"]) for c in r["checks"] if not c["ok"]]
        reason = (r["reason"] or "; ".join(bad)).splitlines() or [""]
        lines.append("%s %s: %s" % (r["result"], r["host"], reason[0]))
        lines.extend("    " + part for part in reason[1:])
    passed = sum(1 for r in rows if r["result"] == "PASS")
    lines.append("%d of %d hosts PASS" % (passed, len(rows)))
    return lines


class FilterModule(object):
    def filters(self):
        return {
            "pick_bundle": pick_bundle,
            "join_fields": join_fields,
            "seconds_left": seconds_left,
            "last_json": last_json,
            "error": error,
            "results": results,
            "table": table,
        }
