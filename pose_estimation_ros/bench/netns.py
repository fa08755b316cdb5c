"""Several "machines" on one Linux machine: network namespaces joined by a bridge (no ROS).

A ``Lan`` is one network namespace per host (``camera``, ``pose``, ``game`` by
default), each with ``lo`` up and one veth ``eth0`` whose other end is a port of
a bridge in a fourth, switch namespace. Addresses are ``10.231.X.1`` ..
``10.231.X.n``/24 (X from the creating process id) on the hosts' ``eth0``;
every namespace has only its connected route plus ``224.0.0.0/4`` on ``eth0``
(DDS discovery multicast), so no packet can leave the LAN, and nothing is
created in the caller's own namespace. The bridge floods multicast
(``mcast_snooping 0``). A host's link may be shaped (``tc tbf``, both
directions: the host's ``eth0`` and its bridge port).

Shared memory, measured (Fast DDS 3 of ROS 2 Kilted, kernel 6.18, pose_1.mp4's
576x576 bgr8 frames, 995 kB, at 30 fps from camera_node to a subscriber on
another host): namespaces share ``/dev/shm``, yet Fast DDS sent every frame
over UDP: the camera's ``eth0`` carried 1,022,034 bytes per frame (227 of 227
frames delivered) with ``/dev/shm`` shared, the same as with it isolated
(1,022,057). Two processes in one namespace do use shared memory: ``lo``
carried 588 bytes per frame. So Fast DDS does not take two namespaces for one
host; ``Host.command`` isolates ``/dev/shm`` all the same, so that only UDP can
cross whatever Fast DDS decides: ``ip netns exec`` gives each command a private
mount namespace, in which a per-host folder (made under ``/dev/shm``, removed
with the LAN) is bind-mounted on ``/dev/shm``. A host's own processes share it.

Socket buffers: ``net.core.rmem_max`` and ``wmem_max`` are not per namespace on
this kernel: a namespace shows the host's values read-only (writing them fails
with EACCES), so Fast DDS's 16 MB profile buffers are capped by the host's
setting (4 MB here), which this module never changes. Raw frames over an
unshaped veth, best-effort subscriber: at 30 fps, 167 of 167 frames with the
package's profile, 144 of 163 with 208 kB (the OS default) buffers; as fast as
camera_node goes (``fps: 0``), 1114 of 1340 and 805 of 1653.

Names start with ``PREFIX`` and the creating process id, so that
``remove_leftovers`` can remove what a crashed run left behind without touching
a live one's. Everything needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN);
``available`` says why not.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "pelan"
DEFAULT_HOSTS = ("camera", "pose", "game")
HOST_DEVICE = "eth0"
BRIDGE = "br0"
SHM_ROOT = Path("/dev/shm")
MULTICAST = "224.0.0.0/4"
_NAME = re.compile(rf"^{PREFIX}(\d+)-")
_CAP_NET_ADMIN, _CAP_SYS_ADMIN = 12, 21


class NetnsError(RuntimeError):
    """A namespace, link or qdisc could not be made or removed."""


def _ip(*args: str) -> str:
    """Run ``ip ARGS`` and return its stdout; raise ``NetnsError`` with its stderr."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def available() -> tuple[bool, str]:
    """Return ``(True, "")`` when namespaces can be made here, else ``(False, why not)``."""
    if shutil.which("ip") is None:
        return False, "no 'ip' command (iproute2)"
    if shutil.which("tc") is None:
        return False, "no 'tc' command (iproute2)"
    caps = _effective_capabilities()
    for bit, name in ((_CAP_NET_ADMIN, "CAP_NET_ADMIN"), (_CAP_SYS_ADMIN, "CAP_SYS_ADMIN")):
        if not caps >> bit & 1:
            return False, f"needs root: no {name} (uid {os.geteuid()})"
    probe = f"{PREFIX}{os.getpid()}-probe"
    try:
        _ip("netns", "add", probe)
        _ip("-n", probe, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1")
    except NetnsError as error:
        return False, f"cannot make a network namespace and veth pair: {error}"
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return True, ""


def _effective_capabilities() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


def remove_leftovers() -> list[str]:
    """Remove namespaces and shared-memory folders of ``PREFIX`` runs whose process is gone."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    removed = []
    for name in (line.split()[0] for line in listed.splitlines() if line.strip()):
        if _leftover(name):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
            removed.append(f"netns {name}")
    for folder in SHM_ROOT.glob(f"{PREFIX}*"):
        if _leftover(folder.name):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


def _leftover(name: str) -> bool:
    match = _NAME.match(name)
    return match is not None and not _alive(int(match.group(1)))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class LinkCounters:
    """Byte and packet counters of one interface (``ip -s link``), from its namespace's side."""

    tx_bytes: int
    rx_bytes: int
    tx_packets: int
    rx_packets: int

    def __sub__(self, other: LinkCounters) -> LinkCounters:
        """Return the counts between ``other`` (earlier) and this reading."""
        return LinkCounters(
            self.tx_bytes - other.tx_bytes,
            self.rx_bytes - other.rx_bytes,
            self.tx_packets - other.tx_packets,
            self.rx_packets - other.rx_packets,
        )


LAN_ENVIRONMENT = ("env", "ROS_AUTOMATIC_DISCOVERY_RANGE=SUBNET")


@dataclass(frozen=True)
class Host:
    """One machine of the LAN: a namespace with ``eth0`` at ``address``."""

    name: str
    namespace: str
    address: str
    shm_dir: Path

    def command(self, argv: Sequence[str], isolate_shm: bool = True) -> list[str]:
        """Return the command line running ``argv`` on this host (for ``subprocess.Popen``).

        With ``isolate_shm``, ``/dev/shm`` is this host's own folder (shared by this
        host's processes only). ROS processes discover the other hosts across the LAN
        (``ROS_AUTOMATIC_DISCOVERY_RANGE=SUBNET``: a caller's ``LOCALHOST`` would keep each
        host alone). The pid of the started process is ``argv``'s.
        """
        prefix = ["ip", "netns", "exec", self.namespace, *LAN_ENVIRONMENT]
        if not isolate_shm:
            return [*prefix, *argv]
        mount = 'mount --bind "$1" /dev/shm && shift && exec "$@"'
        return [*prefix, "sh", "-c", mount, "sh", str(self.shm_dir), *argv]

    def run(self, argv: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
        """Run ``argv`` on this host to completion (``subprocess.run`` keyword arguments)."""
        return subprocess.run(self.command(argv), **kwargs)

    def counters(self, device: str = HOST_DEVICE) -> LinkCounters:
        """Read the counters of ``device`` (this host's link by default)."""
        return read_counters(self.namespace, device)


def read_counters(namespace: str, device: str) -> LinkCounters:
    """Read the counters of ``device`` in ``namespace``."""
    link = json.loads(_ip("-n", namespace, "-s", "-j", "link", "show", "dev", device))[0]
    stats = link.get("stats64") or link["stats"]
    return LinkCounters(
        stats["tx"]["bytes"], stats["rx"]["bytes"], stats["tx"]["packets"], stats["rx"]["packets"]
    )


@dataclass
class Lan:
    """Hosts on one bridge; build with ``Lan.create`` and end with ``remove`` (or ``with``)."""

    tag: str
    switch: str
    hosts: dict[str, Host] = field(default_factory=dict)

    @classmethod
    def create(cls, names: Sequence[str] = DEFAULT_HOSTS, subnet: str | None = None) -> Lan:
        """Make the namespaces, bridge and links; hosts get ``subnet.1``, ``.2``, ... /24.

        ``subnet`` is three octets (``"10.231.7"``); by default ``10.231.<pid % 250>``.
        Names come from the process id: one LAN per process at a time.
        Anything made is removed again when a step fails.
        """
        if len(set(names)) != len(names) or any(len(n) > 15 for n in names):
            raise ValueError(f"host names must be distinct, 15 characters at most: {names}")
        tag = f"{PREFIX}{os.getpid()}"
        subnet = subnet or f"10.231.{os.getpid() % 250}"
        lan = cls(tag=tag, switch=f"{tag}-switch")
        try:
            lan._build(names, subnet)
        except BaseException:
            lan.remove()
            raise
        return lan

    def _build(self, names: Sequence[str], subnet: str) -> None:
        _ip("netns", "add", self.switch)
        _ip("-n", self.switch, "link", "add", BRIDGE, "type", "bridge", "mcast_snooping", "0")
        _ip("-n", self.switch, "link", "set", BRIDGE, "up")
        for index, name in enumerate(names, start=1):
            host = Host(
                name=name,
                namespace=f"{self.tag}-{name}",
                address=f"{subnet}.{index}",
                shm_dir=SHM_ROOT / f"{self.tag}-{name}",
            )
            self.hosts[name] = host
            host.shm_dir.mkdir(mode=0o1777)
            ns = host.namespace
            _ip("netns", "add", ns)
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", self.switch, "link", "add", name, "type", "veth",
                "peer", "name", HOST_DEVICE, "netns", ns)  # fmt: skip
            _ip("-n", self.switch, "link", "set", name, "master", BRIDGE, "up")
            _ip("-n", ns, "addr", "add", f"{host.address}/24", "dev", HOST_DEVICE)
            _ip("-n", ns, "link", "set", HOST_DEVICE, "up")
            _ip("-n", ns, "route", "add", MULTICAST, "dev", HOST_DEVICE)

    def __enter__(self) -> Lan:  # noqa: D105
        return self

    def __exit__(self, *exc_info) -> None:  # noqa: D105
        self.remove()

    def __getitem__(self, name: str) -> Host:
        """Return the host called ``name``."""
        return self.hosts[name]

    def shape(self, name: str, rate: str = "100mbit", latency_ms: float = 50.0) -> None:
        """Limit host ``name``'s link to ``rate`` (tc units) each way, queueing ``latency_ms``.

        A token bucket (``tbf``) on the host's ``eth0`` (what it sends) and on its
        bridge port (what it receives); a packet that would wait longer is dropped,
        as on a saturated link.
        """
        host = self.hosts[name]
        for namespace, device in ((host.namespace, HOST_DEVICE), (self.switch, name)):
            _ip("netns", "exec", namespace, "tc", "qdisc", "replace", "dev", device, "root",
                "tbf", "rate", rate, "burst", "64kb", "latency", f"{latency_ms}ms")  # fmt: skip

    def port_counters(self, name: str) -> LinkCounters:
        """Read the counters of host ``name``'s bridge port (tx: what the LAN sent it)."""
        return read_counters(self.switch, name)

    def remove(self) -> None:
        """Remove every namespace (their links go with them) and shared-memory folder."""
        errors = []
        for namespace in [h.namespace for h in self.hosts.values()] + [self.switch]:
            done = subprocess.run(
                ["ip", "netns", "del", namespace], capture_output=True, text=True
            )
            if done.returncode != 0 and "No such file" not in done.stderr:
                errors.append(done.stderr.strip())
        for host in self.hosts.values():
            shutil.rmtree(host.shm_dir, ignore_errors=True)
        if errors:
            raise NetnsError("; ".join(errors))
