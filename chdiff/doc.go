// Package chdiff is the differential test between the ClickHouse humas is
// tested on (Debian's 18.16, the CI server) and a modern engine (chDB 26.7,
// the ClickHouse engine as a library), run with its default settings and
// with compatibility='25.8' (the version docker compose deploys).
//
// The corpus is what humas really sends: package capture records every
// statement of every test process (make test sets HUMAS_CH_CAPTURE_DIR and
// runs this package last), and TestWorkload adds the report service and
// every Grafana panel over seeded data. Each captured database's statements
// are replayed in order on a fresh database of every engine (inserts with
// their rows), and every read's answer on chDB must equal 18.16's: rows
// compare as a multiset unless the statement orders them, floats within
// 1e-9, arrays built by groupArray as multisets. A difference, or an error
// on one engine only, fails the test with both answers.
package chdiff
