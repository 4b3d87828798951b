"""Settings read once from the environment, with defaults that are safe for development."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", PROJECT_ROOT / "var"))


class SettingsError(RuntimeError):
    """Raised when the configuration cannot be used; the message says what to set."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    username: str = ""
    password: str = ""
    use_tls: bool = True
    sender: str = "Fondsportaal <noreply@fondsportaal.local>"

    @property
    def configured(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    upload_dir: Path
    base_url: str = "http://127.0.0.1:8000"
    environment: str = "development"
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    reset_token_minutes: int = 60
    invitation_token_days: int = 7
    # Rendered pages kept per worker (portal/lib/kept_pages.py), in MB; 0 keeps none.
    kept_pages_mb: int = 32
    # argon2 cost; tests lower it so that a suite with many log-ins stays fast.
    password_hash_fast: bool = False

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        environment = env.get("PORTAL_ENV", "development").strip().lower()
        if environment not in {"development", "production", "test"}:
            raise SettingsError(f"PORTAL_ENV={environment!r}: use development, production or test")
        var_dir = Path(env.get("PORTAL_VAR_DIR", str(VAR_DIR)))
        database_url = database_url_from_env(env)
        secret_key = env.get("SECRET_KEY", "")
        if not secret_key:
            if environment == "production":
                raise SettingsError("SECRET_KEY must be set in production (PORTAL_ENV=production)")
            secret_key = _development_secret(var_dir)
        if len(secret_key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters long")
        smtp = SmtpSettings(
            host=env.get("SMTP_HOST", ""),
            port=int(env.get("SMTP_PORT", "587")),
            username=env.get("SMTP_USERNAME", ""),
            password=env.get("SMTP_PASSWORD", ""),
            use_tls=env.get("SMTP_TLS", "true").lower() not in {"0", "false", "no"},
            sender=env.get("SMTP_SENDER", SmtpSettings.sender),
        )
        return cls(
            database_url=database_url,
            secret_key=secret_key,
            upload_dir=Path(env.get("UPLOAD_DIR", str(var_dir / "uploads"))),
            base_url=env.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            environment=environment,
            smtp=smtp,
            session_idle_minutes=int(env.get("SESSION_IDLE_MINUTES", "30")),
            kept_pages_mb=int(env.get("KEPT_PAGES_MB", "32")),
        )


def database_url_from_env(env: dict[str, str] | None = None) -> str:
    env = dict(os.environ if env is None else env)
    var_dir = Path(env.get("PORTAL_VAR_DIR", str(VAR_DIR)))
    return env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'fondsportaal.sqlite'}"


def _development_secret(var_dir: Path) -> str:
    """Generate a key once and keep it, so sessions survive a restart in development."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
