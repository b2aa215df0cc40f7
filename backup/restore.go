package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/store"
)

// RestoreOptions configure a restore.
type RestoreOptions struct {
	// From is the backup directory.
	From string
	// Force replaces an installation that holds data (the old state
	// database is kept aside; the ClickHouse database is dropped).
	Force bool
	// SecretKey is the key this installation is configured with; it must
	// be the key the backup was made with (same fingerprint) unless
	// WithoutKey, in which case stored tokens stay unreadable.
	SecretKey  []byte
	WithoutKey bool

	State      StateTarget
	ClickHouse *store.ClickHouse
	// Media is the library's store to fill; nil when the backup has no
	// media or the media are restored by other means.
	Media media.Blobs

	Logger *slog.Logger
}

// RestoreResult says what a restore did.
type RestoreResult struct {
	Manifest *Manifest
	// Rows is how many ClickHouse rows were loaded; Blobs how many media
	// files were stored.
	Rows  uint64
	Blobs int
	Took  time.Duration
}

// ErrNotEmpty marks a restore refused because the target holds data.
var ErrNotEmpty = errors.New("the installation is not empty")

// Restore puts a backup into an empty installation: it verifies the whole
// backup first (refusing a damaged one, naming the file), refuses a target
// that holds data unless Force, then loads ClickHouse (the backup's schema,
// every partition, each partition's row count checked), the media files
// (each size checked) and last the state database (checked before and
// after it is moved into place). The caller then upgrades the schemas to
// this version and lets the publisher settle deliveries (see cmd/humas).
func Restore(ctx context.Context, o RestoreOptions) (*RestoreResult, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	m, err := Verify(ctx, o.From)
	if err != nil {
		return nil, err
	}
	if m.State.Kind != o.State.Kind() {
		return nil, fmt.Errorf("the backup's state database is %s; this installation's is %s", m.State.Kind, o.State.Kind())
	}
	if want := m.SecretKeyFingerprint; !o.WithoutKey {
		got := Fingerprint(o.SecretKey)
		switch {
		case want != "" && got == "":
			return nil, fmt.Errorf("the backup's channel tokens are sealed with the secret key of fingerprint %s, and no secret_key "+
				"(HUMAS_SECRET_KEY) is set: set that key (kept apart from backups), or pass --without-key to restore anyway "+
				"(channels must then be connected again)", want)
		case want != "" && got != want:
			return nil, fmt.Errorf("the configured secret_key has fingerprint %s, the backup's tokens were sealed with %s: set the key "+
				"the backup was made with, or pass --without-key to restore anyway (channels must then be connected again)", got, want)
		}
	}
	if m.Media.Included && len(m.Media.Blobs) > 0 && o.Media == nil {
		return nil, errors.New("the backup holds media files but no media store is configured to restore them into")
	}

	var held []string
	if h, err := o.State.Holds(ctx); err != nil {
		return nil, err
	} else if h != "" {
		held = append(held, h)
	}
	if h, err := clickHouseHolds(ctx, o.ClickHouse); err != nil {
		return nil, err
	} else if h != "" {
		held = append(held, h)
	}
	if o.Media != nil {
		if h, err := mediaHolds(ctx, o.Media, m.Media); err != nil {
			return nil, err
		} else if h != "" {
			held = append(held, h)
		}
	}
	if len(held) > 0 && !o.Force {
		return nil, fmt.Errorf("%w: %s; restore into an empty one, or pass --force to replace it", ErrNotEmpty, strings.Join(held, "; "))
	}

	res := &RestoreResult{Manifest: m}
	if err := resetDatabase(ctx, o.ClickHouse); err != nil {
		return nil, err
	}
	if err := importClickHouse(ctx, o.ClickHouse, o.From, m.ClickHouse, o.Logger); err != nil {
		return nil, err
	}
	for _, t := range m.ClickHouse.Tables {
		for _, p := range t.Partitions {
			res.Rows += p.Rows
		}
	}
	o.Logger.Info("restore: clickhouse loaded", "database", o.ClickHouse.Database(), "rows", res.Rows)
	if o.Media != nil {
		if err := importMedia(ctx, o.Media, o.From, m.Media); err != nil {
			return nil, err
		}
		res.Blobs = len(m.Media.Blobs)
		o.Logger.Info("restore: media stored", "files", res.Blobs, "store", o.Media.Describe())
	}
	if err := o.State.Load(ctx, o.From, m.State, o.Force); err != nil {
		return nil, err
	}
	o.Logger.Info("restore: state database in place", "tables", len(m.State.Tables), "audit_rows", m.State.AuditLog.Rows)
	res.Took = time.Since(start)
	return res, nil
}
