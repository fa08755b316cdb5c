"""``fetch_assets``: list the known assets, or resolve (and download) them ahead of time.

Downloads go to the cache and are kept only when their sha256 matches the registry's.
Run once on a machine with internet before going offline, e.g. on a robot:
``ros2 run pose_estimation_ros fetch_assets movenet_thunder_int8``.
"""

from __future__ import annotations

import argparse
import sys

from pose_estimation_ros.core import assets


def main(argv: list[str] | None = None) -> int:
    """List assets with where they resolve, or fetch the named ones."""
    parser = argparse.ArgumentParser(prog="fetch_assets", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="assets to fetch (default: list them all)")
    args = parser.parse_args(argv)
    if not args.names:
        for name, asset in sorted(assets.REGISTRY.items()):
            try:
                where = str(assets.resolve(name, allow_download=False))
            except assets.AssetError:
                if all(f.downloadable for f in asset.files):
                    where = f"not present (fetch_assets {name} downloads it)"
                else:
                    where = "not present (no checksum registered: place it by hand)"
            print(f"{name:40s} {asset.description}\n{'':40s} {where}")
        return 0
    status = 0
    for name in args.names:
        try:
            print(f"{name}: {assets.resolve(name)}")
        except assets.AssetError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
