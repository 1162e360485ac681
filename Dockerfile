# One image for every Airflow component of TrendMiner (api-server, scheduler, dag-processor,
# triggerer, Celery workers), with the project installed.
#
#   docker build -t trendminer .                                   # CPU torch (all components)
#   docker build -t trendminer-gpu --build-arg TORCH_VARIANT=cu128 .  # the GPU worker
#
# TORCH_VARIANT names a PyTorch wheel index (https://download.pytorch.org/whl/<variant>):
# cpu, or a CUDA build such as cu126 / cu128 matching the host's NVIDIA driver.
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}

ARG AIRFLOW_VERSION
ARG TORCH_VARIANT=cpu
ARG TORCH_VERSION=2.14.1
ARG TORCHVISION_VERSION=0.29.1

LABEL org.opencontainers.image.title="trendminer" \
      org.opencontainers.image.description="TrendMiner: Instagram fashion trend mining on Airflow 3" \
      org.opencontainers.image.licenses="Apache-2.0"

USER 50000:0

# torch first, from the variant's index, so the project install keeps that build.
RUN pip install --no-cache-dir --index-url "https://download.pytorch.org/whl/${TORCH_VARIANT}" \
        "torch==${TORCH_VERSION}" "torchvision==${TORCHVISION_VERSION}"

# sql/ before the install: trendminer/trends/sql is a link to ../../sql/trends, and the package
# ships the trend SQL only when the link resolves while pip builds it.
COPY --chown=airflow:0 pyproject.toml README.md /opt/trendminer/
COPY --chown=airflow:0 sql /opt/trendminer/sql
COPY --chown=airflow:0 trendminer /opt/trendminer/trendminer
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" "/opt/trendminer[vision,airflow]"

COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins

# Media, reports and caches live on the /data volume (see docker-compose.yml).
ENV TRENDMINER_DATA_DIR=/data \
    TRENDMINER_MEDIA_STORE=/data/media \
    TRENDMINER_REPORT_DIR=/data/reports \
    AIRFLOW__CORE__LOAD_EXAMPLES=false
