"""Alembic environment of the publishing datastore."""

from alembic import context

from common.migrations import run_env
from publishing.adapters.orm import metadata

run_env(context.config, metadata)
