"""The console's settings (CASINO_LEDGER_CONSOLE_*): sessions and lock-out."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASINO_LEDGER_CONSOLE_", extra="ignore")

    # A session ends after this long without a request ...
    idle_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # ... and this long after its sign-in, however busy.
    absolute_minutes: int = Field(default=8 * 60, ge=1, le=7 * 24 * 60)
    # Consecutive failed sign-ins that lock an account, and for how long.
    max_failures: int = Field(default=5, ge=1, le=100)
    lock_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60)
    # Cookies only over HTTPS (browsers also send them to http://localhost).
    secure_cookies: bool = True
