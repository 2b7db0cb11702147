# syntax=docker/dockerfile:1
#
# Staffroom in a container: one static-ish binary (cgo for SQLite, linked against glibc) on
# distroless. Build:  docker build -t staffroom .
# Run:    docker run -p 8080:8080 -v staffroom-data:/data \
#           -e STAFFROOM_BASE_URL=https://staffroom.example.org staffroom
# Set STAFFROOM_BASE_URL to the address people use (https:// makes cookies Secure): the
# default, http://localhost:8080, only suits trying it out on your own machine.

FROM golang:1.26-bookworm AS build

# The image's Go 1.26.x standard library has known, reachable vulnerabilities (net/http,
# crypto/tls, crypto/x509) fixed in later patch releases. Official golang images set
# GOTOOLCHAIN=local, which would ignore go.mod's `toolchain` line; naming the patched
# toolchain here makes the go command fetch it from the module proxy and build with it.
# Keep this in step with the toolchain line in go.mod.
ENV GOTOOLCHAIN=go1.27.4 \
    CGO_ENABLED=1

WORKDIR /src

# Modules (and the toolchain) first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .

# VERSION is what `staffroom version` prints, e.g. --build-arg VERSION=v1.2.3.
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/staffroom ./cmd/staffroom \
 && /out/staffroom version \
 && mkdir -p /out/data

# cc: glibc and libgcc, which the cgo SQLite driver links against; nonroot is uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot

COPY --from=build /out/staffroom /staffroom
# The database directory must exist and belong to nonroot before the volume is mounted, so
# that a fresh named volume inherits that owner.
COPY --from=build --chown=65532:65532 /out/data /data

ENV STAFFROOM_ADDR=0.0.0.0:8080 \
    STAFFROOM_DB=/data/staffroom.db
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot

# `staffroom healthcheck` asks the local server's /readyz (0.0.0.0 becomes 127.0.0.1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["/staffroom", "healthcheck"]

ENTRYPOINT ["/staffroom"]
CMD ["serve"]
