package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/humas-id/humas/store"
)

// FactRow is one public comment in the ClickHouse comment_facts mirror
// (Grafana's response panel reads it).
type FactRow struct {
	CommentID       uint64    `ch:"comment_id"`
	ChannelID       uint64    `ch:"channel_id"`
	UnitID          uint64    `ch:"unit_id"`
	Platform        string    `ch:"platform"`
	CreatedAt       time.Time `ch:"created_at"`
	IsQuestion      uint8     `ch:"is_question"`
	Answered        uint8     `ch:"answered"`
	ResponseMinutes float64   `ch:"response_minutes"`
	Version         uint64    `ch:"version"`
}

const qMirrorFacts = `INSERT INTO comment_facts (comment_id, channel_id, unit_id, platform, created_at, is_question, answered,
 response_minutes, version)`

// MirrorToClickHouse writes the public comments made since `since` into
// comment_facts (ReplacingMergeTree(version): the newest mirror wins).
func (s *Service) MirrorToClickHouse(ctx context.Context, ch *store.ClickHouse, since time.Time) (int, error) {
	rows, err := s.db.DB.QueryContext(ctx, `SELECT id, channel_id, unit_id, platform, created_at, is_question, first_reply_at
FROM comments WHERE by_page = 0 AND created_at >= ?`, store.FormatTime(since))
	if err != nil {
		return 0, fmt.Errorf("comment facts: %w", err)
	}
	version := uint64(s.now().UnixNano())
	var out []FactRow
	for rows.Next() {
		var r FactRow
		var id, chID, unit int64
		var created string
		var question bool
		var replied *string
		if err := rows.Scan(&id, &chID, &unit, &r.Platform, &created, &question, &replied); err != nil {
			rows.Close()
			return 0, err
		}
		c, err := store.ParseTime(created)
		if err != nil {
			rows.Close()
			return 0, err
		}
		r.CommentID, r.ChannelID, r.UnitID, r.CreatedAt, r.Version = uint64(id), uint64(chID), uint64(unit), c.UTC(), version
		if question {
			r.IsQuestion = 1
		}
		if replied != nil {
			if a, err := store.ParseTime(*replied); err == nil {
				r.Answered, r.ResponseMinutes = 1, max(a.Sub(c).Minutes(), 0)
			}
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(out) == 0 {
		return 0, nil
	}
	b, err := ch.PrepareBatch(ctx, qMirrorFacts)
	if err != nil {
		return 0, store.WrapError(err)
	}
	defer b.Abort()
	for i := range out {
		if err := b.AppendStruct(&out[i]); err != nil {
			return 0, err
		}
	}
	if err := store.WrapError(b.Send()); err != nil {
		return 0, fmt.Errorf("mirror comment facts: %w", err)
	}
	return len(out), nil
}
