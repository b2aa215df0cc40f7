package media

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

// RetentionPolicy says how long media are kept: Published is how long
// after its last post went out (or was given up) a file is kept; Grace how
// long an upload no post uses is kept. Zero disables that rule.
type RetentionPolicy struct {
	Published time.Duration
	Grace     time.Duration
}

// CleanupReport is what one cleanup removed.
type CleanupReport struct {
	Unused, Expired, Uploads int
}

const qCleanupCandidates = `SELECT ` + qItemCols + ` FROM media WHERE deleted_at IS NULL AND created_at < ? AND id > ? ORDER BY id LIMIT 200`

// Cleanup applies the retention policy at now: media no post uses,
// older than the grace period; media whose posts all went out (published,
// failed, canceled or rejected) longer than the retention period ago; and
// uploads left unfinished. Media a pending post uses are never removed.
func (l *Library) Cleanup(ctx context.Context, pol RetentionPolicy, now time.Time) (CleanupReport, error) {
	var rep CleanupReport
	oldest := pol.Grace
	if pol.Published > 0 && (oldest == 0 || pol.Published < oldest) {
		oldest = pol.Published
	}
	if oldest > 0 {
		var after int64
		for {
			batch, err := l.candidates(ctx, now.Add(-oldest), after)
			if err != nil {
				return rep, err
			}
			if len(batch) == 0 {
				break
			}
			after = batch[len(batch)-1].ID
			ids := make([]int64, len(batch))
			for i, it := range batch {
				ids[i] = it.ID
			}
			uses, err := l.rules.MediaUses(ctx, ids)
			if err != nil {
				return rep, err
			}
			for _, it := range batch {
				why, ok := expired(it, uses[it.ID], pol, now)
				if !ok {
					continue
				}
				if err := l.remove(ctx, it, why); err != nil {
					return rep, err
				}
				if len(uses[it.ID]) == 0 {
					rep.Unused++
				} else {
					rep.Expired++
				}
			}
		}
	}
	ttl := l.opt.UploadTTL
	rows, err := l.db.DB.QueryContext(ctx, qUploadsStale, store.FormatTime(now.Add(-ttl)))
	if err != nil {
		return rep, fmt.Errorf("media: stale uploads: %w", err)
	}
	var stale []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err == nil {
			stale = append(stale, id)
		}
	}
	rows.Close()
	for _, id := range stale {
		l.dropUpload(ctx, id)
		rep.Uploads++
	}
	return rep, nil
}

func (l *Library) candidates(ctx context.Context, before time.Time, after int64) ([]Item, error) {
	rows, err := l.db.DB.QueryContext(ctx, qCleanupCandidates, store.FormatTime(before), after)
	if err != nil {
		return nil, fmt.Errorf("media: cleanup: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// expired decides whether an item goes, and why.
func expired(it Item, uses []Use, pol RetentionPolicy, now time.Time) (string, bool) {
	if len(uses) == 0 {
		if pol.Grace > 0 && now.Sub(it.CreatedAt) > pol.Grace {
			return "unused for " + pol.Grace.String(), true
		}
		return "", false
	}
	if pol.Published <= 0 {
		return "", false
	}
	var last time.Time
	for _, u := range uses {
		if u.Pending() {
			return "", false
		}
		t := u.ScheduledAt
		if u.PublishedAt != nil {
			t = *u.PublishedAt
		}
		if t.After(last) {
			last = t
		}
	}
	if now.Sub(last) > pol.Published {
		return "retention: its posts went out more than " + pol.Published.String() + " ago", true
	}
	return "", false
}
