"""Alembic environment of the awards datastore."""

from alembic import context

from awards.adapters.orm import metadata
from common.migrations import run_env

run_env(context.config, metadata)
