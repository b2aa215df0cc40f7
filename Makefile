# The README's two commands are `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: run test test-postgres build clickhouse-start clickhouse-stop chcluster-start chcluster-stop postgres-start postgres-stop chdb lint bench

# Every statement the tests send to ClickHouse is recorded here, then
# replayed by the differential test (chdiff) on chDB 26.7.
CAPTURE := $(CURDIR)/var/chcapture

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/humas ./cmd/humas

# Run humas on embedded defaults: a local ClickHouse started by our script,
# SQLite state under ./var, and the Graph API simulator (sandbox mode).
run: build clickhouse-start
	./bin/humas serve --sandbox

# Run every test with the race detector against a real ClickHouse, recording
# what they send; then the differential test replays it all (and its own
# report/dashboard workload) on chDB, the modern engine (scripts/chdb.sh
# fetch gets it; CI fails without it, elsewhere it is skipped with a note).
test: clickhouse-start chcluster-start postgres-start
	@scripts/clickhouse.sh status | sed 's/^/integration tests use: /'
	@scripts/chcluster.sh status | sed 's/^/replica tests use: /'
	@scripts/postgres.sh status | sed 's/^/postgres tests use: /'
	$(GO) vet ./...
	rm -rf $(CAPTURE) $(CURDIR)/var/chdiff-report.txt && mkdir -p $(CAPTURE)
	HUMAS_CH_CAPTURE_DIR=$(CAPTURE) $(GO) test -race -count=1 -timeout 45m $$($(GO) list ./... | grep -v '/chdiff$$')
	HUMAS_CH_CAPTURE_DIR=$(CAPTURE) HUMAS_CHDIFF_REPORT=$(CURDIR)/var/chdiff-report.txt \
		$(GO) test -count=1 -timeout 20m -v ./chdiff

# The packages that touch the state database, again with the state in
# PostgreSQL (a fresh database per test on the cluster scripts/postgres.sh
# starts) instead of SQLite files.
STATE_PACKAGES := ./store/... ./org/... ./auth/... ./scheduler/... ./collector/... ./reportmail/... ./media/... ./notify/... ./connect/... ./inbox/... ./ppid/... ./agenda/... \
	./api/... ./web/... ./cmd/humas/... ./analytics/...

test-postgres: clickhouse-start postgres-start
	HUMAS_TEST_STATE=postgres $(GO) test -race -count=1 -timeout 45m $(STATE_PACKAGES)

clickhouse-start:
	@scripts/clickhouse.sh start

postgres-start:
	@scripts/postgres.sh start

postgres-stop:
	@scripts/postgres.sh stop

clickhouse-stop:
	@scripts/clickhouse.sh stop

# ZooKeeper and two 18.16 replicas (cluster "humas") for the replica tests.
chcluster-start:
	@scripts/chcluster.sh start

chcluster-stop:
	@scripts/chcluster.sh stop

# chDB's library for the differential test, cached outside the clone.
chdb:
	@scripts/chdb.sh fetch

# Lint: go vet, then staticcheck at a pinned version with the checks in
# staticcheck.conf. The tool is installed once into GOPATH/bin (outside the
# clone) and reinstalled when its version is not the pinned one.
STATICCHECK_VERSION := 0.8.2
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck

lint:
	$(GO) vet ./...
	@$(STATICCHECK) -version 2>/dev/null | grep -q '($(STATICCHECK_VERSION))' || \
		$(GO) install honnef.co/go/tools/cmd/staticcheck@v$(STATICCHECK_VERSION)
	$(STATICCHECK) ./...

bench: clickhouse-start
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...
