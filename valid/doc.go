// Package valid holds the one shape of an input validation error that the
// domain packages (org, scheduler, collector) return and the API and web
// pages show: a field name and a message in English and Bahasa Indonesia.
// It imports nothing of humas, so every layer may use it.
package valid
