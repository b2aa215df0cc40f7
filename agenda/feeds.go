package agenda

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// Feed is a calendar subscription: a URL re-imported into a unit's
// agenda every day.
type Feed struct {
	ID        int64      `json:"id"`
	UnitID    int64      `json:"unit_id"`
	URL       string     `json:"url"`
	Type      string     `json:"type"`
	CreatedAt time.Time  `json:"created_at"`
	SyncedAt  *time.Time `json:"synced_at,omitempty"`
	LastError string     `json:"last_error,omitempty"`
	Events    int        `json:"events"`
}

// FeedEvery is how often a subscription is re-imported.
const FeedEvery = 24 * time.Hour

const (
	qFeedCols   = `id, unit_id, url, type, created_at, synced_at, last_error, events`
	qFeedUpsert = `INSERT INTO agenda_feeds (unit_id, url, type, created_by, created_at, synced_at, events) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (unit_id, url) DO UPDATE SET type = excluded.type, synced_at = excluded.synced_at, last_error = '', events = excluded.events`
	qFeedByKey  = `SELECT ` + qFeedCols + ` FROM agenda_feeds WHERE unit_id = ? AND url = ?`
	qFeedByID   = `SELECT ` + qFeedCols + ` FROM agenda_feeds WHERE id = ?`
	qFeedsOf    = `SELECT ` + qFeedCols + ` FROM agenda_feeds WHERE unit_id IN (SELECT value FROM json_each(?)) ORDER BY unit_id, id`
	qFeedsAll   = `SELECT ` + qFeedCols + ` FROM agenda_feeds ORDER BY unit_id, id`
	qFeedsDue   = `SELECT ` + qFeedCols + ` FROM agenda_feeds WHERE synced_at IS NULL OR synced_at <= ? ORDER BY id`
	qFeedSynced = `UPDATE agenda_feeds SET synced_at = ?, last_error = ?, events = CASE WHEN ? = 1 THEN ? ELSE events END WHERE id = ?`
	qFeedDelete = `DELETE FROM agenda_feeds WHERE id = ?`
)

func scanFeed(r interface{ Scan(...any) error }) (Feed, error) {
	var f Feed
	var created string
	var synced sql.NullString
	if err := r.Scan(&f.ID, &f.UnitID, &f.URL, &f.Type, &created, &synced, &f.LastError, &f.Events); err != nil {
		return f, err
	}
	var err error
	f.CreatedAt, err = store.ParseTime(created)
	f.SyncedAt = store.ParseNullTime(synced)
	return f, err
}

// Subscribe imports the calendar at rawURL into the unit's agenda now (as
// ImportURL: a refusal names the url field and nothing is saved) and
// keeps the URL to import again every day. Subscribing to the same URL
// again only imports it again.
func (s *Service) Subscribe(ctx context.Context, p auth.Principal, unitID int64, rawURL, def string) (Feed, ImportResult, error) {
	res, err := s.ImportURL(ctx, p, unitID, rawURL, def)
	if err != nil {
		return Feed{}, res, err
	}
	unitID, def, _ = s.importable(ctx, p, unitID, def)
	raw := normalURL(rawURL)
	var by any
	if p.UserID != 0 {
		by = p.UserID
	}
	now := store.FormatTime(s.now())
	if _, err := s.db.DB.ExecContext(ctx, qFeedUpsert, unitID, raw, def, by, now, now, res.Added+res.Updated); err != nil {
		return Feed{}, res, fmt.Errorf("save calendar subscription: %w", err)
	}
	f, err := scanFeed(s.db.DB.QueryRowContext(ctx, qFeedByKey, unitID, raw))
	if err != nil {
		return Feed{}, res, err
	}
	if err := auth.AppendAudit(ctx, s.db.DB, s.now(), auth.AuditRecord{Actor: p, Entity: "unit", EntityID: unitID, Action: "agenda_subscribe",
		Detail: map[string]any{"feed_id": f.ID, "url": raw, "type": def}}); err != nil {
		return f, res, err
	}
	return f, res, nil
}

// normalURL is how a subscription's URL is kept: trimmed, webcal:// as https://.
func normalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if rest, ok := cutPrefixFold(raw, "webcal://"); ok {
		return "https://" + rest
	}
	return raw
}

// Feeds lists the subscriptions of the units p keeps (its unit and the
// units below it; an admin: all).
func (s *Service) Feeds(ctx context.Context, p auth.Principal) ([]Feed, error) {
	q, args := qFeedsAll, []any{}
	if p.Role != auth.RoleAdmin {
		units, err := s.org.Descendants(ctx, p.UnitID)
		if err != nil {
			return nil, err
		}
		q, args = qFeedsOf, []any{jsonInts(units)}
	}
	return s.feeds(ctx, q, args...)
}

func (s *Service) feeds(ctx context.Context, q string, args ...any) ([]Feed, error) {
	rows, err := s.db.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("calendar subscriptions: %w", err)
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Unsubscribe stops re-importing a URL (the events it brought stay).
// The same rule as changing events applies to the subscription's unit.
func (s *Service) Unsubscribe(ctx context.Context, p auth.Principal, id int64) error {
	if err := canWrite(p); err != nil {
		return err
	}
	f, err := scanFeed(s.db.DB.QueryRowContext(ctx, qFeedByID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return valid.NotFound("calendar subscription %d does not exist", "langganan kalender %d tidak ada", id)
	}
	if err != nil {
		return err
	}
	if err := s.inScope(ctx, p, f.UnitID); err != nil {
		return err
	}
	if _, err := s.db.DB.ExecContext(ctx, qFeedDelete, id); err != nil {
		return fmt.Errorf("delete calendar subscription %d: %w", id, err)
	}
	return auth.AppendAudit(ctx, s.db.DB, s.now(), auth.AuditRecord{Actor: p, Entity: "unit", EntityID: f.UnitID, Action: "agenda_unsubscribe",
		Detail: map[string]any{"feed_id": id, "url": f.URL}})
}

// SyncResult counts a SyncFeeds pass.
type SyncResult struct {
	Synced, Failed int
}

// SyncFeeds re-imports every subscription last tried FeedEvery ago or
// longer (or never), as the system: a failure is kept on the
// subscription (the agenda page shows it) and tried again the next day.
func (s *Service) SyncFeeds(ctx context.Context) (SyncResult, error) {
	now := s.now()
	due, err := s.feeds(ctx, qFeedsDue, store.FormatTime(now.Add(-FeedEvery)))
	if err != nil {
		return SyncResult{}, err
	}
	var out SyncResult
	for _, f := range due {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		sys := auth.Principal{Name: "agenda-feed", Role: auth.RoleAdmin, UnitID: f.UnitID}
		res, err := s.ImportURL(ctx, sys, f.UnitID, f.URL, f.Type)
		msg, ok := "", 1
		if err != nil {
			ok = 0
			out.Failed++
			msg = err.Error()
			if p, isProblem := valid.ProblemOf(err); isProblem {
				msg = p.MsgID + " / " + p.Msg
			}
		} else {
			out.Synced++
		}
		if _, err := s.db.DB.ExecContext(ctx, qFeedSynced, store.FormatTime(now), msg, ok, res.Added+res.Updated, f.ID); err != nil {
			return out, fmt.Errorf("calendar subscription %d: %w", f.ID, err)
		}
	}
	return out, nil
}
