// Package scheduler is the content calendar and its publisher: posts with
// classification and approval, one delivery per target channel, an
// append-only audit log, and a cron-driven loop that publishes due
// deliveries exactly once through the Graph API client, settling any
// uncertain outcome by reading the channel before sending again.
package scheduler
