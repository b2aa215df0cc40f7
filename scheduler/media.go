package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/media"
	"github.com/humas-id/humas/org"
	"github.com/humas-id/humas/store"
	"github.com/humas-id/humas/valid"
)

// MediaLibrary is what the scheduler needs of the media library
// (*media.Library): the items a post names, their bytes for Facebook and
// their signed public URLs for Instagram.
type MediaLibrary interface {
	Items(ctx context.Context, ids []int64) (map[int64]media.Item, error)
	Open(ctx context.Context, id int64) (media.Object, media.Item, error)
	PublicURL(ctx context.Context, id int64) (string, error)
}

// UseMedia connects the media library: posts may then name library items
// (media_id), which are checked against each target platform's rules and
// published from the library.
func (s *Service) UseMedia(lib MediaLibrary) { s.media = lib }

// CheckWriteUnit says whether p may write posts (and upload media) in
// unit: nil or a *ForbiddenError.
func (s *Service) CheckWriteUnit(ctx context.Context, p auth.Principal, unitID int64) error {
	return s.checkWrite(ctx, p, unitID)
}

// VisibleUnitIDs are the units p sees: nil for an admin (every unit).
func (s *Service) VisibleUnitIDs(ctx context.Context, p auth.Principal) ([]int64, error) {
	if p.Role == auth.RoleAdmin {
		return nil, nil
	}
	ids, err := s.org.Descendants(ctx, p.UnitID)
	if errors.Is(err, org.ErrNotFound) {
		return []int64{}, nil
	}
	return ids, err
}

// qMediaUses lists the posts naming media ids (posts.media is a JSON
// array of {type, url, media_id, ...}), with the time of their last
// published delivery.
const qMediaUses = `SELECT CAST(json_extract(j.value, '$.media_id') AS INTEGER) AS mid, p.id, p.unit_id, p.state, p.scheduled_at,
    (SELECT max(d.published_at) FROM deliveries d WHERE d.post_id = p.id)
FROM posts p, json_each(p.media) j
WHERE json_extract(j.value, '$.media_id') IN (%s)
ORDER BY p.scheduled_at DESC, p.id DESC`

// qMediaUsesPG is qMediaUses in PostgreSQL's JSON functions.
const qMediaUsesPG = `SELECT CAST(j.value ->> 'media_id' AS BIGINT) AS mid, p.id, p.unit_id, p.state, p.scheduled_at,
    (SELECT max(d.published_at) FROM deliveries d WHERE d.post_id = p.id)
FROM posts p, json_array_elements(p.media::json) j
WHERE CAST(j.value ->> 'media_id' AS BIGINT) IN (%s)
ORDER BY p.scheduled_at DESC, p.id DESC`

