package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FormatVersion is the layout of a backup directory this humas writes.
const FormatVersion = 1

// Names inside a backup directory.
const (
	ManifestName   = "manifest.json"
	ManifestSum    = "manifest.json.sha256"
	ReadmeName     = "README.txt"
	stateDir       = "state"
	clickhouseDir  = "clickhouse"
	mediaDir       = "media"
	partialSuffix  = ".partial"
	partitionExt   = ".rowbinary.zst"
	keyWarningText = "This backup does not contain the secret key (secret_key / HUMAS_SECRET_KEY) that encrypts " +
		"the stored channel tokens and two-step verification secrets; it only records the key's fingerprint. " +
		"Keep the key separately (a password manager or a sealed envelope in the office safe): without it a " +
		"restored installation cannot publish until every channel is connected again and every user enrols " +
		"two-step verification again."
)

// Manifest describes a backup: what it holds, how it was made, and the
// size and SHA-256 of every file, so a backup can be checked without
// restoring it. It is written last; a directory without one is not a
// backup.
type Manifest struct {
	Format     int       `json:"format"`
	Humas      string    `json:"humas_version"`
	CreatedAt  time.Time `json:"created_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Base names the earlier backup whose unchanged files this one reuses
	// (hard links, or copies across file systems); each backup is still
	// complete on its own.
	Base string `json:"base,omitempty"`
	// SecretKeyFingerprint identifies the secret key the encrypted tokens
	// were sealed with (empty: no key was set); never the key.
	SecretKeyFingerprint string `json:"secret_key_fingerprint"`
	SecretKeyWarning     string `json:"secret_key_warning"`

	State      StateManifest      `json:"state"`
	ClickHouse ClickHouseManifest `json:"clickhouse"`
	Media      MediaManifest      `json:"media"`
	// Files lists every file of the backup but the manifest itself.
	Files []File `json:"files"`
}

// File is one file of a backup, relative to its directory (slashes).
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Reused: the file is the base backup's (linked or copied).
	Reused bool `json:"reused,omitempty"`
}

// StateManifest describes the state database's copy.
type StateManifest struct {
	Kind string `json:"kind"` // sqlite (postgres later)
	File string `json:"file"`
	// Migrations are the schema versions applied.
	Migrations []int `json:"migrations"`
	// Tables maps each table to its row count.
	Tables map[string]int64 `json:"tables"`
	// AuditLog fingerprints the audit log: every row of AuditColumns in id
	// order; a restore checks it row for row.
	AuditLog AuditDigest `json:"audit_log"`
	// Files are the files kept beside the database that rows name
	// (StateFolders), relative to its folder, copied under state/files.
	Files []string `json:"files,omitempty"`
}

// AuditDigest is the audit log's row count, last id and a SHA-256 over
// every row.
type AuditDigest struct {
	Rows    int64    `json:"rows"`
	MaxID   int64    `json:"max_id"`
	SHA256  string   `json:"sha256"`
	Columns []string `json:"columns"`
}

// ClickHouseManifest describes the exported ClickHouse tables.
type ClickHouseManifest struct {
	Server   string `json:"server_version"`
	Database string `json:"database"`
	// Migrations are the applied versions and the names they were
	// recorded under (a superseded migration says so): a restore builds
	// this schema, loads the data, then upgrades it.
	Migrations []AppliedMigration `json:"migrations"`
	Tables     []Table            `json:"tables"`
	// Derived are tables not exported: materialized views fill them from
	// the exported ones on restore, and the analytics service rebuilds the
	// report read models.
	Derived []string `json:"derived"`
}

// AppliedMigration is one schema_migrations row.
type AppliedMigration struct {
	Version int    `json:"version"`
	Name    string `json:"name"`
}

// Table is one exported table.
type Table struct {
	Name   string `json:"name"`
	Engine string `json:"engine"`
	// Final: rows were read with FINAL (the rows a merge keeps), so a
	// restored table holds exactly Rows rows whatever merges do.
	Final bool `json:"final"`
	// PartitionKey is the table's partition expression ("" for none).
	PartitionKey string      `json:"partition_key,omitempty"`
	Columns      []Column    `json:"columns"`
	Partitions   []Partition `json:"partitions"`

	files []File // written while exporting
}

// Column is a column's name and ClickHouse type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Partition is one partition's file.
type Partition struct {
	ID   string `json:"id"` // system.parts partition_id
	Rows uint64 `json:"rows"`
	// Parts fingerprints the partition's parts when it was read (names,
	// rows, modification times): an incremental backup reuses the file
	// while it is unchanged. Empty when the partition changed while it was
	// read (the next backup reads it again).
	Parts string `json:"parts"`
	File  string `json:"file"`
}

// MediaManifest describes the media files.
type MediaManifest struct {
	// Store is where the library keeps files (local or s3) and Location
	// its description; Included is false when the backup left media out.
	Store    string `json:"store"`
	Location string `json:"location"`
	Included bool   `json:"included"`
	Blobs    []Blob `json:"blobs"`
	// Missing are keys the state names that the store did not have.
	Missing []string `json:"missing,omitempty"`
}

// Blob is one stored media file.
type Blob struct {
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	File        string `json:"file"`
}

// writeManifest writes manifest.json and its checksum file into dir.
func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if err := writeFileSync(filepath.Join(dir, ManifestName), b); err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	return writeFileSync(filepath.Join(dir, ManifestSum), []byte(hex.EncodeToString(sum[:])+"  "+ManifestName+"\n"))
}

// ReadManifest reads dir's manifest after checking it against its
// checksum file.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a humas backup: it has no %s (an unfinished backup has none)", dir, ManifestName)
	}
	if err != nil {
		return nil, err
	}
	sumText, err := os.ReadFile(filepath.Join(dir, ManifestSum))
	if err != nil {
		return nil, fmt.Errorf("backup %s is damaged: %s: %w", dir, ManifestSum, err)
	}
	want, _, _ := strings.Cut(strings.TrimSpace(string(sumText)), " ")
	got := sha256.Sum256(b)
	if hex.EncodeToString(got[:]) != want {
		return nil, &DamageError{Dir: dir, Problems: []string{ManifestName + ": its SHA-256 differs from " + ManifestSum + " (the file was changed)"}}
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, &DamageError{Dir: dir, Problems: []string{ManifestName + ": " + err.Error()}}
	}
	if m.Format != FormatVersion {
		return nil, fmt.Errorf("backup %s has format %d; this humas reads format %d", dir, m.Format, FormatVersion)
	}
	return &m, nil
}

// DamageError lists what is wrong with a backup's files, each naming the
// file.
type DamageError struct {
	Dir      string
	Problems []string
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("backup %s is damaged (%d problem(s)):\n  %s", e.Dir, len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// readme is the plain-text note written into every backup.
func readme(m *Manifest) string {
	fp := m.SecretKeyFingerprint
	if fp == "" {
		fp = "(no secret key was set)"
	}
	return fmt.Sprintf(`humas backup
============

Made by humas %s, started %s, finished %s.
Check it:   humas backup verify THIS_DIRECTORY
Restore it: humas restore --from THIS_DIRECTORY   (into an empty installation; --force replaces a non-empty one)

manifest.json lists every file with its size and SHA-256, the row counts of every table and the schema
versions; manifest.json.sha256 protects the manifest itself.

  state/        the state database (calendar, users, audit log): a consistent SQLite copy;
                state/files/ the files its rows name (letterhead logos)
  clickhouse/   the ClickHouse tables humas cannot rebuild, one RowBinary file (zstd) per partition
  media/        the media library's files

SECRET KEY: fingerprint %s
%s
`, m.Humas, m.CreatedAt.Format(time.RFC3339), m.FinishedAt.Format(time.RFC3339), fp, m.SecretKeyWarning)
}
