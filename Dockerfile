# Multi-stage build: a static binary on a distroless base, run as non-root.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/humas ./cmd/humas \
 && mkdir -p -m 700 /out/var

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/humas /usr/local/bin/humas
COPY --from=build --chown=nonroot:nonroot /out/var /var/lib/humas
USER nonroot:nonroot
WORKDIR /var/lib/humas
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/humas"]
CMD ["serve"]
