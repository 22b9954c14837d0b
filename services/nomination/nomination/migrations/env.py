"""Alembic environment of the nomination datastore."""

from alembic import context

from common.migrations import run_env
from nomination.adapters.orm import metadata

run_env(context.config, metadata)
