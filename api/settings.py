"""Process settings from the environment (CASINO_LEDGER_*), validated at start-up."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///./var/casino-ledger.sqlite3"
# Aggregates kept in memory between commands; each use still reads (and
# applies) any newer events, so another process's writes are never missed.
AGGREGATE_CACHE = "10000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASINO_LEDGER_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    secret: str | None = Field(default=None, min_length=32)
    config: Path | None = None
    token_ttl: int = Field(default=3600, gt=0)
    read_wait_ms: int = Field(default=2000, ge=0, le=30000)
    group_commit: int = Field(default=100, ge=0, le=10000)
    # Game providers' HMAC secrets, as a JSON object: provider id -> secret.
    provider_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    # Hot wallets' private keys, as a JSON object: chain name -> key. Only the
    # process that sends withdrawals needs them (docs/cashier.md).
    hot_keys: dict[str, SecretStr] = Field(default_factory=dict)

    @field_validator("provider_secrets")
    @classmethod
    def _long_secrets(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        short = [p for p, s in value.items() if len(s.get_secret_value()) < 16]
        if short:
            raise ValueError(f"secrets of {short} are shorter than 16 characters")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = urlparse(value).scheme
        if scheme not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("config")
    @classmethod
    def _readable(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no configuration file at {value}")
        return value

    @property
    def data_dir(self) -> Path:
        """Where local files live: beside the SQLite file, else ./var."""
        url = urlparse(self.database_url)
        if url.scheme == "sqlite":
            return sqlite_path(self.database_url).parent
        return Path("var")

    def signing_key(self) -> str:
        """CASINO_LEDGER_SECRET, or a development key kept in the data folder."""
        if self.secret:
            return self.secret
        path = self.data_dir / "dev-secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        log.warning("CASINO_LEDGER_SECRET is not set: using the development key in %s",
                    path)
        return path.read_text().strip()


def sqlite_path(database_url: str) -> Path:
    return Path(unquote(database_url.removeprefix("sqlite://")[1:] or "casino-ledger.sqlite3"))


def eventsourcing_env(database_url: str) -> dict[str, str]:
    """The eventsourcing library's settings for a database URL."""
    url = urlparse(database_url)
    if url.scheme == "sqlite":
        path = sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(path), "SQLITE_LOCK_TIMEOUT": "10",
                "AGGREGATE_CACHE_MAXSIZE": AGGREGATE_CACHE}
    schema = parse_qs(url.query).get("schema", [""])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_LOCK_TIMEOUT": "5",
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "15",
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "AGGREGATE_CACHE_MAXSIZE": AGGREGATE_CACHE,
    }
