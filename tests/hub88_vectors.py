"""Hub88's published demo public key and signature vectors, read in place from
../shared/peers/hub88 (they are not copied into the project)."""

from __future__ import annotations

from pathlib import Path

PEERS = Path(__file__).resolve().parents[2] / "shared" / "peers" / "hub88"
PUBLIC_KEY = PEERS / "public.pem"


def vectors() -> list[tuple[bytes, str]]:
    """(data, base64 signature) of each line of signatures.csv."""
    lines = (PEERS / "signatures.csv").read_text().splitlines()[1:]
    return [(data.encode(), signature)
            for data, signature in (line.rsplit(";", 1) for line in lines if line)]
