package collector

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// ErrPostNotFound means no such platform post has been collected.
var ErrPostNotFound error = valid.NotFound("this post has not been collected yet; run a collection (POST /api/v1/collect) first",
	"posting ini belum dikoleksi; jalankan koleksi terlebih dahulu")

// ContentTypeChange is the outcome of SetContentType.
type ContentTypeChange struct {
	Platform          string `json:"platform"`
	PostID            string `json:"post_id"`
	ContentType       string `json:"content_type"`
	Previous          string `json:"previous_content_type"`
	ContentTypeSource string `json:"content_type_source"`
	// Buffered is true when ClickHouse was unreachable: the new version
	// waits in the on-disk buffer and reports use it once it is written.
	Buffered bool `json:"buffered"`
}

// SetContentType corrects a platform post's content type: the override is
// stored in SQLite (every later collection applies it) and a new posts
// version is written to ClickHouse, so past and future reports use it.
func (c *Collector) SetContentType(ctx context.Context, platform, postID, contentType string, by auth.Principal) (ContentTypeChange, error) {
	if err := validateContentType(platform, postID, contentType); err != nil {
		return ContentTypeChange{}, err
	}
	row, err := c.postRow(ctx, platform, postID)
	if err != nil {
		return ContentTypeChange{}, err
	}
	now := c.now().UTC()
	tx, err := c.sql.DB.BeginTx(ctx, nil)
	if err != nil {
		return ContentTypeChange{}, fmt.Errorf("store content type override: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, qUpsertOverride, platform, postID, contentType, nullID(by.UserID), store.FormatTime(now)); err != nil {
		return ContentTypeChange{}, fmt.Errorf("store content type override: %w", err)
	}
	if err := auth.AppendAudit(ctx, tx, now, auth.AuditRecord{Actor: by, Entity: "platform_post", Action: "set_content_type",
		From: row.ContentType, To: contentType, Detail: map[string]string{"platform": platform, "post_id": postID}}); err != nil {
		return ContentTypeChange{}, fmt.Errorf("audit content type override: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return ContentTypeChange{}, fmt.Errorf("store content type override: %w", err)
	}

	out := ContentTypeChange{Platform: platform, PostID: postID, ContentType: contentType, Previous: row.ContentType,
		ContentTypeSource: SourceOverride}
	row.ContentType, row.ContentTypeSource, row.UpdatedAt = contentType, SourceOverride, now
	row.Version = max(uint64(now.UnixNano()), row.Version+1)
	buffered0 := c.w.buffered.Load()
	if err := c.w.write(ctx, pendingOf(Batch{Posts: []PostRow{row}})); err != nil {
		return out, fmt.Errorf("write the corrected post to clickhouse (the override is saved and the next collection applies it): %w", err)
	}
	out.Buffered = c.w.buffered.Load() > buffered0
	if !out.Buffered { // a buffered version is marked when the buffer is replayed
		c.notifyChange(ctx, "correction", 1)
	}
	return out, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func validateContentType(platform, postID, contentType string) error {
	if platform != org.Facebook && platform != org.Instagram {
		return &InputError{Field: "platform", Message: fmt.Sprintf("unknown platform %q: use facebook or instagram", platform),
			MessageID: fmt.Sprintf("platform %q tidak dikenal: gunakan facebook atau instagram", platform)}
	}
	if postID == "" || len(postID) > 128 {
		return &InputError{Field: "id", Message: "give the platform's post or media id", MessageID: "isi id posting atau media dari platform"}
	}
	allowed := ContentTypes
	if platform == org.Instagram {
		allowed = []string{TypePhoto, TypeVideo, TypeInteractive}
	}
	if !slices.Contains(allowed, contentType) {
		return &InputError{Field: "content_type",
			Message:   fmt.Sprintf("content_type %q is not one of %v for %s", contentType, allowed, platform),
			MessageID: fmt.Sprintf("content_type %q bukan salah satu dari %v untuk %s", contentType, allowed, platform)}
	}
	return nil
}

// postRow reads the newest version of a collected post.
func (c *Collector) postRow(ctx context.Context, platform, postID string) (PostRow, error) {
	var r PostRow
	// The columns are PostRow's ch tags: ScanStruct fills the fields by name.
	err := c.ch.QueryRow(ctx, qSelectPost, platform, postID).ScanStruct(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return PostRow{}, fmt.Errorf("%w: no %s post %s has been collected yet; run humas collect (or wait for the schedule) first", ErrPostNotFound, platform, postID)
	}
	if err != nil {
		return PostRow{}, fmt.Errorf("read post %s/%s from clickhouse: %w", platform, postID, store.WrapError(err))
	}
	return r, nil
}
