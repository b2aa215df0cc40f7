// Package api is humas's HTTP server (Gin): probes, /metrics, and the JSON
// API under /api/v1. Handlers return (any, error) through Handle, and one
// place (respond.go) turns typed errors into statuses without leaking
// internals.
package api
