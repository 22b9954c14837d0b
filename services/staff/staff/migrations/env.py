"""Alembic environment of the staff datastore."""

from alembic import context

from common.migrations import run_env
from staff.adapters.orm import metadata

run_env(context.config, metadata)
