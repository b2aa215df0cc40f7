package media

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/humas-id/humas/store"
)

// Kinds of media.
const (
	KindImage = "image"
	KindVideo = "video"
)

// Item is one stored file of the library, as it is published.
type Item struct {
	ID         int64  `json:"id"`
	UnitID     int64  `json:"unit_id"`
	UploadedBy int64  `json:"uploaded_by,omitempty"`
	Kind       string `json:"kind"` // image or video
	MIME       string `json:"mime"`
	Filename   string `json:"filename"`
	Size       int64  `json:"size_bytes"`
	SHA256     string `json:"sha256"`
	Width      int    `json:"width,omitempty"`
	Height     int    `json:"height,omitempty"`
	// Duration (seconds), FrameRate, Container, codecs and FastStart
	// describe a video.
	Duration   float64 `json:"duration_seconds,omitempty"`
	FrameRate  float64 `json:"frame_rate,omitempty"`
	Container  string  `json:"container,omitempty"`
	VideoCodec string  `json:"video_codec,omitempty"`
	AudioCodec string  `json:"audio_codec,omitempty"`
	FastStart  bool    `json:"fast_start,omitempty"`
	// SourceURL is the address it was downloaded from (a pasted URL).
	SourceURL string `json:"source_url,omitempty"`
	// DerivedFrom is the item a crop was cut from; Crop its aspect ratio.
	DerivedFrom int64  `json:"derived_from,omitempty"`
	Crop        string `json:"crop,omitempty"`
	// Notes are what the upload changed (Note* codes).
	Notes []string `json:"notes"`
	// Original is the file as uploaded, when it was converted.
	Original  Original   `json:"original"`
	CreatedAt time.Time  `json:"created_at"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	// HasThumb: a thumbnail was made (a video's poster frame needs
	// ffmpeg); without one the pages show a placeholder.
	HasThumb bool `json:"has_thumbnail"`

	// Problems are the file's problems for its default targets (filled
	// by Library on upload, Get and List).
	Problems []Problem `json:"problems"`
	// Uses are the posts that use it (filled by List and Get).
	Uses []Use `json:"used_by"`

	storageKey, thumbKey string
}

// Original describes the uploaded file before conversion.
type Original struct {
	MIME   string `json:"mime,omitempty"`
	Size   int64  `json:"size_bytes,omitempty"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

// Use is a post that uses an item: its id, state, time and unit.
type Use struct {
	PostID      int64      `json:"post_id"`
	UnitID      int64      `json:"unit_id"`
	State       string     `json:"state"`
	ScheduledAt time.Time  `json:"scheduled_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// Pending reports a post not yet published or given up: deleting its
// media would break it.
func (u Use) Pending() bool {
	switch u.State {
	case "draft", "submitted", "approved", "scheduled", "publishing":
		return true
	}
	return false
}

const (
	qItemCols = `id, unit_id, COALESCE(uploaded_by, 0), kind, mime, filename, size, sha256, width, height, duration, frame_rate,
    container, video_codec, audio_codec, fast_start, storage_key, thumb_key, source_url, COALESCE(derived_from, 0), crop, notes,
    original, created_at, deleted_at`
	qItem       = `SELECT ` + qItemCols + ` FROM media WHERE id = ?`
	qItemInsert = `INSERT INTO media (unit_id, uploaded_by, kind, mime, filename, size, sha256, width, height, duration, frame_rate,
    container, video_codec, audio_codec, fast_start, storage_key, thumb_key, source_url, derived_from, crop, notes, original, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qItemDeleted = `UPDATE media SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`
)

func scanItem(r interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var notes, orig, created string
	var deleted sql.NullString
	var fast int
	err := r.Scan(&it.ID, &it.UnitID, &it.UploadedBy, &it.Kind, &it.MIME, &it.Filename, &it.Size, &it.SHA256, &it.Width, &it.Height,
		&it.Duration, &it.FrameRate, &it.Container, &it.VideoCodec, &it.AudioCodec, &fast, &it.storageKey, &it.thumbKey,
		&it.SourceURL, &it.DerivedFrom, &it.Crop, &notes, &orig, &created, &deleted)
	if err != nil {
		return it, err
	}
	it.FastStart = fast != 0
	_ = json.Unmarshal([]byte(notes), &it.Notes)
	_ = json.Unmarshal([]byte(orig), &it.Original)
	if it.Notes == nil {
		it.Notes = []string{}
	}
	it.CreatedAt, _ = store.ParseTime(created)
	it.DeletedAt = store.ParseNullTime(deleted)
	it.HasThumb = it.thumbKey != "" && it.DeletedAt == nil
	return it, nil
}

func (l *Library) insert(ctx context.Context, it *Item) error {
	notes, _ := json.Marshal(it.Notes)
	orig, _ := json.Marshal(it.Original)
	var by, derived any
	if it.UploadedBy != 0 {
		by = it.UploadedBy
	}
	if it.DerivedFrom != 0 {
		derived = it.DerivedFrom
	}
	fast := 0
	if it.FastStart {
		fast = 1
	}
	id, err := store.InsertID(ctx, l.db.DB, qItemInsert, it.UnitID, by, it.Kind, it.MIME, it.Filename, it.Size, it.SHA256, it.Width, it.Height,
		it.Duration, it.FrameRate, it.Container, it.VideoCodec, it.AudioCodec, fast, it.storageKey, it.thumbKey, it.SourceURL, derived,
		it.Crop, string(notes), string(orig), store.FormatTime(it.CreatedAt))
	if err != nil {
		return fmt.Errorf("media: save item: %w", err)
	}
	it.ID = id
	return nil
}

// item loads an item by id (deleted ones too).
func (l *Library) item(ctx context.Context, id int64) (Item, error) {
	it, err := scanItem(l.db.DB.QueryRowContext(ctx, qItem, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, fmt.Errorf("media %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Item{}, fmt.Errorf("media %d: %w", id, err)
	}
	return it, nil
}

// Items returns the items with these ids that exist (deleted ones too,
// marked), without any scope check: the scheduler validates and
// publishes posts with it.
func (l *Library) Items(ctx context.Context, ids []int64) (map[int64]Item, error) {
	out := map[int64]Item{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT ` + qItemCols + ` FROM media WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
	rows, err := l.db.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("media: items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("media: items: %w", err)
		}
		it.Problems = it.CheckAll(it.DefaultTargets()...)
		out[it.ID] = it
	}
	return out, rows.Err()
}
