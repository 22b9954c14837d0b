# The images of the system; the build context is the repository root, so that libs/common can be copied.
#
#   a service (the default target); SERVICE and PORT choose which:
#     docker build --build-arg SERVICE=review --build-arg PORT=8102 -t exemplars/review:local .
#   the operator tools (exemplars-setup, -token, -sign, -dead-letters), which no service image carries:
#     docker build --target tools -t exemplars/tools:local .

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
# One fixed uid/gid in all images: they share the state volume that `exemplars-setup` writes.
# /state and /media exist here, owned by that user, so that a new named volume mounted there inherits the owner.
RUN groupadd --system --gid 10001 exemplars \
    && useradd --system --no-log-init --uid 10001 --gid exemplars --home-dir /app --shell /usr/sbin/nologin exemplars \
    && mkdir -p /app /state /media \
    && chown exemplars:exemplars /app /state /media \
    && chmod 0700 /state
WORKDIR /app

FROM base AS tools
COPY libs/common /tmp/src/libs/common
COPY tools /tmp/src/tools
RUN pip install --no-cache-dir /tmp/src/libs/common /tmp/src/tools \
    && rm -rf /tmp/src
USER exemplars:exemplars
CMD ["exemplars-dead-letters", "list"]

FROM base AS service
ARG SERVICE
ARG PORT
# Debian packages a service runs (publishing: espeak-ng and ffmpeg for the radio).
ARG SYSTEM_PACKAGES=""
RUN if [ -n "$SYSTEM_PACKAGES" ]; then \
        apt-get update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $SYSTEM_PACKAGES \
        && rm -rf /var/lib/apt/lists/*; \
    fi
ENV HOST=0.0.0.0 \
    SERVICE=${SERVICE} \
    PORT=${PORT}
COPY libs/common /tmp/src/libs/common
COPY services/${SERVICE} /tmp/src/services/${SERVICE}
# Not editable: the sources are removed, only the installed packages stay.
RUN test -n "$SERVICE" && test -n "$PORT" \
    && pip install --no-cache-dir /tmp/src/libs/common "/tmp/src/services/${SERVICE}" \
    && rm -rf /tmp/src
USER exemplars:exemplars
EXPOSE ${PORT}

# Liveness only; docker-compose.yml checks /ready (database and Redis answer) instead.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ['PORT'], timeout=4)"]

CMD ["sh", "-c", "exec python -m \"$SERVICE\" serve --migrate"]
