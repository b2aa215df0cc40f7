// Package config holds humas's one configuration struct: defaults, a YAML
// file, HUMAS_* environment overrides and validation that names the key,
// the bad value and what is allowed.
package config
