package inbox

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/humas-id/humas/meta"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
)

// Cursor is what the collector last saw of a post's comments.
type Cursor struct {
	LastCreated time.Time // the newest comment read
	LastCount   int64     // the post's comment count then
}

// Collected is one post's comments as the collector read them.
type Collected struct {
	ObjectID string
	PostText string
	PostURL  string
	// Count is the post's comment count (summary or comments_count) when
	// it was read; -1 when unknown.
	Count    int64
	Comments []meta.Comment
}

const (
	qCursors = `SELECT object_id, last_created_at, last_count FROM comment_cursors WHERE channel_id = ?`
	qCursor  = `INSERT INTO comment_cursors (channel_id, object_id, last_created_at, last_count, checked_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (channel_id, object_id) DO UPDATE SET
  last_created_at = CASE WHEN excluded.last_created_at > comment_cursors.last_created_at
    THEN excluded.last_created_at ELSE comment_cursors.last_created_at END,
  last_count = excluded.last_count, checked_at = excluded.checked_at`
	qSaveComment = `INSERT INTO comments (channel_id, unit_id, platform, external_id, object_id, post_text, post_url, parent_id,
  author_id, author_name, message, created_at, collected_at, by_page, is_question, hidden)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (channel_id, external_id) DO UPDATE SET message = excluded.message, hidden = excluded.hidden,
  post_text = CASE WHEN excluded.post_text != '' THEN excluded.post_text ELSE comments.post_text END,
  post_url = CASE WHEN excluded.post_url != '' THEN excluded.post_url ELSE comments.post_url END`
	// qAnswered marks the comment a reply of the unit answers (the
	// earliest answer counts).
	qAnswered = `UPDATE comments SET first_reply_at = ?
WHERE channel_id = ? AND external_id = ? AND (first_reply_at IS NULL OR first_reply_at > ?)`
)

// Cursors returns what the collector last saw of each post of a channel.
func (s *Service) Cursors(ctx context.Context, channelID int64) (map[string]Cursor, error) {
	rows, err := s.db.DB.QueryContext(ctx, qCursors, channelID)
	if err != nil {
		return nil, fmt.Errorf("comment cursors of channel %d: %w", channelID, err)
	}
	defer rows.Close()
	out := map[string]Cursor{}
	for rows.Next() {
		var id, last string
		var n int64
		if err := rows.Scan(&id, &last, &n); err != nil {
			return nil, fmt.Errorf("comment cursors of channel %d: %w", channelID, err)
		}
		t, err := store.ParseTime(last)
		if err != nil {
			return nil, fmt.Errorf("comment cursor %s: %w", id, err)
		}
		out[id] = Cursor{LastCreated: t, LastCount: n}
	}
	return out, rows.Err()
}

// SaveCollected stores the comments the collector read on a channel's
// posts (new ones added, known ones updated: text and hidden), marks the
// comments the unit's own replies answer, and moves each post's cursor.
// It returns how many comments were new.
func (s *Service) SaveCollected(ctx context.Context, ch org.Channel, at time.Time, got []Collected) (int, error) {
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	added := 0
	for _, c := range got {
		last := time.Time{}
		for _, cm := range c.Comments {
			n, err := saveComment(ctx, tx, ch, c, cm, at)
			if err != nil {
				return 0, err
			}
			added += n
			if cm.Created.After(last) {
				last = cm.Created
			}
		}
		if prev, ok := s.cursorIn(ctx, tx, ch.ID, c.ObjectID); ok && prev.After(last) {
			last = prev
		}
		if _, err := tx.ExecContext(ctx, qCursor, ch.ID, c.ObjectID, store.FormatTime(last), c.Count, store.FormatTime(at)); err != nil {
			return 0, fmt.Errorf("comment cursor %s: %w", c.ObjectID, err)
		}
	}
	return added, tx.Commit()
}

func (s *Service) cursorIn(ctx context.Context, tx *sql.Tx, channelID int64, objectID string) (time.Time, bool) {
	var last string
	if tx.QueryRowContext(ctx, `SELECT last_created_at FROM comment_cursors WHERE channel_id = ? AND object_id = ?`, channelID, objectID).Scan(&last) != nil {
		return time.Time{}, false
	}
	t, err := store.ParseTime(last)
	return t, err == nil
}

// saveComment upserts one comment; it returns 1 when the comment is new.
func saveComment(ctx context.Context, tx *sql.Tx, ch org.Channel, c Collected, cm meta.Comment, at time.Time) (int, error) {
	var exists int
	_ = tx.QueryRowContext(ctx, `SELECT count(*) FROM comments WHERE channel_id = ? AND external_id = ?`, ch.ID, cm.ID).Scan(&exists)
	byPage := cm.FromID == ch.ExternalID
	question := !byPage && IsQuestion(cm.Message)
	if _, err := tx.ExecContext(ctx, qSaveComment, ch.ID, ch.UnitID, ch.Platform, cm.ID, c.ObjectID, c.PostText, c.PostURL, cm.ParentID,
		cm.FromID, cm.FromName, cm.Message, store.FormatTime(cm.Created), store.FormatTime(at), byPage, question, cm.Hidden); err != nil {
		return 0, fmt.Errorf("save comment %s: %w", cm.ID, err)
	}
	if byPage && cm.ParentID != "" {
		ts := store.FormatTime(cm.Created)
		if _, err := tx.ExecContext(ctx, qAnswered, ts, ch.ID, cm.ParentID, ts); err != nil {
			return 0, fmt.Errorf("mark comment %s answered: %w", cm.ParentID, err)
		}
	}
	return 1 - exists, nil
}
