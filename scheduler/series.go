package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

const (
	qSeriesSize = `SELECT 1 + count(*) FROM posts WHERE recurrence_of = ?`
	// qSeriesExtras gives the newest occurrence of a series what the
	// shared insert leaves at its defaults: the classification's category,
	// legal basis and who confirmed it.
	qSeriesExtras = `UPDATE posts SET info_category = ?, legal_basis = ?, classification_status = ?, classified_by = ?,
    classified_at = ?, captions = ? WHERE id = (SELECT max(id) FROM posts WHERE recurrence_of = ?)`
)

func seriesRoot(post Post) int64 {
	if post.RecurrenceOf != 0 {
		return post.RecurrenceOf
	}
	return post.ID
}

// seriesEnded reports whether a recurring series has planned all its
// occurrences (RecurrenceCount, read from its first post); the last one
// says so in the audit log.
func (s *Service) seriesEnded(ctx context.Context, tx *sql.Tx, post Post, now time.Time) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, qSeriesSize, seriesRoot(post)).Scan(&n); err != nil {
		return false, fmt.Errorf("series of post %d: %w", post.ID, err)
	}
	if post.RecurrenceCount <= 0 || n < post.RecurrenceCount {
		return false, nil
	}
	return true, writeAudit(ctx, tx, now, auditRec{actor: systemActor, entity: "post", id: post.ID, action: "series_end",
		reason: fmt.Sprintf("the series of post %d had its %d occurrences", seriesRoot(post), post.RecurrenceCount)})
}

// copySeriesExtras copies post's classification details to the occurrence
// planned after it.
func (s *Service) copySeriesExtras(ctx context.Context, tx *sql.Tx, post Post) error {
	if _, err := tx.ExecContext(ctx, qSeriesExtras, post.Classification.Category, post.Classification.LegalBasis,
		post.ClassificationStatus, nullID(post.ClassifiedBy), nullTime(post.ClassifiedAt), captionsText(post.Captions), seriesRoot(post)); err != nil {
		return fmt.Errorf("plan next occurrence of post %d: %w", post.ID, err)
	}
	return nil
}
