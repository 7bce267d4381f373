# gongkai in a container: a multi-stage build, the binary alone on a distroless base, run as a
# non-root user in /site.
#
#   docker build -t gongkai .
#   docker run --rm -v "$PWD:/site" gongkai check                        # check the site here
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/site" gongkai build  # write public/ as you
#
# The builder is the current stable Rust (the crate needs 1.89 or newer: Cargo.toml, rust-version).
# Both images can be replaced (`--build-arg BUILDER=… --build-arg RUNTIME=…`): `.ci/run` does so
# where no registry can be reached, with a Debian base it makes itself (see there).
ARG BUILDER=docker.io/library/rust:1-slim-bookworm
ARG RUNTIME=gcr.io/distroless/cc-debian12:nonroot

FROM ${BUILDER} AS build
# cargo reads these when they are given (e.g. CARGO_NET_OFFLINE=true with a mounted crate cache)
ARG CARGO_NET_OFFLINE
ARG CARGO_TARGET_DIR
WORKDIR /src
# only what the binary is made of: the manifest, the code, the embedded packs, schema and theme
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY rules rules
COPY themes themes
# the workspace's other member (the request desk) must be there for cargo to read the workspace;
# only gongkai itself is built
COPY desk desk
RUN cargo install --locked --path . --root /out

# glibc and libgcc, CA certificates, a passwd with `nonroot` (65532), and nothing else: no shell
FROM ${RUNTIME}
COPY --from=build /out/bin/gongkai /usr/local/bin/gongkai
# distroless's `nonroot`, by number, so that a base without that name works the same
USER 65532:65532
WORKDIR /site
ENTRYPOINT ["/usr/local/bin/gongkai"]
CMD ["check"]
