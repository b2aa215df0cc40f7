// Package dashboards holds humas's Grafana provisioning: the datasources
// (ClickHouse through the grafana-clickhouse-datasource plugin, Prometheus),
// the file provider, and the dashboards under json/<Folder>/ that Grafana
// loads on its first start.
//
// Grafana cannot run where humas is built, so the package reads the same
// files (embedded) and gives the tests what they need to prove every panel
// works: Load parses the dashboards, Expand imitates how Grafana and the
// ClickHouse plugin turn a panel's SQL into the statement the server runs
// ($__conditionalAll, template variables, $__timeFilter and friends), and
// Lint finds what Grafana rejects or breaks on silently.
package dashboards
