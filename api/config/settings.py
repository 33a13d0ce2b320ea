"""Process settings from the environment (CASINO_LEDGER_*), validated at start-up."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlparse

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.http.providers.hub88.signature import load_public_key
from api.observability.settings import check_metrics_settings
from domain.audit import signing
from domain.privacy.crypto import MasterKeys

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
    # How often the projections follower looks for events written by other
    # processes (its own process's writes wake it at once).
    follow_poll_ms: int = Field(default=10, ge=1, le=60000)
    group_commit: int = Field(default=100, ge=0, le=10000)
    # The largest request body accepted; a larger one is a 413 before it is read.
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=104_857_600)
    # Game providers' HMAC secrets, as a JSON object: provider id -> secret.
    provider_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    # Hub88's Operator Wallet API (docs/providers.md): Hub88's RSA public key
    # (PEM file) that signs its calls, the path prefix the API is mounted
    # under, and how long a game session token admits bets.
    hub88_public_key: Path | None = None
    hub88_prefix: str = Field(default="/hub88", pattern=r"^(/[A-Za-z0-9._~-]+)+$")
    game_session_ttl: int = Field(default=14400, gt=0)
    # Hot wallets' private keys, as a JSON object: chain name -> key. Only the
    # process that sends withdrawals needs them (docs/cashier.md).
    hot_keys: dict[str, SecretStr] = Field(default_factory=dict)
    # KYC providers' webhook secrets, as a JSON object: provider -> HMAC secret
    # (docs/compliance.md).
    kyc_webhook_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    # The sweeper's keys of the deposit addresses (JSON, chain name -> the account
    # extended PRIVATE key matching the chain's xpub), apart from the hot keys:
    # only the process that sweeps holds them.
    sweep_keys: dict[str, SecretStr] = Field(default_factory=dict)
    # The Ed25519 key that signs audit checkpoints and export manifests (PEM or
    # 64 hex digits of seed), its id, and the public keys of retired ids.
    audit_signing_key: SecretStr | None = None
    audit_key_id: str | None = Field(default=None, min_length=1, max_length=100)
    audit_trusted_keys: dict[str, str] = Field(default_factory=dict)
    # Observability (docs/operations.md): Prometheus metrics and the log format.
    metrics: Literal["off", "port", "token", "public"] = "off"
    metrics_token: SecretStr | None = None
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    log_format: Literal["text", "json"] = "text"
    # The NATS server the relay publishes the log to (`casino-ledger relay run`).
    nats_url: str = Field(default="nats://127.0.0.1:4222", pattern=r"^(nats|tls)://")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Master keys wrapping the players' data keys (docs/privacy.md), as JSON:
    # key id -> 64 hex digits; `privacy_key_id` names the one that wraps new keys.
    privacy_master_keys: dict[str, SecretStr] = Field(default_factory=dict)
    privacy_key_id: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _metrics_reachable(self) -> "Settings":
        check_metrics_settings(self)
        return self

    @field_validator("audit_signing_key")
    @classmethod
    def _ed25519_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            signing.private_key(value.get_secret_value())
        return value

    @field_validator("audit_trusted_keys")
    @classmethod
    def _public_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key_id, text in value.items():
            try:
                signing.public_key(text)
            except ValueError as error:
                raise ValueError(f"key {key_id!r}: {error}") from None
        return value

    @model_validator(mode="after")
    def _privacy_keys(self) -> "Settings":
        if self.privacy_master_keys:
            self.privacy_master()
        return self

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

    @field_validator("hub88_public_key")
    @classmethod
    def _rsa_public_key(cls, value: Path | None) -> Path | None:
        if value is not None:
            load_public_key(value)
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

    def audit_signer(self) -> signing.Signer:
        """The audit key, or one derived from the token key (development only)."""
        if self.audit_signing_key is not None:
            key = signing.private_key(self.audit_signing_key.get_secret_value())
        else:
            log.warning("CASINO_LEDGER_AUDIT_SIGNING_KEY is not set: audit checkpoints "
                        "and exports are signed with a development key")
            seed = hmac.new(self.signing_key().encode(), b"audit signing key",
                            hashlib.sha256).digest()
            key = Ed25519PrivateKey.from_private_bytes(seed)
        return signing.Signer(key, self.audit_key_id or signing.key_id_of(key.public_key()))

    def audit_public_keys(self, signer: signing.Signer) -> dict[str, Ed25519PublicKey]:
        """Every key id whose signatures verify: the retired ones and `signer`'s."""
        keys = {key_id: signing.public_key(text)
                for key_id, text in self.audit_trusted_keys.items()}
        return keys | {signer.key_id: signer.public}


    def privacy_master(self) -> MasterKeys:
        """The master keys, or one derived from the token key (development only)."""
        if not self.privacy_master_keys:
            log.warning("CASINO_LEDGER_PRIVACY_MASTER_KEYS is not set: personal data "
                        "is sealed under a development key")
            key = hmac.new(self.signing_key().encode(), b"privacy master key",
                           hashlib.sha256).digest()
            return MasterKeys({"dev": key}, "dev")
        try:
            keys = {key_id: bytes.fromhex(secret.get_secret_value())
                    for key_id, secret in self.privacy_master_keys.items()}
            current = self.privacy_key_id or (next(iter(keys)) if len(keys) == 1 else "")
            return MasterKeys(keys, current)
        except ValueError as error:
            raise ValueError(f"privacy master keys: {error} (64 hex digits each; "
                             "CASINO_LEDGER_PRIVACY_KEY_ID names the current one)") from None


def sqlite_path(database_url: str) -> Path:
    return Path(unquote(database_url.removeprefix("sqlite://")[1:] or "casino-ledger.sqlite3"))


def eventsourcing_env(database_url: str) -> dict[str, str]:
    """The eventsourcing library's settings for a database URL."""
    url = urlparse(database_url)
    if url.scheme == "sqlite":
        path = sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "APPLICATION_RECORDER_TOPIC": "domain.commanding.event_store:SQLiteLog",
                "SQLITE_DBNAME": str(path), "SQLITE_LOCK_TIMEOUT": "10",
                "AGGREGATE_CACHE_MAXSIZE": AGGREGATE_CACHE}
    schema = parse_qs(url.query).get("schema", [""])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": "domain.commanding.event_store:PostgresLog",
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