// MediaUses lists, for each media id, the posts that use it (newest
// first), for the library page, deletion and retention.
func (s *Service) MediaUses(ctx context.Context, ids []int64) (map[int64][]media.Use, error) {
	out := map[int64][]media.Use{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := qMediaUses
	if s.db.Postgres() {
		q = qMediaUsesPG
	}
	rows, err := s.db.DB.QueryContext(ctx, fmt.Sprintf(q, placeholders(len(ids))), args...)
	if err != nil {
		return nil, fmt.Errorf("media uses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var mid int64
		var u media.Use
		var sched string
		var pub *string
		if err := rows.Scan(&mid, &u.PostID, &u.UnitID, &u.State, &sched, &pub); err != nil {
			return nil, fmt.Errorf("media uses: %w", err)
		}
		u.ScheduledAt, _ = store.ParseTime(sched)
		if pub != nil {
			if t, err := store.ParseTime(*pub); err == nil {
				u.PublishedAt = &t
			}
		}
		if !slices.ContainsFunc(out[mid], func(x media.Use) bool { return x.PostID == u.PostID }) {
			out[mid] = append(out[mid], u)
		}
	}
	return out, rows.Err()
}

// resolveMedia fills the library items a draft names: their type and
// shape come from the library (whatever the request said), the item must
// exist, not be deleted, and be one p may see. Items are returned by id.
func (s *Service) resolveMedia(ctx context.Context, p auth.Principal, d *Draft) (map[int64]media.Item, ValidationError, error) {
	var ids []int64
	for _, m := range d.Media {
		if m.MediaID != 0 {
			ids = append(ids, m.MediaID)
		}
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	var e valid.Errors
	if s.media == nil {
		e.Add("media", "this server has no media library; give media by URL", "server ini tidak memiliki pustaka media; berikan media berupa URL")
		return nil, ValidationError(e), nil
	}
	items, err := s.media.Items(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	for i := range d.Media {
		m := &d.Media[i]
		if m.MediaID == 0 {
			continue
		}
		f := fmt.Sprintf("media[%d].media_id", i)
		it, ok := items[m.MediaID]
		if ok {
			if seen, err := s.canSee(ctx, p, it.UnitID); err != nil {
				return nil, nil, err
			} else if !seen {
				ok = false
			}
		}
		switch {
		case !ok:
			e.Add(f, "no media item has id %d in your library", "tidak ada media dengan id %d di pustaka Anda", m.MediaID)
			continue
		case it.DeletedAt != nil:
			e.Add(f, "media %d (%s) was deleted from the library; upload it again", "media %d (%s) sudah dihapus dari pustaka; unggah lagi", it.ID, it.Filename)
			continue
		}
		m.Type, m.URL, m.Width, m.Height, m.Duration = it.Kind, "", it.Width, it.Height, it.Duration
	}
	return items, ValidationError(e), nil
}

// checkLibraryMedia checks each library item against the rules of every
// target platform, for the use the post makes of it there: a Facebook
// photo, video or Reel; an Instagram feed image, Reel or carousel item.
// Errors refuse the post (naming media[i]); warnings do not.
func checkLibraryMedia(d Draft, items map[int64]media.Item, channels []org.Channel) ValidationError {
	if len(items) == 0 {
		return nil
	}
	var hasFB, hasIG bool
	for _, c := range channels {
		hasFB = hasFB || c.Platform == org.Facebook
		hasIG = hasIG || c.Platform == org.Instagram
	}
	var e valid.Errors
	for i, m := range d.Media {
		it, ok := items[m.MediaID]
		if m.MediaID == 0 || !ok || it.DeletedAt != nil {
			continue
		}
		var targets []media.Target
		if hasFB {
			switch {
			case it.Kind == media.KindImage:
				targets = append(targets, media.FacebookPhoto)
			case isReel(m) && len(d.Media) == 1:
				targets = append(targets, media.FacebookReel)
			default:
				targets = append(targets, media.FacebookVideo)
			}
		}
		if hasIG {
			switch {
			case len(d.Media) > 1:
				targets = append(targets, media.InstagramCarouselItem)
			case it.Kind == media.KindVideo:
				targets = append(targets, media.InstagramReel)
			default:
				targets = append(targets, media.InstagramFeed)
			}
		}
		for _, pr := range it.CheckAll(targets...) {
			if pr.Severity != media.SevError {
				continue
			}
			e = append(e, valid.FieldError{Field: fmt.Sprintf("media[%d]", i),
				Message:   fmt.Sprintf("%s: %s", it.Filename, pr.Message),
				MessageID: fmt.Sprintf("%s: %s", it.Filename, pr.MessageID)})
		}
	}
	return ValidationError(e)
}

// MediaWarnings lists the warnings (not errors) of a post's library media
// for its channels, for the pages to show before approval.
func MediaWarnings(post Post, items map[int64]media.Item) []media.Problem {
	var out []media.Problem
	for _, m := range post.Media {
		it, ok := items[m.MediaID]
		if !ok {
			continue
		}
		for _, pr := range it.CheckAll(it.DefaultTargets()...) {
			if pr.Severity == media.SevWarning {
				out = append(out, pr)
			}
		}
	}
	return out
}

// checkCaptions validates per-network captions: only facebook and
// instagram.
func checkCaptions(e *valid.Errors, d Draft) {
	for k := range d.Captions {
		if k != org.Facebook && k != org.Instagram {
			e.Add("captions."+k, "%q is not a network; per-network captions are for facebook and instagram",
				"%q bukan jaringan; keterangan per jaringan untuk facebook dan instagram", k)
		}
	}
}

// captionField names the caption a platform publishes, for errors.
func captionField(d Draft, platform string) string {
	if strings.TrimSpace(d.Captions[platform]) != "" {
		return "captions." + platform
	}
	return "caption"
}

func captionsText(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	return jsonText(m)
}
